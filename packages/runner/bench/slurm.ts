// `pnpm bench` (bench:slurm): a 16-fold sweep on the one-node Slurm cluster (.ci/slurm) as a
// 4-task array against `cmcrd sweep --workers 2` on the same two cores, side by side (local, array,
// local: the machine's speed drifts), and each task's start-up overhead: its run time in Slurm less
// the training and testing its folds (and its teacher) recorded. Not part of the tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { ensureSlurm, waitForJobs } from '../test/slurm-helpers.js';

const CLI = fileURLToPath(new URL('../../../apps/cli/src/cmcrd.ts', import.meta.url));
const execArgv = process.execArgv.map((a) => (a === 'tsx' ? fileURLToPath(import.meta.resolve('tsx')) : a));
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-bench-slurm-'));
const file = join(dir, 'bench16.yaml');
writeFileSync(
  file,
  [
    'name: bench16',
    'defaults:',
    '  epochs: 10',
    '  warmupEpochs: 2',
    '  teacherEpochs: 10',
    'grids:',
    '  - dataset: synthetic-seed-iv',
    '    method: [eeg-only, kd, cmcrd, fitnet]',
    '    folds: [subject-01, subject-02, subject-03, subject-04]',
    '',
  ].join('\n'),
);

function cmcrd(args: string[]): string {
  const r = spawnSync(process.execPath, [...execArgv, CLI, ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cmcrd ${args.join(' ')}: exit ${r.status}\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function local(n: number): number {
  const t0 = performance.now();
  cmcrd(['sweep', file, '--workers', '2', '--db', join(dir, `local-${n}.sqlite`)]);
  return (performance.now() - t0) / 1000;
}

/** Seconds of `scontrol show job` run times, by array task id. */
function runTimes(array: string): Map<string, number> {
  const r = spawnSync('scontrol', ['show', 'job', '-o', array], { encoding: 'utf8' });
  const out = new Map<string, number>();
  for (const line of r.stdout.split('\n').filter(Boolean)) {
    const task = /ArrayTaskId=(\d+)/.exec(line)?.[1];
    const rt = /RunTime=(?:(\d+)-)?(\d+):(\d+):(\d+)/.exec(line);
    if (task && rt) out.set(task, Number(rt[1] ?? 0) * 86400 + Number(rt[2]) * 3600 + Number(rt[3]) * 60 + Number(rt[4]));
  }
  return out;
}

async function array(): Promise<{ seconds: number; overhead: number[] }> {
  const db = join(dir, 'slurm', 'merged.sqlite');
  const t0 = performance.now();
  const out = cmcrd(['sweep', file, '--slurm', '--shards', '4', '--cpus-per-task', '1', '--time', '30', '--db', db]);
  const m = /submitted job array (\d+).*merge job (\d+)/s.exec(out);
  if (!m) throw new Error(out);
  await waitForJobs([m[1], m[2]], 600_000);
  const seconds = (performance.now() - t0) / 1000;
  const times = runTimes(m[1]);
  const overhead: number[] = [];
  for (let i = 1; i <= 4; i++) {
    const d = new Database(join(dir, 'slurm', 'shards', 'bench16', `${i}.sqlite`), { readonly: true });
    const folds = d.prepare('SELECT coalesce(sum(train_ms + test_ms), 0) FROM folds').pluck().get() as number;
    const teachers = d.prepare('SELECT coalesce(sum(train_ms), 0) FROM teachers').pluck().get() as number;
    d.close();
    overhead.push((times.get(String(i)) ?? Number.NaN) - (folds + teachers) / 1000);
  }
  return { seconds, overhead };
}

ensureSlurm();
process.stderr.write('bench:slurm: local --workers 2, then a 4-task array, then local again …\n');
const a = local(1);
const s = await array();
const b = local(2);
const mean = (a + b) / 2;
console.log('\n16-fold sweep (synthetic SEED-IV, DNN, 4 subjects × eeg-only/kd/cmcrd/fitnet, 10 epochs) on this 2-core machine');
console.log(`  cmcrd sweep --workers 2:            ${a.toFixed(1)} s, again ${b.toFixed(1)} s`);
console.log(`  --slurm, 4 tasks × 1 core (+merge): ${s.seconds.toFixed(1)} s from submission to merged store`);
console.log(`  ratio array / local:                ${(s.seconds / mean).toFixed(2)}×`);
console.log(
  `  per-task overhead (Slurm run time − training and testing recorded): ${s.overhead.map((x) => `${x.toFixed(1)} s`).join(', ')}`,
);

// The dry run's suggested array for the paper grid at 256 cores (step times timed into a new store:
// 123 kinds × 3 rounds, a few minutes).
process.stderr.write('bench:slurm: the dry run of sweeps/paper.yaml (times every kind of fold) …\n');
const paper = fileURLToPath(new URL('../../../sweeps/paper.yaml', import.meta.url));
const dry = cmcrd(['sweep', paper, '--dry-run', '--cores', '256', '--db', join(dir, 'paper-estimate.sqlite')]);
console.log('\nsweeps/paper.yaml --dry-run (wasm, this machine):');
for (const line of dry.split('\n').filter((l) => /folds|estimated training|Slurm cluster/.test(l))) console.log(`  ${line.trim()}`);
rmSync(dir, { recursive: true, force: true });
