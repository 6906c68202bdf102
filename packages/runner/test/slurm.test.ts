// `cmcrd sweep --slurm` against a real Slurm: a one-node cluster on this machine (.ci/slurm; .ci/run
// starts it, ensureSlurm starts it when a developer has not). Real job arrays, real scancel.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { CLI } from './fault-helpers.js';
import { ensureSlurm, jobStates, waitForJobs } from './slurm-helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'cmcrd-slurm-'));
// The tasks run `cmcrd` as this test does, from the shard's folder: tsx by its absolute path.
const execArgv = process.execArgv.map((a) => (a === 'tsx' ? fileURLToPath(import.meta.resolve('tsx')) : a));
const SUBJECTS = ['subject-01', 'subject-02', 'subject-03', 'subject-04'];

/** 4 subjects × 4 methods = 16 folds in 4 fold groups (one teacher each: kd, cmcrd and fitnet share it). */
function writeSweep(name: string, epochs: number): string {
  const file = join(dir, `${name}.yaml`);
  const text = [
    `name: ${name}`,
    'defaults:',
    `  epochs: ${epochs}`,
    '  warmupEpochs: 1',
    '  teacherEpochs: 2',
    'grids:',
    '  - dataset: synthetic-seed-iv',
    '    method: [eeg-only, kd, cmcrd, fitnet]',
    `    folds: [${SUBJECTS.join(', ')}]`,
    '',
  ].join('\n');
  spawnSync('bash', ['-c', `cat > '${file}'`], { input: text });
  return file;
}

function cmcrd(args: string[]): { code: number | null; out: string } {
  const r = spawnSync(process.execPath, [...execArgv, CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 180_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Submits with --slurm; returns the array's and the merge job's ids and the tasks it submitted. */
function submit(file: string, db: string, extra: string[] = []): { array: string; merge: string; out: string } {
  const r = cmcrd(['sweep', file, '--slurm', '--shards', '4', '--cpus-per-task', '1', '--time', '15', '--db', db, ...extra]);
  assert.equal(r.code, 0, r.out);
  const m = /submitted job array (\d+).*merge job (\d+)/s.exec(r.out);
  assert.ok(m, r.out);
  return { array: m[1], merge: m[2], out: r.out };
}

const rows = (db: string, sql: string) => {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare(sql).raw(true).all() as unknown[][];
  } finally {
    d.close();
  }
};
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

before(() => ensureSlurm());
after(() => rmSync(dir, { recursive: true, force: true }));

test('a 16-fold sweep as a 4-task array: every fold stored once after the merge, each teacher trained once', async () => {
  const file = writeSweep('array', 2);
  const db = join(dir, 'array', 'merged.sqlite');
  const { array, merge, out } = submit(file, db);
  assert.match(out, /4 task\(s\) of 4 shard\(s\) \(all\)/);
  await waitForJobs([array, merge], 240_000);
  const states = jobStates(array);
  assert.deepEqual([...states.values()], ['COMPLETED', 'COMPLETED', 'COMPLETED', 'COMPLETED'], JSON.stringify([...states]));
  assert.equal(jobStates(merge).get(''), 'COMPLETED');

  assert.deepEqual(rows(db, "SELECT count(*), count(DISTINCT config_hash) FROM folds WHERE status = 'done'"), [[16, 16]]);
  assert.deepEqual(rows(db, "SELECT count(*) FROM folds WHERE status != 'done'"), [[0]]);
  // Each shard trained its own fold's teacher: four teachers, each in exactly one shard.
  const shards = join(dir, 'array', 'shards', 'array');
  const teacherShards = new Map<string, number>();
  for (let i = 1; i <= 4; i++) {
    const keys = rows(join(shards, `${i}.sqlite`), 'SELECT key FROM teachers').map((r) => r[0] as string);
    assert.equal(keys.length, 1, `shard ${i}: ${keys.length} teachers`);
    for (const k of keys) teacherShards.set(k, (teacherShards.get(k) ?? 0) + 1);
    assert.deepEqual(rows(join(shards, `${i}.sqlite`), "SELECT count(*) FROM folds WHERE status = 'done'"), [[4]]);
  }
  assert.deepEqual([...teacherShards.values()], [1, 1, 1, 1]);
  assert.deepEqual(rows(db, 'SELECT count(*) FROM teachers'), [[4]]);
  // The merged store has one sweep row, for the whole sweep.
  assert.deepEqual(rows(db, 'SELECT name, folds FROM sweeps'), [['array', 16]]);

  // Merged twice: the comparison table byte for byte the same.
  const report = () => {
    const r = cmcrd(['report', 'comparison', '--format', 'json', '--db', db]);
    assert.equal(r.code, 0, r.out);
    return r.out;
  };
  const first = report();
  const again = cmcrd(['merge', ...[1, 2, 3, 4].map((i) => join(shards, `${i}.sqlite`)), '--into', db]);
  assert.equal(again.code, 0, again.out);
  assert.equal(report(), first);

  // --status reads the merged store, the shards and squeue.
  const status = cmcrd(['sweep', file, '--status', '--db', db]);
  assert.equal(status.code, 0, status.out);
  assert.match(status.out, /16 folds — done 16, running 0, pending 0, failed 0/);

  // Two shards that disagree about a fold, and a SQLite file that is not a store: exit 2, the target untouched.
  const bad = join(dir, 'array', 'disagreeing.sqlite');
  copyFileSync(join(shards, '2.sqlite'), bad);
  const d = new Database(bad);
  d.prepare("UPDATE folds SET accuracy = accuracy / 2 WHERE method = 'kd'").run();
  d.close();
  const before = sha256(db);
  const conflict = cmcrd(['merge', join(shards, '2.sqlite'), bad, '--into', db]);
  assert.equal(conflict.code, 2, conflict.out);
  assert.match(conflict.out, /kd/);
  assert.equal(sha256(db), before);
  const foreign = join(dir, 'array', 'foreign.sqlite');
  const f = new Database(foreign);
  f.exec('CREATE TABLE notes (text TEXT); INSERT INTO notes VALUES (1)');
  f.close();
  const refused = cmcrd(['merge', foreign, '--into', db]);
  assert.equal(refused.code, 2, refused.out);
  assert.match(refused.out, /foreign\.sqlite/);
  assert.equal(sha256(db), before);
});

test('scancel of a task mid-fold, then the same --slurm command: exactly the missing folds run', async () => {
  // Longer folds, so that task 2 is caught in the middle of one.
  const file = writeSweep('cancel', 12);
  const db = join(dir, 'cancel', 'merged.sqlite');
  const shards = join(dir, 'cancel', 'shards', 'cancel');
  const first = submit(file, db);
  const shard2 = join(shards, '2.sqlite');
  // Wait until task 2 has stored a fold and is training the next one.
  const deadline = Date.now() + 180_000;
  for (;;) {
    assert.ok(Date.now() < deadline, 'task 2 never stored a fold');
    if (existsSync(shard2)) {
      try {
        const [[done]] = rows(shard2, "SELECT count(*) FROM folds WHERE status = 'done'") as [[number]];
        if (done >= 1 && done < 4) break;
      } catch {
        // Created but not migrated yet.
      }
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  spawnSync('scancel', [`${first.array}_2`]);
  await waitForJobs([first.array, first.merge], 240_000);
  assert.equal(jobStates(first.array).get('2'), 'CANCELLED');
  const log2 = readFileSync(join(shards, 'logs', '2.out'), 'utf8');
  assert.match(log2, /SIGTERM: stopping/);
  assert.match(log2, /stopped by SIGTERM: \d+ fold\(s\) stored in this run, 1 abandoned/);

  const stored = rows(db, "SELECT count(*) FROM folds WHERE status = 'done'")[0][0] as number;
  assert.ok(stored >= 13 && stored < 16, `${stored} folds stored`);
  assert.deepEqual(rows(db, "SELECT count(*) FROM folds WHERE status != 'done'"), [[0]]);
  const missing = 16 - stored;

  // The same command again: only task 2, only its missing folds.
  const second = submit(file, db);
  assert.match(second.out, new RegExp(`${missing} to run`));
  assert.match(second.out, /1 task\(s\) of 4 shard\(s\) \(tasks 2\)/);
  await waitForJobs([second.array, second.merge], 240_000);
  assert.deepEqual([...jobStates(second.array).entries()], [['2', 'COMPLETED']]);
  const rerun = readFileSync(join(shards, 'logs', '2.out'), 'utf8').slice(log2.length);
  assert.match(rerun, new RegExp(`shard 2/4: 4 of the sweep's 16 folds, ${4 - missing} already in `));
  assert.match(rerun, new RegExp(`\\n${missing} fold\\(s\\) run, 0 already stored, 0 failed`));
  assert.deepEqual(rows(db, "SELECT count(*), count(DISTINCT config_hash) FROM folds WHERE status = 'done'"), [[16, 16]]);
  assert.deepEqual(rows(db, 'SELECT count(*) FROM teachers'), [[4]]);
});
