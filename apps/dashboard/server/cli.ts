import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { registerServeCommand } from '@cmcrd/api';
import { exitQuietlyOnClosedPipe, main } from '@cmcrd/runner/cli';
import { sweepRunner } from '@cmcrd/runner/sweep-service';
import { startDashboard } from './serve.js';

// The `cmcrd` command at the top of the chain: the runner's commands, and `serve` (dashboard + API).
const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(fileURLToPath(import.meta.url)) === realpathSync(resolve(process.argv[1]));
if (invokedDirectly) {
  exitQuietlyOnClosedPipe();
  // Sweeps started over the API run this same command: `cmcrd sweep …`.
  const runner = sweepRunner([...process.execArgv, realpathSync(resolve(process.argv[1]))]);
  main(process.argv, [(program) => registerServeCommand(program, startDashboard, runner)]).then((code) => {
    process.exitCode = code;
  });
}
