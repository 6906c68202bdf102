import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { offending, resolvedModules } from './module-closure.js';

// `cmcrd --help` and `cmcrd <command> --help` answer from the command tree alone: no TensorFlow.js,
// BullMQ, plugin (kd-baselines) or dataset code (the data package's index) is even resolved.
const entry = fileURLToPath(new URL('../src/cmcrd.ts', import.meta.url));
const ACTION_CODE = /\/(?:node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@tensorflow\/[^/]+|bullmq)\/|packages\/(kd-baselines)\/|packages\/data\/src\/(index)\.ts$)/;

for (const args of [['--help'], ['report', '--help'], ['run', '--help'], ['sweep', '--help'], ['serve', '--help'], ['plugin', 'check', '--help']]) {
  test(`cmcrd ${args.join(' ')} loads no TensorFlow.js, BullMQ, plugin or dataset code`, { timeout: 120_000 }, () => {
    const r = resolvedModules([entry, ...args]);
    assert.equal(r.status, 0, r.output);
    assert.match(r.output, /Usage: cmcrd/);
    assert.ok(r.urls.some((u) => u.endsWith('/packages/runner/src/cli.ts')), 'the hook recorded the command tree');
    assert.deepEqual(offending(r.urls, ACTION_CODE), [], `cmcrd ${args.join(' ')} loaded action code`);
  });
}
