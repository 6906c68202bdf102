// A store written before this version opens and is migrated forward; the variant text decodes to
// what was encoded and encodes exactly as the runner wrote it before (stored identities depend on it).
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { APPLICATION_ID, Store, decodeVariant, encodeVariant, variantOf } from '../src/index.js';
import { fixtureRow } from '../src/testing.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-store-pkg-'));
after(() => rmSync(work, { recursive: true, force: true }));
const MIGRATIONS = new URL('../migrations/', import.meta.url);

/** A store as the version before migration 0005 left it: migrations 0000–0004 only, and one fold. */
function storeBeforeMethodDefaults(file: string): void {
  const folder = join(work, 'migrations-0004');
  mkdirSync(join(folder, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', MIGRATIONS), 'utf8'));
  journal.entries = journal.entries.filter((e: { idx: number }) => e.idx <= 4);
  writeFileSync(join(folder, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries as { tag: string }[]) cpSync(new URL(`${e.tag}.sql`, MIGRATIONS), join(folder, `${e.tag}.sql`));
  const sqlite = new Database(file);
  sqlite.pragma(`application_id = ${APPLICATION_ID}`);
  migrate(drizzle(sqlite), { migrationsFolder: folder });
  const columns = (sqlite.prepare('PRAGMA table_info(folds)').all() as { name: string }[]).map((c) => c.name);
  assert.ok(!columns.includes('method_defaults'), 'the old schema has no method_defaults');
  const row = fixtureRow({
    dataset: 'synthetic-seed-iv',
    protocol: 'within-subject',
    foldKey: 'subject-01',
    method: 'kd',
    backbone: 'dnn',
    direction: 'em->eeg',
    accuracy: 0.61,
  });
  const names = Object.keys(row);
  const snake = (k: string) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  sqlite
    .prepare(`INSERT INTO folds (${names.map(snake).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
    .run(...Object.values(row).map((v) => (typeof v === 'boolean' ? Number(v) : v)));
  sqlite.close();
}

test('a store written before method_defaults opens, is migrated, and reads as before', () => {
  const file = join(work, 'old.sqlite');
  storeBeforeMethodDefaults(file);
  const store = Store.openExisting(file);
  try {
    const facts = store.foldFacts();
    assert.equal(facts.length, 1);
    assert.equal(facts[0].method, 'kd');
    assert.equal(facts[0].accuracy, 0.61);
    assert.equal(facts[0].synthetic, true);
  } finally {
    store.close();
  }
  const sqlite = new Database(file, { readonly: true });
  const row = sqlite.prepare('SELECT method_defaults FROM folds').get() as { method_defaults: string | null };
  sqlite.close();
  assert.equal(row.method_defaults, null, 'migrated: the column exists; folds stored before keep no recorded defaults');
});

test('a variant decodes to what was encoded, and encodes as the runner wrote it before', () => {
  const identity = { options: { weight: 10, temperature: 4 }, student: { epochs: 40, lr: 0.001 }, teacher: { epochs: 50 }, module: null };
  const text = variantOf(identity);
  // The text of migration 0002 and of every fold written since: canonical JSON joined by U+001F.
  assert.equal(text, '{"temperature":4,"weight":10}\u001f{"epochs":40,"lr":0.001}\u001f50\u001f');
  assert.deepEqual(decodeVariant(text), { options: { temperature: 4, weight: 10 }, student: { epochs: 40, lr: 0.001 }, teacherEpochs: 50, module: null });
  const reference = encodeVariant({ options: {}, student: { epochs: 4 }, teacherEpochs: null, module: '/x/plugin.ts' });
  assert.equal(reference, '{}\u001f{"epochs":4}\u001f\u001f/x/plugin.ts');
  assert.deepEqual(decodeVariant(reference).module, '/x/plugin.ts');
});
