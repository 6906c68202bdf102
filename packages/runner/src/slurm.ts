import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { UserError } from '@cmcrd/data/user-error';

// Slurm job arrays for a sweep: the scripts `cmcrd sweep --slurm` writes, their submission with
// sbatch, and what squeue says of them. Nothing here trains or opens a store.

/** sbatch, squeue or scancel missing or refusing: the message says which command and what it printed. */
export class SlurmError extends UserError {
  override name = 'SlurmError';
}

/** What the user asked of the scheduler (`cmcrd sweep --slurm` options). */
export interface SlurmResources {
  partition?: string;
  account?: string;
  /** Slurm's time format (minutes, or [D-]HH:MM:SS). */
  time: string;
  cpusPerTask: number;
  mem?: string;
  gpus?: string;
  /** At most this many tasks of the array at once (`%N`). */
  arrayLimit?: number;
}

/** Where a sweep's shards live and how a task runs `cmcrd`. */
export interface ArrayPlan {
  sweepName: string;
  /** Shard stores, task logs, the scripts and the manifest. */
  shardDir: string;
  /** The merged store (`--db`). */
  store: string;
  /** How many shards the sweep is split into (N of `--shard I/N`). */
  shards: number;
  /** The array task ids to run: the shards with missing folds. */
  tasks: number[];
  /** The command that runs cmcrd (node, its flags, the entry), absolute. */
  cli: readonly string[];
  /** Arguments of `cmcrd sweep` common to every task: the file and the options that pass through. */
  sweepArgs: readonly string[];
  /** Environment variables the tasks need (CMCRD_DATA_DIR). */
  env: Record<string, string>;
  /** The folder the tasks start in (the submitting shell's). */
  cwd: string;
  resources: SlurmResources;
  /**
   * Seconds before the time limit at which Slurm sends the task SIGTERM (`--signal=B:TERM@…`), so
   * that it abandons its fold and exits before it is killed.
   */
  signalSeconds: number;
}

/** Quotes a word for bash: single quotes, with any single quote closed, escaped and reopened. */
export const sh = (s: string) => (/^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`);

/** Task ids as sbatch's --array takes them, runs of consecutive ids compressed: 1-4,7,9-10. */
export function arraySpec(tasks: readonly number[], limit?: number): string {
  const sorted = [...new Set(tasks)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? `${sorted[i]}` : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',') + (limit ? `%${limit}` : '');
}

/** Seconds as Slurm's time limit, D-HH:MM:SS. */
export function slurmTime(seconds: number): string {
  const s = Math.max(60, Math.ceil(seconds / 60) * 60);
  const d = Math.floor(s / 86400);
  const hh = String(Math.floor((s % 86400) / 3600)).padStart(2, '0');
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, '0');
  return `${d ? `${d}-` : ''}${hh}:${mm}:00`;
}

/** A task's time limit from the estimate of its shard: half again as long, plus ten minutes for start-up and the data. */
export function timeWithMargin(estimatedSeconds: number): number {
  return estimatedSeconds * 1.5 + 600;
}

/** Slurm's time limit in seconds (for the signal's lead time): minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]. */
export function parseSlurmTime(t: string): number | null {
  const m = /^(?:(\d+)-)?(\d+)(?::(\d+))?(?::(\d+))?$/.exec(t.trim());
  if (!m) return null;
  const [, d, a, b, c] = m;
  const n = (x?: string) => (x === undefined ? 0 : Number(x));
  if (d !== undefined) return n(d) * 86400 + n(a) * 3600 + n(b) * 60 + n(c);
  if (c !== undefined) return n(a) * 3600 + n(b) * 60 + n(c);
  if (b !== undefined) return n(a) * 60 + n(b);
  return n(a) * 60;
}

function directives(lines: string[], r: Partial<SlurmResources>): void {
  if (r.partition) lines.push(`#SBATCH --partition=${r.partition}`);
  if (r.account) lines.push(`#SBATCH --account=${r.account}`);
  if (r.time) lines.push(`#SBATCH --time=${r.time}`);
  if (r.cpusPerTask) lines.push(`#SBATCH --cpus-per-task=${r.cpusPerTask}`);
  if (r.mem) lines.push(`#SBATCH --mem=${r.mem}`);
  if (r.gpus) lines.push(`#SBATCH --gpus=${r.gpus}`);
}

function preamble(p: ArrayPlan): string[] {
  return [
    'set -euo pipefail',
    `cd ${sh(p.cwd)}`,
    ...Object.entries(p.env).map(([k, v]) => `export ${k}=${sh(v)}`),
  ];
}

/** The array's script: task I runs shard I/N into its own store, skipping what the merged store holds. */
export function arrayScript(p: ArrayPlan): string {
  const lines = [
    '#!/bin/bash',
    `# cmcrd sweep --slurm: sweep '${p.sweepName}', ${p.tasks.length} of ${p.shards} shard(s). Written ${new Date().toISOString()}.`,
    `#SBATCH --job-name=${sh(`cmcrd-${p.sweepName}`)}`,
    `#SBATCH --array=${arraySpec(p.tasks, p.resources.arrayLimit)}`,
    `#SBATCH --output=${join(p.shardDir, 'logs', '%a.out')}`,
    '#SBATCH --open-mode=append',
    // Only the batch shell (cmcrd itself, by exec) gets it: it abandons its folds and exits before the limit.
    `#SBATCH --signal=B:TERM@${p.signalSeconds}`,
  ];
  directives(lines, p.resources);
  lines.push(
    ...preamble(p),
    `task=\${SLURM_ARRAY_TASK_ID:?not run as a Slurm array task}`,
    // The task as scancel and squeue name it: <array job id>_<task id>.
    `echo "cmcrd shard $task/${p.shards} on $(hostname) (job \${SLURM_ARRAY_JOB_ID:-?}_$task) at $(date -Is)"`,
    // exec: Slurm's signals (time limit, preemption, scancel) reach cmcrd, not a shell in between.
    `exec ${p.cli.map(sh).join(' ')} sweep ${p.sweepArgs.map(sh).join(' ')} --shard "$task/${p.shards}" --db ${sh(p.shardDir)}/"$task.sqlite" --main-db ${sh(p.store)} --workers "\${SLURM_CPUS_PER_TASK:-1}"`,
    '',
  );
  return lines.join('\n');
}

/** The merge job's script: every shard store of the sweep into the merged store (idempotent). */
export function mergeScript(p: ArrayPlan): string {
  const lines = [
    '#!/bin/bash',
    `# cmcrd sweep --slurm: merges the shards of sweep '${p.sweepName}' into ${p.store} once the array has ended.`,
    `#SBATCH --job-name=${sh(`cmcrd-${p.sweepName}-merge`)}`,
    `#SBATCH --output=${join(p.shardDir, 'logs', 'merge.out')}`,
    '#SBATCH --open-mode=append',
    '#SBATCH --cpus-per-task=1',
    '#SBATCH --time=01:00:00',
  ];
  directives(lines, { partition: p.resources.partition, account: p.resources.account, mem: p.resources.mem });
  lines.push(
    ...preamble(p),
    'shopt -s nullglob',
    `shards=(${sh(p.shardDir)}/*.sqlite)`,
    `if [ \${#shards[@]} -eq 0 ]; then echo "no shard store to merge"; exit 0; fi`,
    `exec ${p.cli.map(sh).join(' ')} merge "\${shards[@]}" --into ${sh(p.store)}`,
    '',
  );
  return lines.join('\n');
}

/** What `--slurm` keeps beside the shards: the shard count, so that a later submission splits the same way. */
export interface SlurmManifest {
  sweep: string;
  file: string;
  shards: number;
  submissions: { at: string; array: string | null; merge: string | null; tasks: number[] }[];
}

const MANIFEST = 'slurm.json';

export function readManifest(shardDir: string): SlurmManifest | undefined {
  const file = join(shardDir, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SlurmManifest;
  } catch (e) {
    throw new SlurmError(`${file}: not a manifest written by cmcrd sweep --slurm (${(e as Error).message}); remove it to start over`, { file });
  }
}

/** Written to a new file and renamed over the old: a crash leaves the old manifest or the new, never half of one. */
export function writeManifest(shardDir: string, m: SlurmManifest): void {
  mkdirSync(shardDir, { recursive: true });
  const file = join(shardDir, MANIFEST);
  writeFileSync(`${file}.tmp`, `${JSON.stringify(m, null, 2)}\n`);
  renameSync(`${file}.tmp`, file);
}

/** The shard stores in a folder, by task id (`3.sqlite` → 3). */
export function shardFiles(shardDir: string): Map<number, string> {
  const out = new Map<number, string>();
  if (!existsSync(shardDir)) return out;
  for (const name of readdirSync(shardDir)) {
    const m = /^(\d+)\.sqlite$/.exec(name);
    if (m) out.set(Number(m[1]), join(shardDir, name));
  }
  return out;
}

/** The default folder of a sweep's shards: `shards/<sweep>` beside the merged store. */
export function defaultShardDir(store: string, sweepName: string): string {
  return join(dirname(store), 'shards', basename(sweepName).replace(/[^\w.-]+/g, '_'));
}

function run(cmd: string, args: string[]): { ok: boolean; out: string; err: string; missing: boolean } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 60_000 });
  const missing = (r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
  return { ok: r.status === 0, out: r.stdout ?? '', err: (r.stderr ?? '') + (r.error && !missing ? r.error.message : ''), missing };
}

/** Submits a script with sbatch; returns the job id (`--parsable`: `id` or `id;cluster`). */
export function sbatch(script: string, extra: string[] = []): string {
  const r = run('sbatch', ['--parsable', ...extra, script]);
  if (r.missing) throw new SlurmError('sbatch: not found: run this on a Slurm login node (or use --print to write the scripts only)');
  if (!r.ok) throw new SlurmError(`sbatch refused ${script}: ${r.err.trim() || r.out.trim()}`, { file: script });
  return r.out.trim().split(';')[0];
}

/** A job or array task in squeue: `123_4` (or `123_[5-8]` for tasks not started), its state and node. */
export interface QueuedJob {
  id: string;
  name: string;
  state: string;
  reason: string;
}

/** The jobs squeue lists under these names; null when squeue is not here (not on a Slurm node). */
export function squeue(names: readonly string[]): QueuedJob[] | null {
  const r = run('squeue', ['-h', '-r', '--name', names.join(','), '-o', '%i|%j|%T|%R']);
  if (r.missing) return null;
  if (!r.ok) throw new SlurmError(`squeue failed: ${r.err.trim()}`);
  return r.out
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [id, name, state, reason] = l.split('|');
      return { id, name, state, reason };
    });
}

/** The job names of a sweep's array and merge job. */
export const jobNames = (sweepName: string) => [`cmcrd-${sweepName}`, `cmcrd-${sweepName}-merge`];

/**
 * The time limit of a partition (the default one when none is named) in seconds, from sinfo; null
 * when it is infinite or sinfo cannot tell (not a Slurm node).
 */
export function partitionTimeLimit(partition?: string): number | null {
  const r = run('sinfo', ['-h', '-o', '%P|%l']);
  if (!r.ok) return null;
  for (const line of r.out.split('\n').filter(Boolean)) {
    const [name, limit] = line.split('|');
    const isDefault = name.endsWith('*');
    if (partition ? name.replace(/\*$/, '') === partition : isDefault) return limit === 'infinite' ? null : parseSlurmTime(limit);
  }
  return null;
}
