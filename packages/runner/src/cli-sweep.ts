import { requireBackend } from '@cmcrd/core';
import { UserError } from '@cmcrd/data/user-error';
import { estimateSweep, type TimingProgress } from './estimate.js';
import { executeJobs } from './execute.js';
import { expandJobs } from './jobs.js';
import { userPath } from '@cmcrd/store';
import { executeOnQueue } from './queue.js';
import { loadCliPlugins, withCliPlugins } from './plugins.js';
import { progressPrinter } from './report-progress.js';
import { hms } from './hms.js';
import { Ballast } from '@cmcrd/store';
import { storeFaultOf } from '@cmcrd/store';
import { Store } from '@cmcrd/store';
import { expandSweep, loadSweepFile, loadSweepPlugins } from './sweep-file.js';
import { StoreReader } from '@cmcrd/store';
import { parseShard, shardJobs, shardSeconds, splitIntoShards, suggestedShards } from './shards.js';
import { defaultShardDir } from './slurm.js';
import type { FoldJob } from './jobs.js';



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
  /** `I/N`: only the I-th of N shards of the sweep's folds (shards.ts), into --db. */
  shard?: string;
  /** With --shard: folds stored there (the merged store) are not run again, its teachers are reused. */
  mainDb?: string;
  /** Where the shard stores of `--slurm` and `--status` live (default: shards/<sweep> beside --db). */
  shardDir?: string;
  /** Write and submit a Slurm job array (sweep-slurm.ts). */
  slurm?: boolean;
  /** Done, running, pending and failed folds, from the store, the shards and squeue. */
  status?: boolean;
  partition?: string;
  account?: string;
  time?: string;
  cpusPerTask?: number;
  mem?: string;
  gpus?: string;
  arrayLimit?: number;
  shards?: number;
  /** `dataset=revision` pairs a shard task checks its imported data against (--slurm passes what it resolved). */
  dataRevision?: Record<string, string>;
  /** Cores the suggested array is sized for (dry run and --slurm's default shard count). */
  cores?: number;
  print?: boolean;
}

/** Cores per task of a Slurm array unless --cpus-per-task: each runs a single-threaded wasm worker. */
const DEFAULT_CPUS_PER_TASK = 4;
/** The cluster size the dry run suggests an array for unless --cores. */
const DEFAULT_CORES = 256;

/** `cmcrd sweep <file>`: every fold of a sweep file, resumable; --dry-run counts and estimates. */
export async function cmdSweep(file: string, o: SweepCommandOptions): Promise<number> {
  const path = userPath(file);
  const spec = loadSweepFile(path);
  await loadSweepPlugins(spec);
  const cliPlugins = await loadCliPlugins(o.plugin);
  const cells = withCliPlugins(expandSweep(spec, { real: o.real === true }), cliPlugins);
  const { jobs: allJobs } = expandJobs(cells, { embeddings: o.embeddings === true, keepModels: o.keepModels === true || spec.keepModels === true });
  const shardDir = userPath(o.shardDir ?? defaultShardDir(userPath(o.db), spec.name));
  if (o.status) {
    const { printSweepStatus, sweepStatus } = await import('./sweep-status.js');
    const where = { db: userPath(o.db), shardDir };
    printSweepStatus(spec.name, sweepStatus(spec.name, allJobs, where), where);
    return 0;
  }
  if (o.slurm) {
    if (o.shard) throw new UserError('--slurm and --shard: --slurm submits one task per shard itself', { parameter: '--shard' });
    const { submitSlurmSweep } = await import('./sweep-slurm.js');
    return submitSlurmSweep(
      {
        name: spec.name,
        file: path,
        jobs: allJobs,
        sweepArgs: [...taskSweepArgs(path, o), ...revisionArgs(allJobs)],
        cli: [process.execPath, ...process.execArgv, process.argv[1]],
        spec: { text: spec.text, real: o.real === true },
      },
      {
        ...o,
        cpusPerTask: o.cpusPerTask ?? DEFAULT_CPUS_PER_TASK,
        cores: o.cores ?? DEFAULT_CORES,
        shardDir,
        db: userPath(o.db),
      },
    );
  }
  checkDataRevisions(allJobs, o.dataRevision);
  const shard = o.shard ? parseShard(o.shard) : undefined;
  if (o.mainDb && !shard) throw new UserError('--main-db is for a shard (--shard I/N)', { parameter: '--main-db' });
  let jobs = shard ? shardJobs(allJobs, shard) : allJobs;
  if (o.backend && !o.queue) await requireBackend(o.backend);
  // Checked when opened: a damaged store is refused before anything is written to it.
  const store = Store.open(userPath(o.db), { verify: true });
  if (shard) {
    const merged = o.mainDb ? userPath(o.mainDb) : undefined;
    if (merged && merged === store.path) {
      store.close();
      throw new UserError(`--main-db is the shard's own store (${merged}): a shard writes a store of its own`, { parameter: '--main-db' });
    }
    const before = jobs.length;
    if (merged) jobs = withoutMerged(jobs, merged, store);
    console.log(
      `shard ${shard.index}/${shard.count}: ${before} of the sweep's ${allJobs.length} folds` +
        (merged ? `, ${before - jobs.length} already in ${merged}` : ''),
    );
  }
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
      if (!shard && e.pending > 0) {
        // The array --slurm would submit for a cluster of `cores` cores (docs/cluster.md).
        const cores = o.cores ?? DEFAULT_CORES;
        const cpus = o.cpusPerTask ?? DEFAULT_CPUS_PER_TASK;
        const n = o.shards ?? suggestedShards(jobs, cores, cpus);
        const perTask = shardSeconds(splitIntoShards(jobs, n), e.jobSeconds, cpus);
        const longest = Math.max(...perTask);
        const coreSeconds = [...e.jobSeconds.values()].reduce((a, b) => a + b, 0);
        console.log(
          `  on a Slurm cluster of ${cores} cores: --slurm --shards ${n} --cpus-per-task ${cpus}: the longest task ${hms(longest)} ` +
            `(median ${hms([...perTask].sort((a, b) => a - b)[Math.floor(perTask.length / 2)])}), ${(coreSeconds / 3600).toFixed(0)} core-hours of training on idle cores like this one's`,
        );
      }
      return 0;
    }
    const sweep = store.openSweep({ name: spec.name, file: path, spec: spec.text, options: { real: o.real === true }, folds: jobs.length });
    sweepId = sweep.id;
    ballast = new Ballast(store.path);
    console.log(`cmcrd sweep '${spec.name}': ${jobs.length} folds (${cells.length} cells) → ${store.path}`);
    const started = performance.now();
    const common = { retries: o.retries, sweepId: sweep.id, onEvent: progressPrinter() };
    // A scheduler's SIGTERM (time limit, preemption, scancel): no new fold starts, the folds in
    // progress are abandoned, every stored fold stays; the next run does exactly what is missing.
    const stop = new AbortController();
    const onTerm = (signal: NodeJS.Signals) => {
      if (stop.signal.aborted) return;
      process.stderr.write(`\ncmcrd sweep: ${signal}: stopping; the folds in progress are abandoned, the stored ones stay in ${store.path}\n`);
      stop.abort();
    };
    if (!o.queue) process.on('SIGTERM', onTerm);
    // With a queue, the folds run on `cmcrd worker`s (each picks its own backend); this process only writes.
    const summary = await (o.queue
      ? executeOnQueue(jobs, store, { url: o.queue, ...common })
      : executeJobs(jobs, store, { workers: o.workers, backend: o.backend, signal: stop.signal, ...common })
    ).finally(() => process.off('SIGTERM', onTerm));
    if (stop.signal.aborted) {
      store.stopSweep(sweep.id);
      console.log(
        `\nstopped by SIGTERM: ${summary.finished} fold(s) stored in this run, ${summary.abandoned ?? 0} abandoned; run the same command again for the rest. Results: ${store.path}`,
      );
      // 128 + SIGTERM, as a shell reports a process the signal ended.
      return 143;
    }
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


/** An imported release's revision in a fold's config ('none' for data without one: the synthetic presets). */
const revisionOf = (j: FoldJob) => j.config.spec.dataVersion ?? 'none';

/**
 * A Slurm task resolves the sweep with the data of its own node: a node with another import of a
 * release would store its folds under other identities, so the task stops before training.
 */
function checkDataRevisions(jobs: readonly FoldJob[], expected: Record<string, string> | undefined): void {
  if (!expected) return;
  for (const [dataset, want] of Object.entries(expected)) {
    const job = jobs.find((j) => j.config.dataset === dataset);
    if (job && revisionOf(job) !== want) {
      throw new UserError(
        `${dataset} here (${process.env.CMCRD_DATA_DIR ?? 'the default data folder'}) is revision ${revisionOf(job)}, but the sweep was submitted with revision ${want}: import the same files on every node (docs/cluster.md)`,
        { parameter: '--data-revision' },
      );
    }
  }
}

/** The `cmcrd sweep` arguments a Slurm task repeats: the file and every option that changes what a fold is or how it runs. */
function taskSweepArgs(file: string, o: SweepCommandOptions): string[] {
  const args = [file];
  if (o.real) args.push('--real');
  if (o.backend) args.push('--backend', o.backend);
  args.push('--retries', String(o.retries));
  for (const p of o.plugin ?? []) args.push('--plugin', p.startsWith('.') ? userPath(p) : p);
  if (o.embeddings) args.push('--embeddings');
  if (o.keepModels) args.push('--keep-models');
  return args;
}

/** `--data-revision dataset=revision` for each dataset of the sweep, as resolved here. */
function revisionArgs(jobs: readonly FoldJob[]): string[] {
  const seen = new Map<string, string>();
  for (const j of jobs) if (!seen.has(j.config.dataset)) seen.set(j.config.dataset, revisionOf(j));
  return [...seen].flatMap(([d, r]) => ['--data-revision', `${d}=${r}`]);
}

/**
 * A shard's jobs less those the merged store holds as done; the teachers the rest need that the
 * merged store holds are copied into the shard's store first, so that no teacher is trained twice.
 */
function withoutMerged(jobs: FoldJob[], merged: string, store: Store): FoldJob[] {
  const reader = StoreReader.openIfExists(merged);
  if (!reader) return jobs;
  try {
    const states = reader.foldStates();
    const rest = jobs.filter((j) => states.get(j.configHash) !== 'done');
    for (const key of new Set(rest.map((j) => j.teacherKey).filter((k): k is string => k !== null))) {
      if (store.hasTeacher(key)) continue;
      const t = reader.teacher(key);
      if (t) store.putTeacher(t);
    }
    return rest;
  } finally {
    reader.close();
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
