import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { Store } from '@cmcrd/store';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { HEAVY, offending, resolvedModules } from './module-closure.js';

// Reading results never loads training: `cmcrd report` over a store resolves no TensorFlow.js or BullMQ.
const entry = fileURLToPath(new URL('../src/cmcrd.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cmcrd-read-closure-'));
after(() => rmSync(work, { recursive: true, force: true }));

test('cmcrd report over a store loads no TensorFlow.js and no BullMQ', { timeout: 120_000 }, () => {
  const db = join(work, 'store.sqlite');
  const store = Store.open(db);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.close();
  for (const table of ['comparison', 'significance']) {
    const r = resolvedModules([entry, 'report', table, '--db', db]);
    assert.equal(r.status, 0, r.output);
    assert.ok(r.urls.some((u) => u.includes('/packages/reports/src/')), 'the hook recorded the report code');
    assert.deepEqual(offending(r.urls, HEAVY), [], `cmcrd report ${table} loaded training code`);
  }
});
