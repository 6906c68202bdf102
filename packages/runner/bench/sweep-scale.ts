// Issue 6's figures: folds per hour with 1 and 2 local workers on the same folds (each worker
// process pays ~4 s of start-up: modules, backend, dataset), the
// coordinator's CPU time per fold, and the peak memory of a worker on a SEED-IV-sized
// cross-subject fold. Run by bench/run.ts; also on its own:
//   node --conditions=@cmcrd/source --import tsx bench/sweep-scale.ts
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type RunInput, executeJobs, expandJobs, loadBuiltins } from '../src/index.js';
import { Store } from '@cmcrd/store';

const here = fileURLToPath(new URL('.', import.meta.url));
loadBuiltins();
const work = mkdtempSync(join(tmpdir(), 'cmcrd-sweep-bench-'));

// 8 folds in 4 groups (one per subject): both workers always have a group to take.
const EPOCHS = 12;
const cells: RunInput[] = ['eeg-only', 'kd'].map((method) => ({
  dataset: 'synthetic-seed-iv',
  method,
  seed: 1,
  epochs: EPOCHS,
  warmupEpochs: 1,
  teacherEpochs: EPOCHS,
  folds: ['subject-01', 'subject-02', 'subject-03', 'subject-04'],
}));
const ROUNDS = 2;

async function timed(workers: number, round: number): Promise<{ seconds: number; folds: number; coordinatorMsPerFold: number }> {
  const store = Store.open(join(work, `w${workers}-${round}.sqlite`));
  try {
    const { jobs } = expandJobs(cells);
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const s = await executeJobs(jobs, store, { workers, backend: 'wasm' });
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (s.failed) throw new Error(`${s.failed} fold(s) failed`);
    // With workers, everything the coordinator process did (dispatch, IPC, SQLite writes) is overhead.
    return { seconds, folds: s.finished, coordinatorMsPerFold: (cpu.user + cpu.system) / 1000 / s.finished };
  } finally {
    store.close();
  }
}

/** The faster of the rounds: this machine's speed drifts, and W=1 and W=2 alternate. */
const best = <T extends { seconds: number }>(runs: T[]) => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));

try {
  const ones = [];
  const twos = [];
  for (let round = 0; round < ROUNDS; round++) {
    process.stderr.write(`bench: round ${round + 1}/${ROUNDS}: 8 folds with 1 worker, then with 2 worker processes …\n`);
    ones.push(await timed(1, round));
    twos.push(await timed(2, round));
  }
  const one = best(ones);
  const two = best(twos);
  process.stderr.write('bench: peak memory of a SEED-IV cross-subject CMCRD fold …\n');
  const mem = spawnSync(process.execPath, [...process.execArgv, join(here, 'cross-subject-memory.ts')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const m = mem.status === 0 ? JSON.parse(mem.stdout.trim().split('\n').pop()!) : null;

  const perHour = (r: { seconds: number; folds: number }) => (3600 * r.folds) / r.seconds;
  const speedup = perHour(two) / perHour(one);
  const ok = (cond: boolean, target: string) => (cond ? `≤ ${target} met` : `> ${target} MISSED`);
  console.log(`\nsweeps (issue 6 targets): 8 folds of synthetic SEED-IV, DNN, eeg-only and KD, ${EPOCHS} epochs, wasm; best of ${ROUNDS} alternating rounds`);
  console.log(`  1 worker (in process)  ${one.seconds.toFixed(1)} s, ${perHour(one).toFixed(0)} folds/hour (rounds: ${ones.map((r) => r.seconds.toFixed(1)).join(', ')} s)`);
  console.log(
    `  2 worker processes     ${two.seconds.toFixed(1)} s, ${perHour(two).toFixed(0)} folds/hour = ${speedup.toFixed(2)}× one worker (rounds: ${twos.map((r) => r.seconds.toFixed(1)).join(', ')} s)  ${speedup >= 1.8 ? '≥ 1.8× met' : '< 1.8× MISSED'}`,
  );
  console.log(`  coordinator CPU        ${two.coordinatorMsPerFold.toFixed(1)} ms per fold with 2 workers (dispatch, IPC, SQLite)  ${ok(two.coordinatorMsPerFold <= 50, '50 ms')}`);
  if (m) {
    console.log(
      `  worker peak memory     ${(m.maxRssBytes / 2 ** 20).toFixed(0)} MiB on a cross-subject SEED-IV CMCRD fold (${m.trainRows} training windows, K=${m.negatives}; teacher 1 epoch + ${m.studentSteps} student steps)  ${ok(m.maxRssBytes <= 2 ** 30, '1 GiB')}`,
    );
  } else console.log(`  worker peak memory     not measured (exit ${mem.status})`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
