// What one CPU core can do with the paper's grid: per-fold and whole-grid training times from
// `cmcrd sweep sweeps/paper.yaml --dry-run`'s step times, kept in a store by that dry run
// (run it first with the same --db; this script times nothing itself). The README's figures.
//   node --conditions=@cmcrd/source --import tsx bench/cpu-figures.ts <store.sqlite> [--backend wasm]
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { estimateSweep, type FoldTime } from '../src/estimate.js';
import { expandJobs } from '../src/jobs.js';
import { loadBuiltins } from '../src/plugins.js';
import { Store } from '@cmcrd/store';
import { expandSweep, loadSweepFile } from '../src/sweep-file.js';

const [db, flag, backendArg] = process.argv.slice(2);
if (!db) {
  console.error('usage: cpu-figures.ts <store.sqlite> [--backend <name>]');
  process.exit(2);
}
loadBuiltins();
const spec = loadSweepFile(fileURLToPath(new URL('../../../sweeps/paper.yaml', import.meta.url)));
const { jobs } = expandJobs(expandSweep(spec, { real: false }), { embeddings: false });
const store = Store.openExisting(db);
const e = await estimateSweep(jobs, store, { workers: availableParallelism(), backend: flag === '--backend' ? backendArg : undefined });
store.close();
const measuredNow = e.sources.filter((s) => s.from === 'measured').length;
if (measuredNow > 0) console.log(`(note: ${measuredNow} kinds had no kept step time and were timed now)`);

const h = (s: number) => (s >= 3600 ? `${(s / 3600).toFixed(1)} h` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
const idle = (f: FoldTime) => f.idleSeconds ?? f.seconds.mid;
function summary(label: string, list: FoldTime[]): void {
  if (list.length === 0) return;
  const xs = list.map(idle).sort((a, b) => a - b);
  const folds = list.reduce((a, f) => a + f.folds, 0);
  console.log(
    `${label.padEnd(44)} ${String(folds).padStart(5)} folds  per fold on an idle core: ${h(xs[0])} – ${h(xs[xs.length - 1])} (median ${h(xs[Math.floor(xs.length / 2)])})`,
  );
}
const memoryBank = (f: FoldTime) => /^(cmcrd|crd) /.test(f.what);
console.log(`sweep 'paper': ${e.pending} folds to run, ${e.teachersToTrain} teachers to train; ${e.backend} on ${e.machine}`);
for (const protocol of ['within-subject', 'cross-subject']) {
  const of = e.foldTimes.filter((f) => f.protocol === protocol);
  summary(`${protocol}, CMCRD and CRD`, of.filter(memoryBank));
  summary(`${protocol}, the other methods`, of.filter((f) => !memoryBank(f)));
}
const byDataset = (d: string) => e.foldTimes.filter((f) => f.protocol === 'cross-subject' && memoryBank(f) && f.what.includes(`· ${d} ·`));
for (const d of ['synthetic-seed', 'synthetic-seed-iv', 'synthetic-seed-v']) summary(`cross-subject CMCRD/CRD on ${d}`, byDataset(d));
const total = e.idleSeconds ?? e.seconds;
console.log(`the whole grid (students and teachers): ${Math.round(total / 3600).toLocaleString('en')} worker-hours on idle cores` +
  ` (${Math.round(e.range.low / 3600).toLocaleString('en')} – ${Math.round(e.range.high / 3600).toLocaleString('en')} at the load while timing)`);
