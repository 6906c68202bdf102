import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasDistiller } from '@cmcrd/core';
import { ConfigError, type RunInput, executeJobs, expandJobs, loadBuiltins, main, preparePlugins } from '../src/index.js';
import { Store } from '@cmcrd/store';

loadBuiltins();
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-plugins-'));

const cell = (method: string, plugins: string[] = []): RunInput => ({
  dataset: 'synthetic-seed-iv',
  method,
  seed: 3,
  epochs: 1,
  warmupEpochs: 0,
  teacherEpochs: 1,
  folds: ['subject-01'],
  plugins,
});

async function run(path: string, inputs: RunInput[]) {
  const prepared = await preparePlugins(inputs, here);
  const { jobs } = expandJobs(prepared);
  const store = Store.open(path);
  try {
    const summary = await executeJobs(jobs, store, { workers: 1, backend: 'wasm' });
    return { summary, folds: store.listFolds() };
  } finally {
    store.close();
  }
}

test('the walked example plugin (examples/plugins/cosine-hint.ts) loads, is checked and runs like a built-in', async () => {
  const module = join(repo, 'examples/plugins/cosine-hint.ts');
  const { summary, folds } = await run(join(dir, 'example.sqlite'), [cell('cosine-hint', [module])]);
  assert.ok(hasDistiller('cosine-hint'));
  assert.deepEqual(summary, { finished: 1, failed: 0, skipped: 0 });
  assert.equal(folds[0].status, 'done', folds[0].error ?? '');
  assert.equal(folds[0].method, 'cosine-hint');
  assert.equal(JSON.parse(folds[0].config).module, module);
  assert.deepEqual(JSON.parse(folds[0].options), { eps: 1e-8, weight: 1 });
});

test('a module that does not exist fails before any training, naming it', async () => {
  await assert.rejects(preparePlugins([cell('x', ['./no/such/plugin.ts'])], here), (e: Error) => e instanceof ConfigError && e.message.includes('./no/such/plugin.ts'));
  await assert.rejects(preparePlugins([cell('x', ['cmcrd-plugin-that-is-not-installed'])], here), (e: Error) => e instanceof ConfigError && /cmcrd-plugin-that-is-not-installed.*no such package/.test(e.message));
  const db = join(dir, 'never.sqlite');
  const code = await main(['node', 'cmcrd', 'run', '--dataset', 'synthetic-seed-iv', '--method', 'x', '--plugin', join(dir, 'missing.ts'), '--db', db]);
  assert.equal(code, 2);
  assert.equal(existsSync(db), false);
});

test('a module that misses a field of the contract is refused when loaded, naming the field', async () => {
  await assert.rejects(preparePlugins([cell('no-create', ['./fixtures/no-create.ts'])], here), (e: Error) => e instanceof ConfigError && /no-create\.ts.*'create'/.test(e.message));
});

test('broken plugins fail their own folds, with the plugin name and the message, and the run goes on', async () => {
  const broken = {
    'broken-throws': /distiller 'broken-throws': this plugin always throws/,
    'broken-nan': /broken-nan.*loss 'distill' became NaN/,
    'broken-shape': /distiller 'broken-shape'.*shape \[32\], expected a scalar/,
    'broken-missing-loss': /distiller 'broken-missing-loss'.*create\(\) must return/,
  };
  const files = { 'broken-throws': 'throwing', 'broken-nan': 'nan', 'broken-shape': 'wrongShape', 'broken-missing-loss': 'missingLoss' };
  const inputs = [
    ...Object.entries(files).map(([name, file]) => cell(name, [`./fixtures/broken-${file}.ts`])),
    cell('eeg-only'),
    cell('kd'),
  ];
  const { summary, folds } = await run(join(dir, 'broken.sqlite'), inputs);
  assert.deepEqual(summary, { finished: 6, failed: 4, skipped: 0 });
  for (const [name, pattern] of Object.entries(broken)) {
    const f = folds.find((x) => x.method === name)!;
    assert.equal(f.status, 'failed');
    assert.match(f.error ?? '', pattern);
  }
  assert.equal(folds.find((x) => x.method === 'eeg-only')!.status, 'done');
  assert.equal(folds.find((x) => x.method === 'kd')!.status, 'done');
});
