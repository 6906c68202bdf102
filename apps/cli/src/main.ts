import { registerServeCommand } from '@cmcrd/api/serve-command';
import { type CommandExtension, main as runnerMain } from '@cmcrd/runner/cli';

// The `cmcrd` command: the runner's commands, and `serve` (dashboard + API; --api-only for the API
// alone). Like every other action, serve's imports the server (and the dashboard's) when it runs.
const serve: CommandExtension = (program) =>
  registerServeCommand(program, async (options) => (await import('@cmcrd/dashboard/server')).startDashboard(options));

/** Runs `cmcrd` on argv (node, script, …args); resolves with the exit code. */
export function main(argv: string[]): Promise<number> {
  return runnerMain(argv, [serve]);
}
