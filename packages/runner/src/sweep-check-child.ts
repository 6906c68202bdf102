import { type SweepCheckRequest, checkSweep } from './sweep-check.js';

// A child process of the API: checks one posted sweep (parse, size, every cell, every fold) and
// answers with its name and fold count, so that the server's event loop never runs the expansion.
process.once('message', (r: SweepCheckRequest) => {
  process.send?.(checkSweep(r), () => process.exit(0));
});
