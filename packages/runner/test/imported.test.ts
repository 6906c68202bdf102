import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { clearDatasetCache, datasetSpec } from '@cmcrd/data';
import { ConfigError, type RunInput, executeJobs, expandJobs, loadBuiltins, main, resolveRun } from '../src/index.js';
import { Store } from '@cmcrd/store';

// The official-layout fixtures of @cmcrd/data (2 subjects, 2–4 windows per trial).
const FIXTURES = new URL('../../data/test/fixtures/official/', import.meta.url).pathname;
loadBuiltins();
let work: string;

before(() => {
  work = mkdtempSync(join(tmpdir(), 'cmcrd-imported-'));
  process.env.CMCRD_DATA_DIR = join(work, 'datasets');
});

const quietly = async (argv: string[]) => {
  const log = console.log;
  const error = console.error;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  console.error = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await main(['node', 'cmcrd', ...argv]), out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
};

const cell = (method: string): RunInput => ({
  dataset: 'seed-iv',
  method,
  epochs: 1,
  warmupEpochs: 0,
  teacherEpochs: 1,
  batchSize: 16,
  folds: ['subject-01'],
  options: method === 'cmcrd' ? { negatives: 32 } : {},
});

test('cmcrd data import / list / inspect, and a release that is not imported is a config error', async () => {
  assert.throws(() => resolveRun(cell('eeg-only')), (e: unknown) => e instanceof ConfigError && /has not been imported.*cmcrd data import seed-iv/.test((e as Error).message));
  const imported = await quietly(['data', 'import', 'seed-iv', join(FIXTURES, 'seed-iv')]);
  assert.equal(imported.code, 0, imported.out);
  assert.match(imported.out, /imported seed-iv: 432 windows of 2 subjects \(2 with eye movements\)/);
  const list = await quietly(['data', 'list']);
  assert.match(list.out, /seed-iv\s+imported: 2 subjects, 432 windows/);
  assert.match(list.out, /seed-v\s+not imported/);
  const inspect = await quietly(['data', 'inspect', 'seed-iv']);
  assert.match(inspect.out, /subjects:\s+2 \(1, 2\)/);
  assert.match(inspect.out, /classes:\s+0 neutral \d+/);
  assert.match(inspect.out, /NaN\/Inf 0/);
  const bad = await quietly(['data', 'import', 'seed-iv', join(work, 'missing')]);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /missing: folder not found/);
});

test('runs on an imported release work like the built-ins; a re-import of different data does not reuse stored folds', async () => {
  await quietly(['data', 'import', 'seed-iv', join(FIXTURES, 'seed-iv')]);
  const path = join(work, 'runs.sqlite');
  const run = async () => {
    const store = Store.open(path);
    try {
      const { jobs } = expandJobs([cell('eeg-only'), cell('cmcrd')]);
      return { summary: await executeJobs(jobs, store, { workers: 1, backend: 'wasm' }), folds: store.listFolds() };
    } finally {
      store.close();
    }
  };
  const first = await run();
  assert.deepEqual(first.summary, { finished: 2, failed: 0, skipped: 0 });
  for (const f of first.folds) {
    assert.equal(f.status, 'done', f.error ?? '');
    assert.equal(f.dataset, 'seed-iv');
    assert.equal(f.synthetic, false);
  }
  // The same files again: the same digest, so the stored folds are reused.
  await quietly(['data', 'import', 'seed-iv', join(FIXTURES, 'seed-iv')]);
  clearDatasetCache();
  assert.deepEqual((await run()).summary, { finished: 0, failed: 0, skipped: 2 });
  // Different files (subject 2 removed): another digest, so the folds run again.
  const smaller = join(work, 'seed-iv-one-subject');
  cpSync(join(FIXTURES, 'seed-iv'), smaller, { recursive: true });
  for (const s of ['1/2_20150915.mat', '2/2_20150920.mat', '3/2_20151012.mat']) {
    rmSync(join(smaller, 'eeg_feature_smooth', s));
    rmSync(join(smaller, 'eye_feature_smooth', s));
  }
  const before = datasetSpec('seed-iv').dataVersion;
  await quietly(['data', 'import', 'seed-iv', smaller]);
  clearDatasetCache();
  assert.notEqual(datasetSpec('seed-iv').dataVersion, before);
  assert.deepEqual((await run()).summary, { finished: 2, failed: 0, skipped: 0 });
});
