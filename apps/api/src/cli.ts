import { realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exitQuietlyOnClosedPipe, main } from '@cmcrd/runner/cli';
import { registerServeCommand } from './serve-command.js';

// The `cmcrd` command with `serve`: the runner's commands plus the ones that need the API.
const invokedDirectly =
  process.argv[1] !== undefined &&
  realpathSync(fileURLToPath(import.meta.url)) === realpathSync(resolve(process.argv[1]));
if (invokedDirectly) {
  exitQuietlyOnClosedPipe();
  main(process.argv, [registerServeCommand]).then((code) => {
    process.exitCode = code;
  });
}
