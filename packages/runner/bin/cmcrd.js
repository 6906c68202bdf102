#!/usr/bin/env node
// The built command (after `pnpm build`); during development use `pnpm cmcrd …` from the repository root.
import { exitQuietlyOnClosedPipe, main } from '../dist/cli.js';

exitQuietlyOnClosedPipe();
main(process.argv).then((code) => {
  process.exitCode = code;
});
