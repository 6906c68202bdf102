#!/usr/bin/env node
// The built command (after `pnpm build`); during development use `pnpm cmcrd …` from the repository root.
import { main } from '../dist/cli.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
