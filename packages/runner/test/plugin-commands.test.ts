import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { Store } from '@cmcrd/store';
import { loadBuiltins, main } from '../src/index.js';
import { fixtureRow, insertFolds } from '@cmcrd/store/testing';

// --plugin on the commands that name methods without training them: list, report, sweep --dry-run.
loadBuiltins();
const here = fileURLToPath(new URL('.', import.meta.url));
const at = resolve(here, 'fixtures/outside-at.ts');
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-plugin-commands-'));

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const ewrite = process.stderr.write.bind(process.stderr);
  const log = console.log;
  const error = console.error;
  // Text is the command's; the test runner's own messages to its parent are binary and pass through.
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? out.push(s) > 0 : write(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? err.push(s) > 0 : ewrite(s, ...rest))) as typeof process.stderr.write;
  console.log = (...a: unknown[]) => out.push(`${a.join(' ')}\n`);
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  try {
    const code = await main(['node', 'cmcrd', ...args]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = ewrite;
    console.log = log;
    console.error = error;
  }
}

/** `at` at its defaults and with weight 0.5, and KD, on four folds: Table 3's t-test has pairs. */
function storeWithVariants(file: string): void {
  const store = Store.open(file);
  const folds = ['subject-01', 'subject-02', 'subject-03', 'subject-04'];
  const base = { dataset: 'synthetic-seed-iv', protocol: 'within-subject', backbone: 'dnn', direction: 'em->eeg' };
  insertFolds(store, [
    ...folds.map((foldKey, i) => fixtureRow({ ...base, foldKey, method: 'at', options: { p: 2, weight: 1 }, accuracy: 0.7 + i / 100 })),
    ...folds.map((foldKey, i) => fixtureRow({ ...base, foldKey, method: 'at', options: { p: 2, weight: 0.5 }, accuracy: 0.6 + i / 50 })),
    ...folds.map((foldKey, i) => fixtureRow({ ...base, foldKey, method: 'kd', options: { temperature: 4, weight: 0.9 }, accuracy: 0.5 + (i % 2) / 100 })),
  ]);
  store.close();
}

const variantsDb = join(dir, 'variants.sqlite');
storeWithVariants(variantsDb);
const sweepFile = join(dir, 'at.yaml');
writeFileSync(sweepFile, ['name: at-try', 'grids:', '  - name: at', '    dataset: synthetic-seed-iv', '    method: [at, kd]', '    direction: em->eeg', '    epochs: 1', '    warmupEpochs: 0', '    teacherEpochs: 1', '    folds: [subject-01, subject-02]', ''].join('\n'));

// First, while this process has not loaded the plugin.
test('without --plugin: report significance --reference at lists its option variants; sweep says the method is unknown', async () => {
  const without = await cli(['report', 'significance', '--db', variantsDb, '--reference', 'at']);
  assert.equal(without.code, 1);
  assert.match(without.err, /'at' has only option variants here: 'at \(weight=0\.5\)', 'at \(weight=1\)'; pass one of them as --reference, or load the plugin with --plugin/);
  const sweep = await cli(['sweep', sweepFile, '--dry-run', '--db', join(dir, 'never.sqlite'), '--workers', '1']);
  assert.equal(sweep.code, 2);
  assert.match(sweep.err, /unknown (distiller|method) 'at'/);
});

test('report significance --reference at with --plugin picks the default variant; a variant can be named', async () => {
  const db = variantsDb;
  const named = await cli(['report', 'significance', '--db', db, '--reference', 'at (weight=1)']);
  assert.equal(named.code, 0, named.err);
  const withPlugin = await cli(['report', 'significance', '--db', db, '--reference', 'at', '--plugin', at]);
  assert.equal(withPlugin.code, 0, withPlugin.err);
  assert.match(withPlugin.out, /(^|\n)at against each baseline/);
  // The default variant is the reference; the other variant is hidden as any non-default row is.
  assert.match(withPlugin.out, /1 row\(s\) of non-default method options hidden/);
  assert.match(withPlugin.out, /\bkd\b/);
});

test('sweep --dry-run --plugin: a sweep file that uses a plugin it does not name is counted', async () => {
  const db = join(dir, 'sweep.sqlite');
  const r = await cli(['sweep', sweepFile, '--dry-run', '--db', db, '--workers', '1', '--backend', 'wasm', '--plugin', at]);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /sweep 'at-try' .*: 2 cells, 4 folds/);
});

test('sweep --plugin runs the folds in worker processes, which load the module too', async () => {
  const file = join(dir, 'at-only.yaml');
  writeFileSync(file, ['name: at-only', 'grids:', '  - dataset: synthetic-seed-iv', '    method: at', '    direction: em->eeg', '    epochs: 1', '    warmupEpochs: 0', '    teacherEpochs: 1', '    folds: [subject-01, subject-02]', ''].join('\n'));
  const db = join(dir, 'sweep-run.sqlite');
  const r = await cli(['sweep', file, '--db', db, '--workers', '2', '--backend', 'wasm', '--plugin', at]);
  assert.equal(r.code, 0, r.err + r.out);
  const store = Store.open(db);
  try {
    const folds = store.listFolds();
    assert.deepEqual(folds.map((f) => [f.method, f.status, JSON.parse(f.config).module]), [['at', 'done', at], ['at', 'done', at]]);
  } finally {
    store.close();
  }
});

test('list --plugin names the plugin among the methods; a missing module exits 2', async () => {
  const r = await cli(['list', '--plugin', at]);
  assert.equal(r.code, 0, r.err + r.out);
  assert.match(r.out, /methods: .*\bat\b/);
  const missing = await cli(['list', '--plugin', join(dir, 'nope.ts')]);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /plugin module '.*nope\.ts' does not exist/);
});
