import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { alive, waitFor } from './process-helpers.js';
import { type ExecEvent, type RunInput, cmdSweep, executeJobs, expandJobs, loadBuiltins, main, preparePlugins } from '../src/index.js';
import { Store, schema } from '@cmcrd/store';

loadBuiltins();
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-sweep-'));

const cell = (method: string, extra: Partial<RunInput> = {}): RunInput => ({
  dataset: 'synthetic-seed-iv',
  method,
  seed: 5,
  epochs: 2,
  warmupEpochs: 1,
  teacherEpochs: 2,
  folds: ['subject-01'],
  ...extra,
});

async function run(path: string, inputs: RunInput[], o: { workers?: number; retries?: number; onEvent?: (e: ExecEvent) => void } = {}) {
  const { jobs } = expandJobs(await preparePlugins(inputs, here));
  const store = Store.open(path);
  try {
    const summary = await executeJobs(jobs, store, { workers: o.workers ?? 1, backend: 'wasm', retries: o.retries, onEvent: o.onEvent });
    return { summary, folds: store.listFolds(), teachers: store.countTeachers(), teacherRows: store.db.select().from(schema.teachers).all() };
  } finally {
    store.close();
  }
}

test('a teacher is trained once per fold and setting, stored, and reused by later methods and later runs', async () => {
  const path = join(dir, 'teachers.sqlite');
  const first = await run(path, [cell('kd'), cell('cmcrd'), cell('kd', { folds: ['subject-02'] })], { workers: 2 });
  assert.deepEqual(first.summary, { finished: 3, failed: 0, skipped: 0 });
  // kd and cmcrd of subject-01 share one teacher (EM, MCC on); subject-02 has its own.
  assert.equal(first.teachers, 2);
  const byFold = (f: { foldKey: string; method: string }) => `${f.foldKey}/${f.method}`;
  const keys = Object.fromEntries(first.folds.map((f) => [byFold(f), f.teacherKey]));
  assert.equal(keys['subject-01/kd'], keys['subject-01/cmcrd']);
  assert.notEqual(keys['subject-01/kd'], keys['subject-02/kd']);
  const stored = first.teacherRows.find((t) => t.key === keys['subject-01/kd'])!;
  assert.equal(stored.foldKey, 'subject-01');
  assert.equal(stored.modality, 'em');

  // A later run of another method on subject-01: the stored teacher, not a new one.
  const second = await run(path, [cell('fitnet')]);
  assert.equal(second.teachers, 2);
  const fitnet = second.folds.find((f) => f.method === 'fitnet')!;
  assert.equal(fitnet.teacherKey, stored.key);
  assert.equal(fitnet.teacherMs, stored.trainMs, 'the fold reports the stored teacher');
  // Restoring the stored teacher gives exactly what training it afresh gives.
  const fresh = await run(join(dir, 'fresh.sqlite'), [cell('fitnet')]);
  assert.equal(fresh.folds[0].teacherKey, stored.key);
  assert.equal(fresh.folds[0].accuracy, fitnet.accuracy);
  assert.equal(fresh.folds[0].confusion, fitnet.confusion);
});

test('a fold that throws is retried the configured number of times, recorded with its error, and the sweep goes on', async () => {
  const path = join(dir, 'retries.sqlite');
  const events: ExecEvent[] = [];
  const r = await run(path, [cell('eeg-only'), cell('broken-throws', { plugins: ['./fixtures/broken-throwing.ts'] })], {
    workers: 1,
    retries: 2,
    onEvent: (e) => events.push(e),
  });
  assert.deepEqual(r.summary, { finished: 2, failed: 1, skipped: 0 });
  const failed = r.folds.find((f) => f.method === 'broken-throws')!;
  assert.equal(failed.status, 'failed');
  assert.equal(failed.attempts, 3);
  assert.match(failed.error!, /distiller 'broken-throws': this plugin always throws/);
  assert.equal(events.filter((e) => e.type === 'retry').length, 2);
  assert.equal(r.folds.find((f) => f.method === 'eeg-only')!.status, 'done');
  // Run again: the failed fold is attempted again, the done one is not.
  const again = await run(path, [cell('eeg-only'), cell('broken-throws', { plugins: ['./fixtures/broken-throwing.ts'] })], { retries: 0 });
  assert.deepEqual(again.summary, { finished: 1, failed: 1, skipped: 1 });
});

test('a worker killed with SIGKILL mid-fold: the fold is started again on a new worker and stored once', async () => {
  const path = join(dir, 'worker-kill.sqlite');
  let killed = 0;
  const pids = new Map<number, number>();
  const r = await run(path, [cell('eeg-only'), cell('kd'), cell('cmcrd', { folds: ['subject-02'] })], {
    workers: 2,
    onEvent: (e) => {
      if (e.type === 'started') pids.set(e.worker, e.pid);
      // The first student epoch of the first kd attempt: kill the process training it.
      if (e.type === 'progress' && !killed && e.progress.method === 'kd' && e.progress.stage === 'student') {
        killed = pids.get(e.worker)!;
        process.kill(killed, 'SIGKILL');
      }
    },
  });
  assert.ok(killed > 0, 'no worker was killed');
  assert.deepEqual(r.summary, { finished: 3, failed: 0, skipped: 0 });
  assert.equal(r.folds.length, 3);
  assert.equal(r.folds.find((f) => f.method === 'kd')!.attempts, 2);
  for (const f of r.folds) assert.equal(f.status, 'done');
});

const SWEEP = `name: kill-test
defaults:
  dataset: synthetic-seed-iv
  seed: 9
  epochs: 2
  warmupEpochs: 1
  teacherEpochs: 2
grids:
  - method: [eeg-only, kd, sp, pkt]
    folds: [subject-01, subject-02, subject-03]
`;

test('kill -9 of the coordinator mid-sweep: its workers stop, and running the sweep again runs exactly the missing folds', async () => {
  const file = join(dir, 'kill.yaml');
  const db = join(dir, 'kill.sqlite');
  writeFileSync(file, SWEEP);
  const cli = join(here, '../../../apps/cli/src/cmcrd.ts');
  const coordinator: ChildProcess = spawn(
    process.execPath,
    ['--conditions=@cmcrd/source', '--import', 'tsx', cli, 'sweep', file, '--db', db, '--workers', '2', '--backend', 'wasm'],
    { stdio: 'ignore' },
  );
  const done = () => {
    try {
      const d = new Database(db, { readonly: true, fileMustExist: true });
      try {
        return (d.prepare("select count(*) as n from folds where status = 'done'").get() as { n: number }).n;
      } finally {
        d.close();
      }
    } catch {
      return 0;
    }
  };
  try {
    await waitFor('3 stored folds', () => done() >= 3, 120_000);
    const workers = execFileSync('pgrep', ['-P', String(coordinator.pid)], { encoding: 'utf8' }).trim().split('\n').map(Number);
    assert.ok(workers.length >= 1, 'the coordinator has no worker processes');
    coordinator.kill('SIGKILL');
    await waitFor('the orphaned workers to exit', () => workers.every((p) => !alive(p)), 60_000);
  } finally {
    coordinator.kill('SIGKILL');
  }
  const before = done();
  assert.ok(before >= 3 && before < 12, `${before} folds were done at the kill`);
  const log = console.log;
  console.log = () => {};
  let code: number;
  try {
    code = await cmdSweep(file, { db, workers: 2, backend: 'wasm', retries: 1 });
  } finally {
    console.log = log;
  }
  assert.equal(code, 0);
  const store = Store.open(db);
  try {
    const folds = store.listFolds();
    assert.equal(folds.length, 12, 'every fold exactly once');
    assert.ok(folds.every((f) => f.status === 'done'));
    assert.equal(new Set(folds.map((f) => f.configHash)).size, 12);
    // Exactly the missing folds ran: the ones stored before the kill keep their ids.
    assert.equal(folds.filter((f) => f.id <= before).length, before);
    const sweeps = store.listSweeps();
    assert.equal(sweeps.length, 1, 'the second run resumed the first run\'s sweep');
    assert.equal(sweeps[0].status, 'finished');
    assert.ok(folds.every((f) => f.sweepId === sweeps[0].id));
  } finally {
    store.close();
  }
});

test('cmcrd sweep --dry-run counts what is stored; --queue to an unreachable Redis is one clear error, exit 2', async () => {
  const file = join(dir, 'dry.yaml');
  writeFileSync(file, SWEEP.replace('kill-test', 'dry-test').replace('[eeg-only, kd, sp, pkt]', '[eeg-only, kd]'));
  const db = join(dir, 'dry.sqlite');
  const lines: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  console.error = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    assert.equal(await main(['node', 'cmcrd', 'sweep', file, '--db', db, '--dry-run', '--workers', '2', '--backend', 'wasm']), 0);
    assert.match(lines.join('\n'), /sweep 'dry-test' .*: 2 cells, 6 folds/);
    assert.match(lines.join('\n'), /already stored in .*dry\.sqlite: 0; to run: 6 \(teachers to train: 3\)/);
    assert.match(lines.join('\n'), /estimated training time: .* on one worker, .* on 2 worker\(s\)/);
    lines.length = 0;
    assert.equal(await main(['node', 'cmcrd', 'sweep', file, '--db', db, '--queue', 'redis://127.0.0.1:1']), 2);
    assert.match(lines.join('\n'), /cmcrd: .*redis:\/\/127\.0\.0\.1:1/);
  } finally {
    console.log = log;
    console.error = error;
  }
});
