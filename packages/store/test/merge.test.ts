// `mergeStores`: shard stores (a sweep's Slurm array tasks) merged into one store. Idempotent; a
// done fold wins over a failed one; every refusal leaves the target as it was (or uncreated).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import {
  APPLICATION_ID,
  type ArtifactInput,
  type EpochInput,
  type MergeCounts,
  MergeRefusedError,
  type ModelArtifact,
  Store,
  mergeStores,
  schema,
} from '../src/index.js';
import { type FixtureFold, fixtureRow } from '../src/testing.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-merge-'));
after(() => rmSync(work, { recursive: true, force: true }));
const MIGRATIONS = new URL('../migrations/', import.meta.url);

let n = 0;
/** A fresh folder for one test's stores. */
function dir(): string {
  const d = join(work, `t${++n}`);
  mkdirSync(d);
  return d;
}

/** A fold of the small fixture grid: subject `i`, KD EM→EEG on DNN unless overridden. */
const fold = (i: number, over: Partial<FixtureFold> = {}): FixtureFold => ({
  dataset: 'synthetic-seed-iv',
  protocol: 'within-subject',
  foldKey: `subject-${String(i).padStart(2, '0')}`,
  method: 'kd',
  backbone: 'dnn',
  direction: 'em->eeg',
  accuracy: 0.5 + i / 100,
  ...over,
});

const epochRows = (k: number, acc = 0.6): EpochInput[] =>
  Array.from({ length: k }, (_, e) => ({ epoch: e + 1, lr: 0.001, losses: JSON.stringify({ total: 1 / (e + 1) }), trainAccuracy: acc, valAccuracy: null, testAccuracy: acc }));

const tsne = (seed: number): ArtifactInput => ({
  kind: 'tsne',
  data: { points: [[seed, 1]], labels: [0], predicted: [1], indices: [3], perplexity: 30, iterations: 500, seed, features: 'fixture', ms: 1 },
});
const model = (seed: number): ArtifactInput => ({ kind: 'model', data: { format: 1, modelId: `m${seed}`, weights: 'AAAA' } as unknown as ModelArtifact });

interface ShardSpec {
  folds?: { f: FixtureFold; epochs?: number; artifacts?: ArtifactInput[] }[];
  /** A sweep (its spec text) the folds point at. */
  sweep?: string;
  teachers?: string[];
  stepTimes?: { kind: string; ms: number }[];
  claims?: string[];
}

/** Writes a store through the Store API, as a sweep's shard task would. */
function fill(file: string, s: ShardSpec): string {
  const store = Store.open(file);
  try {
    const sweepId = s.sweep ? store.openSweep({ name: s.sweep, file: `${s.sweep}.yaml`, spec: s.sweep, options: {}, folds: s.folds?.length ?? 0 }).id : null;
    for (const x of s.folds ?? []) store.recordFold({ ...fixtureRow(x.f), sweepId }, epochRows(x.epochs ?? 0, x.f.accuracy), x.artifacts ?? []);
    for (const key of s.teachers ?? []) {
      store.putTeacher({
        key,
        config: `{"key":"${key}"}`,
        dataset: 'synthetic-seed-iv',
        foldKey: 'subject-01',
        modality: 'em',
        backbone: 'dnn',
        seed: 1,
        weights: Buffer.from(`weights of ${key}`),
        accuracy: 0.7,
        trainMs: 100,
        backend: 'wasm',
        host: 'fixture',
      });
    }
    store.saveStepTimes((s.stepTimes ?? []).map((t) => ({ machine: 'node-1', backend: 'wasm', kind: t.kind, msPerStep: t.ms, lowMs: t.ms, highMs: t.ms, cpuMs: null, steps: 10 })));
    for (const h of s.claims ?? []) {
      store.db.insert(schema.claims).values({ configHash: h, owner: 'node-1:1:x', host: 'node-1', pid: 1, sweepId, claimedAt: 1, heartbeatAt: 1 }).run();
    }
  } finally {
    store.close();
  }
  return file;
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Everything a merge writes, keyed by identity (ids included: a no-op merge must not renumber). */
function dump(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    const all = (q: string) => db.prepare(q).all();
    return {
      folds: all('SELECT * FROM folds ORDER BY id'),
      epochs: all('SELECT f.config_hash, e.* FROM epochs e JOIN folds f ON f.id = e.fold_id ORDER BY e.fold_id, e.epoch'),
      artifacts: all('SELECT f.config_hash, a.* FROM artifacts a JOIN folds f ON f.id = a.fold_id ORDER BY a.fold_id, a.kind'),
      teachers: all('SELECT * FROM teachers ORDER BY key'),
      sweeps: all('SELECT * FROM sweeps ORDER BY id'),
      stepTimes: all('SELECT * FROM step_times ORDER BY kind'),
      claims: all('SELECT * FROM claims'),
    };
  } finally {
    db.close();
  }
}

const hashOf = (f: FixtureFold) => fixtureRow(f).configHash;

test('copies folds, epochs, artifacts, teachers, step times and their sweeps; fold and sweep ids are the target’s', () => {
  const d = dir();
  // The target already holds a sweep and a fold, so that copied rows cannot keep their shard ids.
  const into = fill(join(d, 'merged.sqlite'), { sweep: 'earlier', folds: [{ f: fold(9, { method: 'eeg-only', direction: 'none' }), epochs: 1 }] });
  const a = fill(join(d, 'a.sqlite'), {
    sweep: 'paper',
    folds: [
      { f: fold(1), epochs: 3, artifacts: [tsne(1), model(1)] },
      { f: fold(2), epochs: 2 },
      { f: fold(3, { status: 'failed' }) },
    ],
    teachers: ['t1', 't2'],
    stepTimes: [{ kind: '["student"]', ms: 5 }],
    claims: ['running-elsewhere'],
  });
  const b = fill(join(d, 'b.sqlite'), {
    sweep: 'ablation',
    folds: [{ f: fold(4), epochs: 1, artifacts: [tsne(4)] }],
    teachers: ['t2', 't3'],
    stepTimes: [{ kind: '["teacher"]', ms: 7 }],
  });
  const seen: string[] = [];
  const report = mergeStores(into, [a, b], { onShard: (r) => seen.push(r.shard) });
  assert.deepEqual(seen, [a, b]);
  assert.equal(report.created, false);
  assert.deepEqual(
    { ...report.total },
    { done: 3, failed: 1, replaced: 0, kept: 0, keptDiffering: 0, superseded: 0, teachers: 3, epochs: 6, artifacts: 3, stepTimes: 2, sweeps: 2 } satisfies MergeCounts,
  );
  assert.equal(report.shards[0].folds, 3);
  assert.equal(report.shards[0].teachers, 2);
  assert.equal(report.shards[1].teachers, 1, 't2 is kept from the first shard');

  const store = Store.open(into);
  try {
    const sweeps = new Map(store.listSweeps().map((s) => [s.id, s.name]));
    assert.deepEqual([...sweeps.values()], ['earlier', 'paper', 'ablation']);
    for (const [i, sweep] of [
      [1, 'paper'],
      [2, 'paper'],
      [3, 'paper'],
      [4, 'ablation'],
    ] as const) {
      const f = store.findByHash(hashOf(fold(i, i === 3 ? { status: 'failed' } : {})));
      assert.ok(f, `fold ${i} copied`);
      assert.equal(sweeps.get(f.sweepId ?? -1), sweep, `fold ${i} points at its sweep's row in the target`);
    }
    const f1 = store.findByHash(hashOf(fold(1)))!;
    assert.ok(f1.id > 1, 'new rows get new ids');
    assert.equal(f1.accuracy, 0.51);
    assert.deepEqual(
      store.epochsOf(f1.id).map((e) => e.epoch),
      [1, 2, 3],
    );
    assert.deepEqual(store.artifactOf(f1.id, 'tsne'), tsne(1).data);
    assert.deepEqual(store.artifactOf(f1.id, 'model'), model(1).data);
    assert.equal(store.epochsOf(store.findByHash(hashOf(fold(4)))!.id).length, 1);
    assert.equal(store.getTeacher('t3')?.weights.toString(), 'weights of t3');
    assert.equal(store.stepTimesOf('node-1', 'wasm').size, 2);
    assert.equal(store.countTeachers(), 3);
  } finally {
    store.close();
  }
  assert.deepEqual(dump(into).claims, [], 'claims are not copied');
});

test('idempotent: merging again adds nothing and changes nothing', () => {
  const d = dir();
  const a = fill(join(d, 'a.sqlite'), { sweep: 'paper', folds: [{ f: fold(1), epochs: 2, artifacts: [tsne(1)] }, { f: fold(2, { status: 'failed' }) }], teachers: ['t1'], stepTimes: [{ kind: 'k', ms: 1 }] });
  const b = fill(join(d, 'b.sqlite'), { sweep: 'paper', folds: [{ f: fold(3), epochs: 1 }, { f: fold(4), artifacts: [model(4)] }], teachers: ['t1', 't2'] });
  const into = join(d, 'out', 'merged.sqlite');
  const first = mergeStores(into, [a, b]);
  assert.equal(first.created, true);
  assert.equal(first.total.done + first.total.failed, 4);
  assert.equal(first.total.sweeps, 1, 'the two shards of one sweep share its row');
  const before = dump(into);
  const bytes = sha256(into);
  const second = mergeStores(into, [a, b]);
  assert.equal(second.created, false);
  assert.deepEqual(
    { ...second.total },
    { done: 0, failed: 0, replaced: 0, kept: 4, keptDiffering: 0, superseded: 0, teachers: 0, epochs: 0, artifacts: 0, stepTimes: 0, sweeps: 0 } satisfies MergeCounts,
  );
  assert.deepEqual(dump(into), before);
  assert.equal(sha256(into), bytes, 'not a byte of the target changed');
});

test("a shard's done fold replaces a failed row; a done fold in the target is kept, with what was stored with it", () => {
  const d = dir();
  const into = fill(join(d, 'merged.sqlite'), {
    folds: [
      { f: fold(1, { status: 'failed' }) },
      { f: fold(2, { accuracy: 0.4 }), epochs: 1 },
      { f: fold(3, { status: 'failed' }) },
    ],
  });
  const failedId = Store.open(into);
  const oldId = failedId.findByHash(hashOf(fold(1)))!.id;
  failedId.close();
  const shard = fill(join(d, 'a.sqlite'), {
    folds: [
      { f: fold(1, { accuracy: 0.77 }), epochs: 2, artifacts: [tsne(1)] },
      { f: fold(2, { accuracy: 0.9 }), epochs: 3 },
      { f: fold(3, { status: 'failed' }) },
      { f: fold(4, { status: 'failed' }) },
    ],
  });
  const r = mergeStores(into, [shard]);
  assert.deepEqual(
    { done: r.total.done, failed: r.total.failed, replaced: r.total.replaced, kept: r.total.kept, keptDiffering: r.total.keptDiffering },
    { done: 1, failed: 1, replaced: 1, kept: 2, keptDiffering: 1 },
  );
  const store = Store.open(into);
  try {
    const f1 = store.findByHash(hashOf(fold(1)))!;
    assert.equal(f1.status, 'done');
    assert.equal(f1.accuracy, 0.77);
    assert.notEqual(f1.id, oldId, 'as recordFold: the failed row goes, the done fold is a new row');
    assert.equal(store.epochsOf(f1.id).length, 2);
    assert.ok(store.artifactOf(f1.id, 'tsne'));
    const f2 = store.findByHash(hashOf(fold(2)))!;
    assert.equal(f2.accuracy, 0.4, "the target's done fold is kept");
    assert.equal(store.epochsOf(f2.id).length, 1, 'with its own epochs');
    assert.equal(store.findByHash(hashOf(fold(3)))?.status, 'failed');
    assert.equal(store.findByHash(hashOf(fold(4)))?.status, 'failed', 'a failed fold the target lacks is copied');
  } finally {
    store.close();
  }
});

test('done in one shard, failed in another: done wins, in either order', () => {
  for (const order of ['failed first', 'done first']) {
    const d = dir();
    const failed = fill(join(d, 'failed.sqlite'), { folds: [{ f: fold(1, { status: 'failed' }) }] });
    const done = fill(join(d, 'done.sqlite'), { folds: [{ f: fold(1, { accuracy: 0.66 }), epochs: 2 }] });
    const into = join(d, 'merged.sqlite');
    const r = mergeStores(into, order === 'failed first' ? [failed, done] : [done, failed]);
    assert.deepEqual({ done: r.total.done, failed: r.total.failed, replaced: r.total.replaced, superseded: r.total.superseded }, { done: 1, failed: 0, replaced: 0, superseded: order === 'failed first' ? 1 : 0 }, order);
    const store = Store.open(into);
    try {
      assert.equal(store.countFolds(), 1);
      assert.equal(store.findByHash(hashOf(fold(1)))?.status, 'done', order);
      assert.equal(store.epochsOf(store.findByHash(hashOf(fold(1)))!.id).length, 2);
    } finally {
      store.close();
    }
  }
});

test('step times: the newer measurement of a (machine, backend, kind) wins', () => {
  const d = dir();
  const into = fill(join(d, 'merged.sqlite'), { stepTimes: [{ kind: 'k', ms: 1 }] });
  const shard = fill(join(d, 'a.sqlite'), { stepTimes: [{ kind: 'k', ms: 2 }] });
  const older = fill(join(d, 'b.sqlite'), { stepTimes: [{ kind: 'k', ms: 3 }] });
  const db = new Database(older);
  db.prepare("UPDATE step_times SET measured_at = '2000-01-01T00:00:00.000Z'").run();
  db.close();
  assert.equal(mergeStores(into, [shard, older]).total.stepTimes, 1);
  const store = Store.open(into);
  assert.equal(store.stepTimesOf('node-1', 'wasm').get('k')?.msPerStep, 2);
  store.close();
});

test('a shard a running task still holds open (WAL) is read, and the task can go on writing', () => {
  const d = dir();
  const file = fill(join(d, 'a.sqlite'), { folds: [{ f: fold(1), epochs: 1 }] });
  const task = Store.open(file);
  try {
    task.recordFold(fixtureRow(fold(2)), epochRows(1));
    const into = join(d, 'merged.sqlite');
    assert.equal(mergeStores(into, [file]).total.done, 2, 'committed folds in the WAL are read');
    task.recordFold(fixtureRow(fold(3)), []);
    assert.equal(mergeStores(into, [file]).total.done, 1, 'the next merge takes the rest');
  } finally {
    task.close();
  }
});

/** A store as the version before migration 0005 left it: migrations 0000–0004 only. */
function olderStore(file: string): string {
  const folder = join(work, 'migrations-0004');
  if (!existsSync(folder)) {
    mkdirSync(join(folder, 'meta'), { recursive: true });
    const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', MIGRATIONS), 'utf8'));
    journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 4);
    writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
    for (const e of journal.entries as { tag: string }[]) cpSync(new URL(`${e.tag}.sql`, MIGRATIONS), join(folder, `${e.tag}.sql`));
  }
  const sqlite = new Database(file);
  sqlite.pragma(`application_id = ${APPLICATION_ID}`);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  sqlite.close();
  return file;
}

/** A store with one migration more than this code knows, as a newer cmcrd would leave it. */
function newerStore(file: string): string {
  fill(file, { folds: [{ f: fold(7) }] });
  const sqlite = new Database(file);
  const last = sqlite.prepare('SELECT max(created_at) FROM __drizzle_migrations').pluck().get() as number;
  sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('from-the-future', last + 86_400_000);
  sqlite.close();
  return file;
}

/**
 * Asserts a refusal that names every expected problem, with nothing written: an existing target's
 * bytes unchanged, a new one not created (nor its folder).
 */
function assertRefused(into: string, shards: string[], expected: RegExp[]): MergeRefusedError {
  const before = existsSync(into) ? sha256(into) : null;
  const shardBytes = shards.map((s) => (existsSync(s) && !s.endsWith('/') ? tryHash(s) : null));
  let caught: unknown;
  assert.throws(
    () => mergeStores(into, shards),
    (e) => {
      caught = e;
      return e instanceof MergeRefusedError;
    },
  );
  const err = caught as MergeRefusedError;
  for (const re of expected) assert.match(err.message, re);
  assert.match(err.message, /nothing was written/);
  if (before === null) {
    assert.ok(!existsSync(into), 'the target was not created');
    assert.ok(!existsSync(`${into}-wal`));
  } else assert.equal(sha256(into), before, "the target's bytes are unchanged");
  shards.forEach((s, i) => {
    if (shardBytes[i] !== null) assert.equal(tryHash(s), shardBytes[i], `${s} is left as it was`);
  });
  return err;
}

function tryHash(file: string): string | null {
  try {
    return sha256(file);
  } catch {
    return null;
  }
}

for (const existing of [true, false]) {
  const targetOf = (d: string) => (existing ? fill(join(d, 'merged.sqlite'), { folds: [{ f: fold(20) }] }) : join(d, 'new', 'merged.sqlite'));
  const label = existing ? 'an existing target' : 'a new target';

  test(`refused with ${label}: a foreign SQLite file, a file that is not SQLite, a missing file, a directory`, () => {
    const d = dir();
    const into = targetOf(d);
    const good = fill(join(d, 'good.sqlite'), { folds: [{ f: fold(1), epochs: 1 }] });
    const foreign = join(d, 'foreign.sqlite');
    new Database(foreign).exec('CREATE TABLE notes (x)');
    const text = join(d, 'notes.txt');
    writeFileSync(text, 'not a database\n'.repeat(200));
    mkdirSync(join(d, 'folder.sqlite'));
    const err = assertRefused(into, [good, foreign, text, join(d, 'missing.sqlite'), join(d, 'folder.sqlite')], [
      /foreign\.sqlite: not a CMCRD store \(SQLite application_id 0/,
      /notes\.txt: not a CMCRD store \(not a SQLite database/,
      /missing\.sqlite: no such file/,
      /folder\.sqlite: is a directory/,
    ]);
    assert.equal(err.problems.length, 4, 'every problem, each once; the good shard is not one');
  });

  test(`refused with ${label}: shards of an older and of a newer schema`, () => {
    const d = dir();
    const into = targetOf(d);
    const old = olderStore(join(d, 'old.sqlite'));
    const newer = newerStore(join(d, 'newer.sqlite'));
    assertRefused(into, [old, newer], [
      /old\.sqlite: written by an older cmcrd \(its schema ends at migration 0004_claims_step_times_code_revision, this cmcrd's at 0005_method_defaults\): upgrade it in place .*cmcrd report comparison --db .*old\.sqlite/,
      /newer\.sqlite: written by a newer cmcrd .*upgrade cmcrd/,
    ]);
  });

  test(`refused with ${label}: two shards holding one fold as done with different results (every such fold listed)`, () => {
    const d = dir();
    const into = targetOf(d);
    const a = fill(join(d, 'a.sqlite'), { folds: [{ f: fold(1, { accuracy: 0.61 }) }, { f: fold(2, { accuracy: 0.5 }) }, { f: fold(3) }, { f: fold(4, { accuracy: 0.3 }) }] });
    const b = fill(join(d, 'b.sqlite'), {
      folds: [
        { f: fold(1, { accuracy: 0.58 }) },
        { f: fold(2, { accuracy: 0.5, backend: 'webgpu', trainMs: 1 }) },
        { f: fold(3, { status: 'failed' }) },
        { f: fold(4, { accuracy: 0.35 }) },
      ],
    });
    const err = assertRefused(into, [a, b], [
      /a\.sqlite and .*b\.sqlite: 2 fold\(s\) stored as done in both with different results/,
      /synthetic-seed-iv subject-01 kd em->eeg dnn seed 1: accuracy 0\.61 in .*a\.sqlite, 0\.58 in .*b\.sqlite \(differ: accuracy, balanced_accuracy\)/,
      /subject-04 kd em->eeg dnn seed 1: accuracy 0\.3 in .*a\.sqlite, 0\.35 in/,
    ]);
    assert.doesNotMatch(err.message, /subject-02|subject-03/, 'timings and backends do not count; done against failed is no disagreement');
  });

  test(`refused with ${label}: the target given as a shard`, () => {
    const d = dir();
    const into = targetOf(d);
    const good = fill(join(d, 'good.sqlite'), { folds: [{ f: fold(1) }] });
    assertRefused(into, [good, join(d, existing ? 'merged.sqlite' : 'new/merged.sqlite')], [/merged\.sqlite: is the target \(--into\) itself/]);
  });
}

test('refused: a target that is not a store', () => {
  const d = dir();
  const into = join(d, 'notes.sqlite');
  writeFileSync(into, 'not a database\n'.repeat(200));
  const good = fill(join(d, 'good.sqlite'), { folds: [{ f: fold(1) }] });
  assertRefused(into, [good], [/notes\.sqlite \(--into\): not a CMCRD store/]);
});
