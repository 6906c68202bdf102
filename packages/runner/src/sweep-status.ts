import { resolve } from 'node:path';
import { StoreReader } from '@cmcrd/store';
import { claimTimeoutMs } from './claims.js';
import type { FoldJob } from './jobs.js';
import { splitIntoShards } from './shards.js';
import { jobNames, readManifest, shardFiles, squeue } from './slurm.js';

type State = 'done' | 'failed' | 'running' | 'pending';

export interface SweepStatus {
  total: number;
  counts: Record<State, number>;
  /** Of the done folds, those only in shard stores (not merged yet). */
  unmerged: number;
  /** Per shard of the manifest's split: its folds by state. */
  shards: { index: number; folds: number; counts: Record<State, number>; file: boolean }[];
  /** Why squeue could not answer (no controller reachable), when it could not. */
  queueError?: string;
  /** squeue's lines for the sweep's jobs; null when squeue is not here or failed. */
  queue: { id: string; name: string; state: string; reason: string }[] | null;
}

const zero = (): Record<State, number> => ({ done: 0, failed: 0, running: 0, pending: 0 });

/**
 * Where each fold of a sweep stands, from the merged store, the shard stores (read-only, while
 * their tasks may be writing them) and squeue: done (in either), failed (and not done anywhere),
 * running (a live claim in a store), pending (the rest).
 */
export function sweepStatus(name: string, jobs: readonly FoldJob[], o: { db: string; shardDir: string }): SweepStatus {
  const states = new Map<string, State>();
  const inShardOnly = new Set<string>();
  const fresh = Date.now() - claimTimeoutMs();
  const read = (path: string, shard: boolean) => {
    const r = StoreReader.openIfExists(path);
    if (!r) return false;
    try {
      for (const [hash, state] of r.foldStates()) {
        const was = states.get(hash);
        if (state === 'done' && was !== 'done') {
          states.set(hash, 'done');
          if (shard) inShardOnly.add(hash);
        } else if (state === 'failed' && was === undefined) states.set(hash, 'failed');
      }
      for (const c of r.heldFolds()) {
        const was = states.get(c.configHash);
        if (c.heartbeatAt >= fresh && (was === undefined || was === 'failed')) states.set(c.configHash, 'running');
      }
    } finally {
      r.close();
    }
    return true;
  };
  read(resolve(o.db), false);
  const files = shardFiles(resolve(o.shardDir));
  for (const file of files.values()) read(file, true);

  const stateOf = (j: FoldJob): State => states.get(j.configHash) ?? 'pending';
  const counts = zero();
  for (const j of jobs) counts[stateOf(j)]++;
  const manifest = readManifest(resolve(o.shardDir));
  const shards = manifest
    ? splitIntoShards(jobs, manifest.shards).map((shardJobs, i) => {
        const c = zero();
        for (const j of shardJobs) c[stateOf(j)]++;
        return { index: i + 1, folds: shardJobs.length, counts: c, file: files.has(i + 1) };
      })
    : [];
  const unmerged = jobs.filter((j) => inShardOnly.has(j.configHash)).length;
  let queue: SweepStatus['queue'];
  let queueError: string | undefined;
  try {
    queue = squeue(jobNames(name));
  } catch (e) {
    // The stores answered; a controller that does not is said, not fatal.
    queue = null;
    queueError = (e as Error).message;
  }
  return { total: jobs.length, counts, unmerged, shards, queue, ...(queueError ? { queueError } : {}) };
}

export function printSweepStatus(name: string, s: SweepStatus, o: { db: string; shardDir: string }): void {
  const c = s.counts;
  // 'running': claimed by a task that is alive; a task claims a fold group's folds together, before its first.
  console.log(`sweep '${name}': ${s.total} folds — done ${c.done}, running ${c.running}, pending ${c.pending}, failed ${c.failed}`);
  console.log(`  merged store ${resolve(o.db)}: ${c.done - s.unmerged} done; shard stores (${resolve(o.shardDir)}): ${s.unmerged} done, not merged yet`);
  for (const sh of s.shards) {
    const k = sh.counts;
    const parts = [`${k.done} done`, k.running ? `${k.running} running` : '', k.pending ? `${k.pending} pending` : '', k.failed ? `${k.failed} failed` : ''].filter(Boolean);
    console.log(`  shard ${String(sh.index).padStart(String(s.shards.length).length)}: ${sh.folds} folds, ${parts.join(', ')}${sh.file ? '' : ' (no store yet)'}`);
  }
  if (s.queueError) console.log(`  ${s.queueError}`);
  else if (s.queue === null) console.log('  squeue: not here (not a Slurm node)');
  else if (s.queue.length === 0) console.log('  squeue: none of its jobs is queued or running');
  else {
    // squeue's %R: the nodes of a running job, '(Reason)' of a pending one.
    const sorted = [...s.queue].sort((a, b) => a.id.localeCompare(b.id, 'en', { numeric: true }));
    for (const q of sorted) console.log(`  squeue: ${q.id} ${q.name} ${q.state}${q.state === 'RUNNING' ? ` on ${q.reason}` : q.reason ? ` ${q.reason}` : ''}`);
  }
}
