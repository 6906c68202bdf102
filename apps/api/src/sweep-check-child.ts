import { ConfigError, SweepFileError, expandJobs, expandSweep, parseSweep } from '@cmcrd/runner';
import type { SweepCheck, SweepCheckRequest } from './sweep-check.js';

// A child process of the API: checks one posted sweep (parse, size, every cell, every fold) and
// answers with its name and fold count, so that the server's event loop never runs the expansion.
process.once('message', (r: SweepCheckRequest) => {
  let answer: SweepCheck;
  try {
    const spec = parseSweep(r.text, r.file, { refusePlugins: r.refusePlugins });
    const cells = expandSweep(spec, { real: r.real });
    answer = { ok: true, name: spec.name, cells: cells.length, folds: expandJobs(cells).jobs.length };
  } catch (e) {
    if (!(e instanceof SweepFileError || e instanceof ConfigError)) throw e;
    answer = { ok: false, message: e.message };
  }
  process.send?.(answer, () => process.exit(0));
});
