// One read side over two drivers: a store written with better-sqlite3, then its file's bytes opened
// with sql.js (SQLite compiled to WebAssembly, as a published site does in a page), answers every
// read the same through both. A file that is not a CMCRD store is refused.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import initSqlJs, { type SqlJsStatic } from 'sql.js';
import {
  APPLICATION_ID,
  ReadStore,
  Store,
  StoreError,
  cellModelFold,
  cellSummaries,
  parseCell,
  runList,
  schema,
  storedModel,
} from '../src/index.js';
import { openSqlJsStore } from '../src/sql-js.js';
import { writeGoldenStore } from '../src/testing.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-sql-js-'));
after(() => rmSync(work, { recursive: true, force: true }));

let SQL: SqlJsStatic;
let node: Store;
let page: ReadStore;

before(async () => {
  SQL = await initSqlJs();
  const file = join(work, 'golden.sqlite');
  writeGoldenStore(file).close();
  const bytes = new Uint8Array(readFileSync(file));
  node = Store.openExisting(file);
  page = openSqlJsStore(SQL, bytes, node.path);
});
after(() => {
  node?.close();
  page?.close();
});

/** What a method returns, or the error it throws (its class and message), so that refusals compare too. */
function outcome(read: () => unknown): unknown {
  try {
    return { value: read() };
  } catch (e) {
    return { error: (e as Error).name, message: (e as Error).message };
  }
}

/** Representative calls of every read, by the ReadStore method they exercise (or the function over a ReadStore). */
const READS: [string, (s: ReadStore) => unknown][] = [
  ['findByHash', (s) => s.findByHash(s.getFold(17)!.configHash)],
  ['findByHash', (s) => s.findByHash('0'.repeat(64))],
  ['listFolds', (s) => s.listFolds()],
  ['listFolds', (s) => s.listFolds({ dataset: 'seed-iv', method: 'kd', direction: 'em->eeg' })],
  ['listFolds', (s) => s.listFolds({ status: 'failed' })],
  ['listFolds', (s) => s.listFolds({ protocol: 'within-subject', backbone: 'dnn', seed: 2 })],
  ['foldFacts', (s) => s.foldFacts()],
  ['foldFacts', (s) => s.foldFacts({ dataset: 'synthetic-seed-iv', protocol: 'cross-subject' })],
  ['foldFacts', (s) => s.foldFacts({ backbone: 'dgcnn', method: 'cmcrd', seed: 1, status: 'done' })],
  ['facets', (s) => s.facets()],
  ['pageFolds', (s) => s.pageFolds({}, { limit: 25, offset: 0 })],
  ['pageFolds', (s) => s.pageFolds({ dataset: 'seed-iv', direction: 'em->eeg' }, { limit: 10, offset: 30 })],
  ['pageFolds', (s) => s.pageFolds({ foldKey: 'loso-02', status: 'done', sweepId: 2 }, { limit: 100, offset: 0 })],
  ['pageFolds', (s) => s.pageFolds({ ids: [1, 5, 9, 400] }, { limit: 2, offset: 1 })],
  ['pageFolds', (s) => s.pageFolds({ ids: [] }, { limit: 10, offset: 0 })],
  ['getFold', (s) => [s.getFold(1), s.getFold(s.lastFoldId()), s.getFold(1_000_000)]],
  ['getSweep', (s) => [s.getSweep(1), s.getSweep(2), s.getSweep(99)]],
  ['sweepCounts', (s) => s.sweepCounts()],
  ['foldsSince', (s) => s.foldsSince(0, 50)],
  ['foldsSince', (s) => s.foldsSince(100, 20, 2)],
  ['lastFoldId', (s) => s.lastFoldId()],
  ['statusCounts', (s) => s.statusCounts()],
  ['listRuns', (s) => s.listRuns()],
  ['listRuns', (s) => s.listRuns({ method: 'cmcrd', seed: 2 })],
  ['runFoldIds', (s) => s.listRuns().filter((_, i) => i % 9 === 0).map((r) => s.runFoldIds(r))],
  ['changeStamp', (s) => s.changeStamp()],
  ['countFolds', (s) => s.countFolds()],
  ['hasTeacher', (s) => [s.hasTeacher('teacher'), s.hasTeacher('nobody')]],
  ['getTeacher', (s) => [s.getTeacher('teacher'), s.getTeacher('nobody')]],
  ['countTeachers', (s) => s.countTeachers()],
  ['listSweeps', (s) => s.listSweeps()],
  ['stepTimesOf', (s) => [s.stepTimesOf('fixture-host', 'wasm'), s.stepTimesOf('fixture-host', 'webgpu')]],
  ['epochsOf', (s) => [1, 2, 6, 11].map((id) => s.epochsOf(id))],
  ['artifactOf', (s) => [1, 2, 8, 123, 124].flatMap((id) => [s.artifactOf(id, 'tsne'), s.artifactOf(id, 'model')])],
  ['runList', (s) => runList(s)],
  ['cellSummaries', (s) => cellSummaries(s)],
  ['storedModel', (s) => [1, 2, 8, 123].map((id) => outcome(() => storedModel(s, id)))],
  ['cellModelFold', (s) => outcome(() => cellModelFold(s, parseCell('dataset=seed-iv,method=eeg-only,backbone=dnn')))],
  ['cellModelFold', (s) => outcome(() => cellModelFold(s, parseCell('dataset=seed-iv,method=eeg-only,backbone=dnn,protocol=within-subject'), 'subject-01'))],
  ['db', (s) => s.db.select().from(schema.artifacts).orderBy(schema.artifacts.foldId, schema.artifacts.kind).all()],
];

test('the fixture has something for every read to return', () => {
  assert.ok(node.countFolds() > 400);
  assert.equal(node.statusCounts().failed, 1);
  assert.equal(node.listSweeps().length, 2);
  assert.ok(node.listFolds().some((f) => f.sweepId === null), 'runs outside any sweep');
  assert.ok(node.epochsOf(1).length > 0 && node.artifactOf(1, 'tsne') && node.artifactOf(1, 'model'));
  assert.ok(node.listRuns({ method: 'cmcrd', seed: 2 }).length > 0);
  assert.ok(node.foldsSince(100, 20, 2).length > 0);
  assert.equal(node.pageFolds({ foldKey: 'loso-02', status: 'done', sweepId: 2 }, { limit: 100, offset: 0 }).total > 0, true);
});

test('every ReadStore method is read through both drivers below', () => {
  const methods = Object.getOwnPropertyNames(ReadStore.prototype).filter((m) => !['constructor', 'close', 'foldConditions'].includes(m));
  const covered = new Set(READS.map(([name]) => name));
  assert.deepEqual(methods.filter((m) => !covered.has(m)), []);
});

for (const [name, read] of READS) {
  test(`${name}: better-sqlite3 and sql.js return the same`, () => {
    const expected = read(node);
    assert.deepEqual(read(page), expected);
  });
}

test('a page store is read-only', () => {
  assert.throws(() => page.db.delete(schema.folds).run(), /readonly/);
  assert.equal(page.countFolds(), node.countFolds());
});

test('a SQLite file that is not a CMCRD store, or not SQLite at all, is refused', () => {
  const file = join(work, 'foreign.sqlite');
  const db = new Database(file);
  db.exec('CREATE TABLE folds (id INTEGER PRIMARY KEY)');
  db.close();
  assert.throws(
    () => openSqlJsStore(SQL, new Uint8Array(readFileSync(file)), 'foreign.sqlite'),
    (e: unknown) =>
      e instanceof StoreError &&
      e.message === `foreign.sqlite is not a CMCRD store (SQLite application_id 0, expected ${APPLICATION_ID})` &&
      e.location.file === 'foreign.sqlite',
  );
  const text = new TextEncoder().encode('not a database, only text. '.repeat(40));
  assert.throws(() => openSqlJsStore(SQL, text, 'notes.txt'), (e: unknown) => e instanceof StoreError && /^notes\.txt is not a CMCRD store \(not a SQLite database: /.test(e.message));
  assert.throws(() => openSqlJsStore(SQL, new Uint8Array(0), 'empty.sqlite'), /empty\.sqlite is not a CMCRD store \(SQLite application_id 0/);
});
