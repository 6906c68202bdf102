import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Store, StoreReader } from '@cmcrd/store';
import { estimateSweep } from './estimate.js';
import { hms } from './hms.js';
import type { FoldJob } from './jobs.js';
import { shardSeconds, splitIntoShards, suggestedShards } from './shards.js';
import {
  type ArrayPlan,
  arrayScript,
  jobNames,
  mergeScript,
  parseSlurmTime,
  partitionTimeLimit,
  readManifest,
  SlurmError,
  type SlurmResources,
  sbatch,
  shardFiles,
  slurmTime,
  squeue,
  timeWithMargin,
  writeManifest,
} from './slurm.js';

export interface SlurmCommandOptions {
  partition?: string;
  account?: string;
  time?: string;
  cpusPerTask: number;
  mem?: string;
  gpus?: string;
  arrayLimit?: number;
  /** How many shards (default: the manifest's, else one task per cpusPerTask of `cores`). */
  shards?: number;
  /** Cores the default array is sized for. */
  cores: number;
  print?: boolean;
  shardDir: string;
  db: string;
  backend?: string;
}

/** What a submission needs from the sweep command. */
export interface SlurmSweep {
  name: string;
  /** The sweep file, absolute. */
  file: string;
  jobs: FoldJob[];
  /** Arguments every task passes to `cmcrd sweep` (the file first). */
  sweepArgs: string[];
  /** The command that runs cmcrd here, for the tasks: node, its flags and the entry, absolute. */
  cli: string[];
  spec: { text: string; real: boolean };
}

const ACTIVE = new Set(['PENDING', 'RUNNING', 'CONFIGURING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'RESIZING', 'SIGNALING', 'STAGE_OUT']);


/**
 * `cmcrd sweep FILE --slurm`: writes a job array (one task per shard with missing folds) and a merge
 * job after it, and submits both; run again after failures, time limits or preemption, it submits
 * exactly the shards whose folds are still missing, split the same way.
 */
export async function submitSlurmSweep(s: SlurmSweep, o: SlurmCommandOptions): Promise<number> {
  const shardDir = resolve(o.shardDir);
  const store = resolve(o.db);
  // --print only writes scripts: it may run where no controller answers (a laptop, a login node at maintenance).
  const queued = o.print ? null : squeue(jobNames(s.name));
  const active = (queued ?? []).filter((j) => ACTIVE.has(j.state));
  if (active.length) {
    throw new SlurmError(
      `sweep '${s.name}' is still in the queue (${active.map((j) => `${j.id} ${j.state}`).join(', ')}): wait for it to end, or scancel it, then run this again`,
    );
  }

  // Done where it will count: in the merged store, or in a shard store not merged yet.
  const done = new Set<string>();
  const unmerged = new Set<string>();
  const readDone = (path: string, into: Set<string>) => {
    const r = StoreReader.openIfExists(path);
    if (!r) return;
    try {
      for (const [hash, state] of r.foldStates()) if (state === 'done') into.add(hash);
    } finally {
      r.close();
    }
  };
  readDone(store, done);
  for (const file of shardFiles(shardDir).values()) readDone(file, unmerged);
  for (const h of done) unmerged.delete(h);
  for (const h of unmerged) done.add(h);

  const manifest = readManifest(shardDir);
  const count = o.shards ?? manifest?.shards ?? suggestedShards(s.jobs, o.cores, o.cpusPerTask);
  if (manifest && count !== manifest.shards && unmerged.size > 0) {
    throw new SlurmError(
      `${shardDir} holds ${unmerged.size} fold(s) of the earlier split into ${manifest.shards} shards that are not merged yet; ` +
        `merge them first (cmcrd merge ${join(shardDir, '*.sqlite')} --into ${store}), or keep --shards ${manifest.shards}`,
    );
  }
  const shards = splitIntoShards(s.jobs, count);
  const missing = shards.map((jobs) => jobs.filter((j) => !done.has(j.configHash)));
  const tasks = missing.flatMap((m, i) => (m.length ? [i + 1] : []));
  const pending = missing.flat();
  console.log(
    `sweep '${s.name}': ${s.jobs.length} folds; ${done.size - unmerged.size} in ${store}, ${unmerged.size} in shards not merged yet, ${pending.length} to run`,
  );
  if (tasks.length === 0) {
    if (unmerged.size) console.log(`nothing to run; merge the shards: cmcrd merge ${join(shardDir, '*.sqlite')} --into ${store}`);
    else console.log('nothing to run: every fold is stored');
    return 0;
  }

  let time = o.time;
  if (!time) {
    // The dry run's estimate of each task's shard, with a margin: step times kept in the merged
    // store (for this machine), or timed now and kept there.
    const target = Store.open(store);
    try {
      process.stderr.write(`estimating the time of each task from step times (kept in ${store}) …\n`);
      const e = await estimateSweep(pending, target, { workers: o.cpusPerTask, backend: o.backend });
      const seconds = Math.max(...shardSeconds(missing, e.jobSeconds, o.cpusPerTask));
      const wanted = timeWithMargin(seconds);
      const max = partitionTimeLimit(o.partition);
      time = slurmTime(max !== null ? Math.min(wanted, max) : wanted);
      console.log(`  the longest task: about ${hms(seconds)} on ${o.cpusPerTask} core(s) here; --time ${time} (×1.5 + 10 min${max !== null && wanted > max ? `, cut to the partition's limit` : ''})`);
      if (max !== null && wanted > max) {
        // A task stopped by its limit keeps every finished fold: the next submission continues.
        console.log(
          `  longer than the partition's limit (${slurmTime(max)}): tasks stop cleanly at it; run this command again after the array ends to continue (about ${Math.ceil(wanted / max)} submissions)`,
        );
        const longestFold = Math.max(...e.jobSeconds.values());
        if (timeWithMargin(longestFold) > max) {
          console.log(`  warning: the longest fold alone takes about ${hms(longestFold)} here: it cannot finish within ${slurmTime(max)}; ask for a longer partition or faster nodes (--gpus)`);
        }
      }
    } finally {
      target.close();
    }
  } else if (parseSlurmTime(time) === null) {
    throw new SlurmError(`--time: '${time}' is not a Slurm time (minutes, HH:MM:SS or D-HH:MM:SS)`, { parameter: '--time' });
  }
  const limit = parseSlurmTime(time) ?? 3600;
  const resources: SlurmResources = {
    partition: o.partition,
    account: o.account,
    time,
    cpusPerTask: o.cpusPerTask,
    mem: o.mem,
    gpus: o.gpus,
    arrayLimit: o.arrayLimit,
  };
  const env: Record<string, string> = {};
  if (process.env.CMCRD_DATA_DIR) env.CMCRD_DATA_DIR = resolve(process.env.CMCRD_DATA_DIR);
  const plan: ArrayPlan = {
    sweepName: s.name,
    shardDir,
    store,
    shards: count,
    tasks,
    cli: s.cli,
    sweepArgs: s.sweepArgs,
    env,
    cwd: process.cwd(),
    resources,
    // The signal comes early enough to stop cleanly, and never before a tenth of the limit.
    signalSeconds: Math.max(10, Math.min(120, Math.floor(limit / 10))),
  };
  mkdirSync(join(shardDir, 'logs'), { recursive: true });
  const arrayFile = join(shardDir, 'array.sbatch');
  const mergeFile = join(shardDir, 'merge.sbatch');
  writeFileSync(arrayFile, arrayScript(plan), { mode: 0o755 });
  writeFileSync(mergeFile, mergeScript(plan), { mode: 0o755 });
  const submissions = manifest?.submissions ?? [];

  if (o.print) {
    process.stdout.write(`\n# ${arrayFile}\n${arrayScript(plan)}\n# ${mergeFile}\n${mergeScript(plan)}`);
    console.log(`\nnot submitted (--print). To submit: id=$(sbatch --parsable ${arrayFile}) && sbatch --dependency=afterany:$id ${mergeFile}`);
    writeManifest(shardDir, { sweep: s.name, file: s.file, shards: count, submissions: [...submissions, { at: new Date().toISOString(), array: null, merge: null, tasks }] });
    return 0;
  }

  // The merged store's sweep row, with the whole sweep's fold count: the shards' rows (same file
  // and options) are merged into it.
  const target = Store.open(store);
  try {
    target.openSweep({ name: s.name, file: s.file, spec: s.spec.text, options: { real: s.spec.real }, folds: s.jobs.length });
  } finally {
    target.close();
  }
  const array = sbatch(arrayFile);
  const merge = sbatch(mergeFile, [`--dependency=afterany:${array}`]);
  writeManifest(shardDir, { sweep: s.name, file: s.file, shards: count, submissions: [...submissions, { at: new Date().toISOString(), array, merge, tasks }] });
  console.log(
    `submitted job array ${array}: ${tasks.length} task(s) of ${count} shard(s) (${tasks.length === count ? 'all' : `tasks ${tasks.join(',')}`}), ` +
      `${o.cpusPerTask} core(s) and --time ${time} each; merge job ${merge} after it → ${store}`,
  );
  console.log(`  shard stores and logs: ${shardDir}`);
  console.log(`  progress: cmcrd sweep ${s.file} --status --db ${store}`);
  return 0;
}
