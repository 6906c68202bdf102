import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { listDistillers } from '@cmcrd/core';
import { type RunInput, REFERENCE_METHODS, executeJobs, expandJobs, loadBuiltins } from '../src/index.js';
import { Store } from '@cmcrd/store';

loadBuiltins();
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-backbones-'));

// One epoch of large batches: this checks that every combination trains and lands, not how well.
const cell = (backbone: string, method: string, direction = 'em->eeg'): RunInput => ({
  dataset: 'synthetic-seed-iv',
  protocol: 'within-subject',
  backbone,
  method,
  direction,
  seed: 3,
  epochs: 1,
  warmupEpochs: 0,
  teacherEpochs: 1,
  batchSize: 256,
  folds: ['subject-02'],
});

test('every method × backbone runs on EEG students, and both directions on DGCNN and BiHDM', async () => {
  const methods = [...REFERENCE_METHODS, ...listDistillers()];
  assert.equal(methods.length, 11);
  const inputs: RunInput[] = [];
  for (const backbone of ['dnn', 'dgcnn', 'bihdm']) {
    for (const method of methods) inputs.push(cell(backbone, method));
    if (backbone !== 'dnn') for (const method of listDistillers()) inputs.push(cell(backbone, method, 'eeg->em'));
  }
  const store = Store.open(join(dir, 'all.sqlite'));
  try {
    const { jobs } = expandJobs(inputs);
    const summary = await executeJobs(jobs, store, { workers: 1, backend: 'wasm' });
    const folds = store.listFolds();
    const failures = folds.filter((f) => f.status !== 'done').map((f) => `${f.backbone} ${f.method} ${f.direction}: ${f.error}`);
    assert.deepEqual(failures, []);
    assert.deepEqual(summary, { finished: inputs.length, failed: 0, skipped: 0 });
    for (const backbone of ['dnn', 'dgcnn', 'bihdm']) {
      const own = folds.filter((f) => f.backbone === backbone);
      assert.equal(own.length, backbone === 'dnn' ? 11 : 11 + 8, backbone);
      for (const f of own) assert.ok(f.accuracy! >= 0 && f.accuracy! <= 1 && Number.isFinite(f.accuracy!));
      const emStudents = own.filter((f) => f.direction === 'eeg->em');
      for (const f of emStudents) assert.equal(f.testModality, 'em');
    }
  } finally {
    store.close();
  }
});
