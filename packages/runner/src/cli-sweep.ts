import { requireBackend } from '@cmcrd/core';
import { estimateSweep, type TimingProgress } from './estimate.js';
import { executeJobs } from './execute.js';
import { expandJobs } from './jobs.js';
import { userPath } from '@cmcrd/store';
import { executeOnQueue } from './queue.js';
import { loadCliPlugins, withCliPlugins } from './plugins.js';
import { progressPrinter } from './report-progress.js';
import { Ballast } from '@cmcrd/store';
import { storeFaultOf } from '@cmcrd/store';
import { Store } from '@cmcrd/store';
import { expandSweep, loadSweepFile, loadSweepPlugins } from './sweep-file.js';


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
  /** Store each fold's trained model (off by default, like embeddings; or `keepModels: true` in the file). */
  keepModels?: boolean;
  /** Outside plugins given on the command line (the sweep file may name its own). */
  plugin?: string[];
}

/** `cmcrd sweep <file>`: every fold of a sweep file, resumable; --dry-run counts and estimates. */
export async function cmdSweep(file: string, o: SweepCommandOptions): Promise<number> {
  const path = userPath(file);
  const spec = loadSweepFile(path);
  await loadSweepPlugins(spec);
  const cliPlugins = await loadCliPlugins(o.plugin);
  const cells = withCliPlugins(expandSweep(spec, { real: o.real === true }), cliPlugins);
  const { jobs } = expandJobs(cells, { embeddings: o.embeddings === true, keepModels: o.keepModels === true || spec.keepModels === true });
  if (o.backend && !o.queue) await requireBackend(o.backend);
  // Checked when opened: a damaged store is refused before anything is written to it.
  const store = Store.open(userPath(o.db), { verify: true });
  let sweepId: number | undefined;
  let ballast: Ballast | undefined;
  try {
    if (o.dryRun) {
      process.stderr.write(`counting ${jobs.length} folds; step times: kept in ${store.path} for this machine, or timed now …\n`);
      const e = await estimateSweep(jobs, store, {
        workers: o.workers,
        backend: o.backend,
        onProgress: timingProgress(),
      });
      if (process.stderr.isTTY) process.stderr.write('\r\x1b[2K');
      const count = (from: string) => e.sources.filter((s) => s.from === from).length;
      const range = (r: { low: number; high: number }) => (hms(r.low) === hms(r.high) ? hms(r.low) : `${hms(r.low)} – ${hms(r.high)}`);
      console.log(`sweep '${spec.name}' (${path}): ${cells.length} cells, ${e.folds} folds`);
      console.log(`  already stored in ${store.path}: ${e.stored}; to run: ${e.pending} (teachers to train: ${e.teachersToTrain})`);
      const workers = Math.min(o.workers, Math.max(1, e.pending));
      const idle = (seconds: number | null, share = 1) =>
        seconds === null ? '' : `; ${hms(seconds / share)} on ${share === 1 ? 'an idle core' : `${share} idle cores`}`;
      console.log(
        `  estimated training time: ${range(e.range)} on one worker, ${range(e.wallRange)} on ${workers} worker(s) at this machine's load while timing` +
          idle(e.idleSeconds, workers),
      );
      for (const protocol of [...new Set(e.foldTimes.map((f) => f.protocol))].sort().reverse()) {
        const of = e.foldTimes.filter((f) => f.protocol === protocol);
        const [slowest] = of;
        const fastest = of[of.length - 1];
        console.log(
          `  one ${protocol} fold on one worker (student training): ${hms(fastest.seconds.mid)}${idle(fastest.idleSeconds)} (${fastest.what}) ` +
            `to ${range(slowest.seconds)}${idle(slowest.idleSeconds)} (${slowest.what})`,
        );
      }
      console.log(
        `  step times (${e.backend ?? 'no backend needed'} on ${e.machine}): ${count('timings')} kinds kept from an earlier dry run, ` +
          `${count('folds')} from earlier folds, ${count('measured')} timed now`,
      );
      return 0;
    }
    const sweep = store.openSweep({ name: spec.name, file: path, spec: spec.text, options: { real: o.real === true }, folds: jobs.length });
    sweepId = sweep.id;
    ballast = new Ballast(store.path);
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
      `\n${summary.finished} fold(s) run, ${summary.skipped} already stored, ${summary.elsewhere ? `${summary.elsewhere} run by another coordinator, ` : ''}${summary.failed} failed, in ${hms((performance.now() - started) / 1000)}. Results: ${store.path}`,
    );
    for (const r of failedRows) console.log(`  FAILED ${r!.dataset} ${r!.foldKey} ${r!.method} ${r!.backbone} (${r!.attempts} attempt(s)): ${r!.error}`);
    return failedRows.length > 0 ? 1 : 0;
  } catch (e) {
    // A full disk, a read-only or damaged store: one paragraph (exit 2), the sweep row marked stopped.
    const fault = storeFaultOf(e, store.path);
    if (!fault) throw e;
    if (sweepId !== undefined) {
      ballast?.release();
      try {
        store.stopSweep(sweepId);
      } catch {
        // The store refuses this write too; the row says running until the next run resumes it.
      }
    }
    throw fault;
  } finally {
    ballast?.release();
    store.close();
  }
}


/** Progress of the step timing: one overwritten line on a terminal, one line per round otherwise. */
function timingProgress(): (p: TimingProgress) => void {
  return (p) => {
    if (process.stderr.isTTY) {
      process.stderr.write(`\r\x1b[2Ktiming round ${p.round}/${p.rounds}, kind ${p.kind}/${p.kinds}: ${p.what}`);
    } else if (p.kind === 1) {
      process.stderr.write(`timing round ${p.round}/${p.rounds}: ${p.kinds} kinds of fold, a few steps each\n`);
    }
  };
}
