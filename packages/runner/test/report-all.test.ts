import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Store } from '@cmcrd/store';
import { main } from '../src/index.js';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { compileAndRender, tool } from './latex-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-report-all-'));
after(() => rmSync(work, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const writeErr = process.stderr.write.bind(process.stderr);
  const error = console.error;
  process.stderr.write = ((chunk: string) => err.push(String(chunk)) > 0) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  try {
    return { code: await main(['node', 'cmcrd', ...argv]), err: err.join('') };
  } finally {
    process.stderr.write = writeErr;
    console.error = error;
  }
}

test('cmcrd report all --out DIR: every table in every format, one document that compiles, provenance and sweep files', async () => {
  tool('pdflatex');
  const db = join(work, 'golden.sqlite');
  const store = Store.open(db);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.openSweep({
    name: 'paper t3',
    file: 'sweeps/paper.yaml',
    spec: 'name: paper t3\n',
    options: { real: true },
    folds: 10,
  });
  store.close();
  const out = join(work, 'bundle');
  const r = await cli(['report', 'all', '--db', db, '--out', out]);
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(out).sort();
  for (const kind of ['comparison', 'significance', 'fusion', 'timing', 'ablation'])
    for (const ext of ['txt', 'md', 'tex', 'csv', 'json'])
      assert.ok(files.includes(`${kind}.${ext}`), `${kind}.${ext}`);
  assert.ok(files.includes('tables.tex') && files.includes('provenance.json'));
  assert.deepEqual(readdirSync(join(out, 'sweeps')), ['1-paper-t3.yaml']);
  // The bundle's tables are the CLI's tables.
  const one = readFileSync(join(out, 'significance.md'), 'utf8');
  assert.match(one, /^#### CMCRD against each baseline/);
  const provenance = JSON.parse(readFileSync(join(out, 'provenance.json'), 'utf8'));
  assert.equal(provenance.stores[0].path, db);
  assert.deepEqual(provenance.stores[0].folds, {
    done: goldenFolds().filter((f) => f.status !== 'failed').length,
    failed: 1,
  });
  assert.deepEqual(Object.keys(provenance.stores[0].revisions), ['fixture']);
  assert.deepEqual(Object.keys(provenance.stores[0].backends), ['wasm']);
  assert.deepEqual(
    provenance.sweeps.map((s: { name: string; file: string; copy: string }) => [s.name, s.file, s.copy]),
    [['paper t3', 'sweeps/paper.yaml', 'sweeps/1-paper-t3.yaml']],
  );
  assert.equal(provenance.tables.length, 5);
  const doc = readFileSync(join(out, 'tables.tex'), 'utf8');
  for (const kind of ['comparison', 'significance', 'fusion', 'timing', 'ablation'])
    assert.ok(doc.includes(`\\input{${kind}.tex}`));
  const { pages, png } = compileAndRender(out, 'tables', doc);
  assert.ok(pages >= 5, `one page per table kind at least, got ${pages}`);
  assert.ok(png > 1000);
});

test('cmcrd report all needs --out, and --out is for all only; both refused with exit 2, nothing written', async () => {
  const db = join(work, 'small.sqlite');
  const store = Store.open(db);
  insertFolds(store, goldenFolds().slice(0, 20).map(fixtureRow));
  store.close();
  const noOut = await cli(['report', 'all', '--db', db]);
  assert.equal(noOut.code, 2);
  assert.match(noOut.err, /report all needs --out DIR/);
  const stray = join(work, 'stray');
  const one = await cli(['report', 'comparison', '--db', db, '--out', stray]);
  assert.equal(one.code, 2);
  assert.match(one.err, /--out is for `cmcrd report all`/);
  assert.ok(!existsSync(stray));
});
