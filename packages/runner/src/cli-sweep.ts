import { requireBackend } from '@cmcrd/core';
import { availableParallelism } from 'node:os';
import { InvalidArgumentError, type Command } from 'commander';
import { estimateSweep } from './estimate.js';
import { executeJobs } from './execute.js';
import { expandJobs } from './jobs.js';
import { DEFAULT_DB, userPath } from './paths.js';
import { executeOnQueue } from './queue.js';
import { progressPrinter } from './report-progress.js';
import { Store } from './store/store.js';
import { expandSweep, loadSweepFile, loadSweepPlugins } from './sweep-file.js';

function count(name: string) {
  return (v: string) => {
    if (!/^\d+$/.test(v)) throw new InvalidArgumentError(`${name} must be a non-negative integer, got '${v}'`);
    return Number(v);
  };
}

const hms = (s: number) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h} h ${m} min` : m ? `${m} min ${Math.round(s % 60)} s` : `${s.toFixed(1)} s`;
};

export interface SweepCommandOptions {
  real?: boolean;
  dryRun?: boolean;
  workers: number;
  backend?: string;
  retries: number;
  db: string;
  queue?: string;
  /** Store each fold's t-SNE embedding (off by default: sweeps are thousands of folds). */
  embeddings?: boolean;
}

/** `cmcrd sweep <file>`: every fold of a sweep file, resumable; --dry-run counts and estimates. */
export async function cmdSweep(file: string, o: SweepCommandOptions): Promise<number> {
  const path = userPath(file);
  const spec = loadSweepFile(path);
  await loadSweepPlugins(spec);
  const cells = expandSweep(spec, { real: o.real === true });
  const { jobs } = expandJobs(cells, { embeddings: o.embeddings === true });
  if (o.backend && !o.queue) await requireBackend(o.backend);
  const store = Store.open(userPath(o.db));
  try {
    if (o.dryRun) {
      process.stderr.write(`counting ${jobs.length} folds and timing a few training steps per kind of fold not seen in ${store.path} …\n`);
      let measured = 0;
      const e = await estimateSweep(jobs, store, {
        workers: o.workers,
        backend: o.backend,
        onMeasure: (what) => {
          measured++;
          if (process.stderr.isTTY) process.stderr.write(`\r\x1b[2Kmeasuring step time ${measured}: ${what}`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      console.log(`sweep '${spec.name}' (${path}): ${cells.length} cells, ${e.folds} folds`);
      console.log(`  already stored in ${store.path}: ${e.stored}; to run: ${e.pending} (teachers to train: ${e.teachersToTrain})`);
      console.log(
        `  estimated training time: ${hms(e.seconds)} on one worker, ${hms(e.wallSeconds)} on ${Math.min(o.workers, Math.max(1, e.pending))} worker(s)`,
      );
      console.log(`  step times: ${e.sources.length - measured} kinds of fold from earlier folds in the store, ${measured} measured now (a few steps each)`);
      return 0;
    }
    const sweep = store.openSweep({ name: spec.name, file: path, spec: spec.text, options: { real: o.real === true }, folds: jobs.length });
    console.log(`cmcrd sweep '${spec.name}': ${jobs.length} folds (${cells.length} cells) → ${store.path}`);
    const started = performance.now();
    const common = { retries: o.retries, sweepId: sweep.id, onEvent: progressPrinter() };
    // With a queue, the folds run on `cmcrd worker`s (each picks its own backend); this process only writes.
    const summary = o.queue
      ? await executeOnQueue(jobs, store, { url: o.queue, ...common })
      : await executeJobs(jobs, store, { workers: o.workers, backend: o.backend, ...common });
    const failedRows = jobs.map((j) => store.findByHash(j.configHash)).filter((r) => r?.status === 'failed');
    store.finishSweep(sweep.id, failedRows.length);
    console.log(
      `\n${summary.finished} fold(s) run, ${summary.skipped} already stored, ${summary.failed} failed, in ${hms((performance.now() - started) / 1000)}. Results: ${store.path}`,
    );
    for (const r of failedRows) console.log(`  FAILED ${r!.dataset} ${r!.foldKey} ${r!.method} ${r!.backbone} (${r!.attempts} attempt(s)): ${r!.error}`);
    return failedRows.length > 0 ? 1 : 0;
  } finally {
    store.close();
  }
}

export function registerSweepCommand(program: Command, workersDefault = availableParallelism()): void {
  program
    .command('sweep')
    .description('every fold of a sweep file (docs/sweeps.md); run it again after any crash to run exactly the missing folds')
    .argument('<file>', 'a sweep file, e.g. sweeps/paper.yaml')
    .option('--real', 'the imported releases (seed, seed-iv, seed-v) instead of the synthetic presets')
    .option('--dry-run', 'count the folds (stored, to run) and estimate the time from measured step times; trains nothing')
    .option('--workers <n>', 'worker processes, each with its own backend', count('--workers'), workersDefault)
    .option('--backend <name>', 'force a tensor backend')
    .option('--retries <n>', 'how many more times a failed fold is started', count('--retries'), 1)
    .option('--db <path>', 'SQLite store', DEFAULT_DB)
    .option('--queue <url>', 'run the folds on `cmcrd worker`s through this Redis (redis://host:port[/db]) instead of local worker processes')
    .option('--embeddings', "store a 2-D t-SNE of each fold's test-set features with it (about half a second per fold; not part of a fold's identity)")
    .action(async (file: string, o: SweepCommandOptions) => {
      process.exitCode = await cmdSweep(file, o);
    });
}
