import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { APPLICATION_ID, Store, StoreError } from '@cmcrd/store';
import type { NewFoldRow } from '@cmcrd/store';

const dir = mkdtempSync(join(tmpdir(), 'cmcrd-store-'));
const digest = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

function fold(hash: string, status: 'done' | 'failed', accuracy: number | null): NewFoldRow {
  return {
    configHash: hash,
    config: '{}',
    dataset: 'synthetic-seed-iv',
    synthetic: true,
    protocol: 'within-subject',
    foldKey: 'subject-01',
    method: 'cmcrd',
    backbone: 'dnn',
    direction: 'em->eeg',
    testModality: 'eeg',
    seed: 1,
    options: '{}',
    protocolOptions: '{}',
    status,
    accuracy,
    epochs: 2,
    backend: 'cpu',
    host: 'test',
    error: status === 'failed' ? 'boom' : null,
    startedAt: new Date().toISOString(),
    finishedAt: new Date().toISOString(),
  };
}

const epochRows = [
  { epoch: 1, lr: 0.001, losses: '{"total":1}', trainAccuracy: 0.5, valAccuracy: null, testAccuracy: 0.4 },
  { epoch: 2, lr: 0.0005, losses: '{"total":0.5}', trainAccuracy: 0.7, valAccuracy: null, testAccuracy: 0.6 },
];

test('a new store is marked as ours and migrated', () => {
  const path = join(dir, 'new', 'store.sqlite');
  const store = Store.open(path);
  store.close();
  const db = new Database(path, { readonly: true });
  assert.equal(db.pragma('application_id', { simple: true }), APPLICATION_ID);
  const tables = db.prepare("select name from sqlite_master where type='table'").all() as { name: string }[];
  assert.ok(tables.some((t) => t.name === 'folds'));
  assert.ok(tables.some((t) => t.name === 'epochs'));
  db.close();
  // Re-opening our own store works.
  Store.open(path).close();
});

test('a fold and its epochs are written together; a finished fold is never duplicated', () => {
  const store = Store.open(join(dir, 'dup.sqlite'));
  const first = store.recordFold(fold('h1', 'done', 0.6), epochRows);
  assert.equal(first.inserted, true);
  const again = store.recordFold(fold('h1', 'done', 0.9), epochRows);
  assert.equal(again.inserted, false);
  assert.equal(again.id, first.id);
  const rows = store.listFolds();
  assert.equal(rows.length, 1);
  assert.equal(rows[0].accuracy, 0.6);
  assert.equal(store.epochsOf(first.id).length, 2);
  store.close();
});

test('a failed attempt is replaced by the next one, epochs included', () => {
  const store = Store.open(join(dir, 'retry.sqlite'));
  const failed = store.recordFold(fold('h2', 'failed', null), []);
  const done = store.recordFold(fold('h2', 'done', 0.7), epochRows);
  assert.equal(done.inserted, true);
  assert.notEqual(done.id, failed.id);
  const rows = store.listFolds({ status: 'done' });
  assert.equal(rows.length, 1);
  assert.equal(store.listFolds({ status: 'failed' }).length, 0);
  assert.equal(store.epochsOf(done.id).length, 2);
  store.close();
});

test('a transaction that fails midway leaves nothing behind', () => {
  const store = Store.open(join(dir, 'atomic.sqlite'));
  const bad = [...epochRows, { ...epochRows[0] }]; // duplicate (fold, epoch) primary key
  assert.throws(() => store.recordFold(fold('h3', 'done', 0.5), bad));
  assert.equal(store.listFolds().length, 0);
  store.close();
});

test('a file that is not SQLite is refused and left untouched', () => {
  const path = join(dir, 'notes.txt');
  writeFileSync(path, 'these are my notes, not a database\n'.repeat(200));
  const before = digest(path);
  assert.throws(() => Store.open(path), (e: Error) => e instanceof StoreError && e.message.includes(path) && /not a CMCRD store/.test(e.message));
  assert.equal(digest(path), before);
  assert.equal(existsSync(`${path}-wal`), false);
});

test("another application's SQLite database is refused and left untouched", () => {
  const path = join(dir, 'other.sqlite');
  const db = new Database(path);
  db.exec('create table invoices (id integer primary key, total real); insert into invoices (total) values (12.5)');
  db.close();
  const before = digest(path);
  assert.throws(() => Store.open(path), (e: Error) => e instanceof StoreError && /application_id 0/.test(e.message));
  assert.equal(digest(path), before);
  const check = new Database(path, { readonly: true });
  assert.deepEqual(check.prepare('select total from invoices').all(), [{ total: 12.5 }]);
  check.close();
});
