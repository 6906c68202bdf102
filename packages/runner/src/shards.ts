import { stepsPerEpochOf } from '@cmcrd/core';
import { datasetSpec, syntheticSplitSizes } from '@cmcrd/data';
import { DEFAULT_TEACHER_CONFIG } from '@cmcrd/core';
import { UserError } from '@cmcrd/data/user-error';
import type { FoldJob } from './jobs.js';

/** `--shard I/N`: the I-th of N shards (1-based, as Slurm's array task ids). */
export interface ShardSpec {
  index: number;
  count: number;
}

/** A `--shard` value that is not `I/N` with 1 ≤ I ≤ N. */
export class ShardSpecError extends UserError {
  override name = 'ShardSpecError';
}

export function parseShard(text: string): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  const index = m ? Number(m[1]) : Number.NaN;
  const count = m ? Number(m[2]) : Number.NaN;
  if (!m || count < 1 || index < 1 || index > count) {
    throw new ShardSpecError(`--shard: '${text}' is not I/N with 1 ≤ I ≤ N (e.g. 3/16; I is Slurm's SLURM_ARRAY_TASK_ID)`, { parameter: '--shard' });
  }
  return { index, count };
}

/**
 * The indivisible units of a split: the folds of one fold group (same split, backbone and seed)
 * that use the same teacher — or no teacher: the unimodal references and fusion, which reuses
 * their models — joined further wherever two of them name the same teacher. So a teacher is always
 * trained in one shard only. A group is not kept whole: on the paper grid one cross-subject BiHDM
 * group (every method of both directions) is some 200 hours on one core, longer than most
 * clusters let a task run, while its teachers' halves are about half that.
 */
export function shardUnits(jobs: readonly FoldJob[]): FoldJob[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const unitOf = (j: FoldJob) => `${j.groupKey}\u0000${j.teacherKey ?? ''}`;
  const byTeacher = new Map<string, string>();
  for (const j of jobs) {
    const u = unitOf(j);
    if (!parent.has(u)) parent.set(u, u);
    if (j.teacherKey) {
      const other = byTeacher.get(j.teacherKey);
      if (other) union(other, u);
      else byTeacher.set(j.teacherKey, u);
    }
  }
  // Units in order of their first job, their jobs in the sweep's order.
  const units = new Map<string, FoldJob[]>();
  for (const j of jobs) {
    const root = find(unitOf(j));
    const u = units.get(root);
    if (u) u.push(j);
    else units.set(root, [j]);
  }
  return [...units.values()];
}

/**
 * What a unit costs, for balancing only: its training steps (student epochs × batches, twice for
 * fusion; each teacher once). Computed from the configuration alone, never from timings, so that
 * every task of an array, on whatever node, computes the same split. A memory-bank step costs more
 * than a plain one, so shards of mixed methods balance only roughly.
 */
export function unitCost(unit: readonly FoldJob[]): number {
  let steps = 0;
  const teachers = new Set<string>();
  for (const j of unit) {
    const c = j.config;
    const rows = trainRows(c.dataset, c.protocol, j.foldKey, c.protocolOptions);
    steps += (c.method.testModality === 'eeg+em' ? 2 : 1) * c.student.epochs * stepsPerEpochOf(rows, c.student.batchSize);
    if (j.teacherKey && !teachers.has(j.teacherKey)) {
      teachers.add(j.teacherKey);
      steps += c.teacherEpochs * stepsPerEpochOf(rows, DEFAULT_TEACHER_CONFIG.batchSize);
    }
  }
  return steps;
}

/**
 * Training rows of a fold's split, for balancing: exact for the synthetic presets; an imported
 * release is not loaded for this (a task would read the whole cache before its first fold), so its
 * folds count as the preset of the same name with the real release's structure would.
 */
function trainRows(dataset: string, protocol: string, foldKey: string, protocolOptions: FoldJob['config']['protocolOptions']): number {
  const preset = dataset.startsWith('synthetic-') ? dataset : `synthetic-${dataset}`;
  try {
    const sizes = syntheticSplitSizes(datasetSpec(preset), protocol as never, foldKey, protocolOptions);
    if (sizes) return sizes.train;
  } catch {
    // A dataset without a preset (an outside one): every fold counts the same.
  }
  return 1000;
}

/**
 * Splits a sweep's jobs into `count` shards: whole units, the costliest first, each to the shard
 * with the least cost so far (ties: the lower index). The result depends only on the jobs and the
 * count — not on what is stored, not on the machine — so every task of an array computes the same
 * split, and running the same sweep again with the same count gives each task the same folds.
 */
export function splitIntoShards(jobs: readonly FoldJob[], count: number): FoldJob[][] {
  const units = shardUnits(jobs).map((jobs, order) => ({ jobs, order, cost: unitCost(jobs) }));
  units.sort((a, b) => b.cost - a.cost || a.order - b.order);
  const shards = Array.from({ length: count }, () => ({ cost: 0, units: [] as typeof units }));
  for (const u of units) {
    let best = 0;
    for (let i = 1; i < count; i++) if (shards[i].cost < shards[best].cost) best = i;
    shards[best].cost += u.cost;
    shards[best].units.push(u);
  }
  // Within a shard, the sweep's own order.
  return shards.map((s) => s.units.sort((a, b) => a.order - b.order).flatMap((u) => u.jobs));
}

/** The jobs of shard `spec` (see splitIntoShards). */
export function shardJobs(jobs: readonly FoldJob[], spec: ShardSpec): FoldJob[] {
  return splitIntoShards(jobs, spec.count)[spec.index - 1];
}

/**
 * How long each shard's task runs with `workers` worker processes, from each fold's estimated
 * seconds (SweepEstimate.jobSeconds; folds already stored count nothing). A worker runs a fold
 * group whole, so the task's time is that of its groups dealt to its workers, the longest first,
 * each to the least loaded: never less than its longest group.
 */
export function shardSeconds(shards: readonly (readonly FoldJob[])[], jobSeconds: ReadonlyMap<string, number>, workers: number): number[] {
  return shards.map((jobs) => {
    const groups = new Map<string, number>();
    for (const j of jobs) groups.set(j.groupKey, (groups.get(j.groupKey) ?? 0) + (jobSeconds.get(j.configHash) ?? 0));
    const load = new Array<number>(Math.max(1, workers)).fill(0);
    for (const g of [...groups.values()].sort((a, b) => b - a)) {
      let least = 0;
      for (let i = 1; i < load.length; i++) if (load[i] < load[least]) least = i;
      load[least] += g;
    }
    return Math.max(...load);
  });
}

/** The array to suggest for `cores` cores at `cpusPerTask` each: one task per `cpusPerTask` cores, at most one per unit. */
export function suggestedShards(jobs: readonly FoldJob[], cores: number, cpusPerTask: number): number {
  return Math.max(1, Math.min(shardUnits(jobs).length, Math.floor(cores / Math.max(1, cpusPerTask))));
}
