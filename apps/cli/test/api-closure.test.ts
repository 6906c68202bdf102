import assert from 'node:assert/strict';
import { test } from 'node:test';
import { offending, resolvedModules } from './module-closure.js';

// The read side on its own (issue 16): loading the API loads no TensorFlow.js and no BullMQ. It
// fails while apps/api reads through @cmcrd/runner (whose index loads fold.ts and the queue); it
// passes once the store and the reports live in packages of their own.
test('importing @cmcrd/api loads no @tensorflow/* and no bullmq module', { timeout: 120_000 }, () => {
  const r = resolvedModules(['--input-type=module', '-e', "await import('@cmcrd/api');"], new URL('.', import.meta.url).pathname);
  assert.equal(r.status, 0, r.output);
  assert.ok(r.urls.some((u) => u.endsWith('/apps/api/src/index.ts')), `the hook recorded the API itself:\n${r.output}`);
  const bad = offending(r.urls);
  assert.deepEqual(bad, [], `loading @cmcrd/api loaded:\n  ${bad.join('\n  ')}`);
});
