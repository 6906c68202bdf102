import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { tf } from '@cmcrd/core';
import { ConfigError, type RunInput, executeJobs, expandJobs, loadBuiltins, preparePlugins } from '../src/index.js';
import { Store } from '@cmcrd/store';

loadBuiltins();
const here = fileURLToPath(new URL('.', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-contract-'));

const cell = (method: string, plugin: string): RunInput => ({
  dataset: 'synthetic-seed-iv',
  method,
  seed: 5,
  epochs: 1,
  warmupEpochs: 0,
  teacherEpochs: 1,
  folds: ['subject-01'],
  plugins: [plugin],
});

test('a trainable variable left out of `variables` fails the fold naming it; contract failures are not retried, a throw is', async () => {
  const inputs = [
    cell('unlisted-variable', './fixtures/unlisted-variable.ts'),
    cell('broken-shape', './fixtures/broken-wrongShape.ts'),
    cell('broken-throws', './fixtures/broken-throwing.ts'),
  ];
  const { jobs } = expandJobs(await preparePlugins(inputs, here));
  const store = Store.open(join(dir, 'contract.sqlite'));
  const retried: string[] = [];
  try {
    const variablesBefore = Object.keys(tf.engine().registeredVariables).length;
    const summary = await executeJobs(jobs, store, { workers: 1, backend: 'wasm', retries: 1, onEvent: (e) => e.type === 'retry' && retried.push(e.job.input.method) });
    assert.deepEqual(summary, { finished: 3, failed: 3, skipped: 0 }); // finished counts failed folds too
    const folds = store.listFolds();
    const of = (m: string) => folds.find((f) => f.method === m)!;
    const unlisted = of('unlisted-variable');
    assert.equal(unlisted.status, 'failed');
    assert.match(unlisted.error ?? '', /^DistillerFailure: distiller 'unlisted-variable': create\(\) made the trainable variable 'unlisted\d+\/forgotten' but left it out of 'variables'/);
    // The non-trainable one is not named.
    assert.doesNotMatch(unlisted.error ?? '', /bank/);
    // The name once, not "distiller 'x': distiller 'x' loss() …".
    assert.equal(of('broken-shape').error, "DistillerFailure: distiller 'broken-shape': loss() returned shape [32], expected a scalar");
    assert.equal(unlisted.attempts, 1);
    assert.equal(of('broken-shape').attempts, 1);
    // A plugin that throws may depend on something outside it: it gets the retry.
    assert.equal(of('broken-throws').attempts, 2);
    assert.deepEqual(retried, ['broken-throws']);
    // The failed fold freed what the plugin created.
    assert.equal(Object.keys(tf.engine().registeredVariables).length, variablesBefore);
  } finally {
    store.close();
  }
});

test('a module with only a named export says there is no default export, and what it exports', async () => {
  await assert.rejects(preparePlugins([cell('broken-shape', './fixtures/named-export.ts')], here), (e: Error) => {
    assert.ok(e instanceof ConfigError);
    assert.match(e.message, /named-export\.ts' has no default export \(it exports 'shapePlugin'\)/);
    return true;
  });
});
