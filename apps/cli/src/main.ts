import { registerServeCommand } from '@cmcrd/api/serve-command';
import { registerPublishCommand } from '@cmcrd/dashboard/publish-command';
import { type CommandExtension, main as runnerMain } from '@cmcrd/runner/cli';
import { siblingModule } from '@cmcrd/runner/child-process';
import { sweepRunner } from '@cmcrd/runner/sweep-service';

// The `cmcrd` command: the runner's commands, and `serve` (dashboard + API; --api-only for the API
// alone). Like every other action, serve's imports the server (and the dashboard's) when it runs.

/** How this command runs itself: sweeps started over the API are `cmcrd sweep …` child processes. */
function ownCommandLine(): string[] {
  const { file, execArgv } = siblingModule(import.meta.url, 'cmcrd');
  return [...execArgv, file];
}

const serve: CommandExtension = (program) =>
  registerServeCommand(
    program,
    async (options) => (await import('@cmcrd/dashboard/server')).startDashboard(options),
    sweepRunner(ownCommandLine()),
  );

/** Runs `cmcrd` on argv (node, script, …args); resolves with the exit code. */
export function main(argv: string[]): Promise<number> {
  return runnerMain(argv, [serve, registerPublishCommand]);
}
