import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { currentBackend, selectBackend } from '../src/index.js';
import { assertDifferentRun, assertSameRun, trainingRun } from './determinism-shared.js';

// A separate file (its own process under node --test) so that the backend can be 'cpu'.
before(async () => {
  await selectBackend('cpu');
});

test('cpu: the same seed twice gives identical histories and final weights; another seed does not', async () => {
  assert.equal(currentBackend(), 'cpu');
  const a = await trainingRun(7);
  const b = await trainingRun(7);
  assertSameRun(a, b);
  assert.equal(a.studentHistory.length, 2);
  assert.ok(Number.isFinite(a.studentHistory[1].losses.distill));
  assertDifferentRun(a, await trainingRun(8));
});
