import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { Store } from '@cmcrd/store';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { HEAVY, offending, resolvedModules } from './module-closure.js';

// Reading results never loads training: `cmcrd report`, `runs` and `folds` over a store resolve no
// TensorFlow.js, BullMQ or distiller plugin (not even the built-in ones).
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

/** The plugins' code: the built-in baselines, CMCRD's distillers, the runner's plugin loader. */
const PLUGINS = /\/packages\/(?:kd-baselines\/src\/|core\/src\/distillers\/|runner\/src\/plugin[^/]*$)/;

test('cmcrd runs and cmcrd folds over a store load no TensorFlow.js, BullMQ or plugin', { timeout: 120_000 }, () => {
  for (const u of ['kd-baselines/src/kd.ts', 'core/src/distillers/cmcrd.ts', 'runner/src/plugins.ts']) assert.match(`file:///r/packages/${u}`, PLUGINS);
  assert.doesNotMatch('file:///r/packages/reports/src/option-defaults.ts', PLUGINS);
  const db = join(work, 'lists.sqlite');
  const store = Store.open(db);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.close();
  for (const args of [['runs'], ['runs', '--format', 'json'], ['folds', '--cell', 'method=cmcrd'], ['folds', '--status', 'failed', '--format', 'json']]) {
    const r = resolvedModules([entry, ...args, '--db', db]);
    assert.equal(r.status, 0, r.output);
    assert.ok(r.urls.some((u) => u.includes('/packages/runner/src/cli-runs.ts')), 'the hook recorded the command');
    assert.deepEqual(offending(r.urls, HEAVY), [], `cmcrd ${args.join(' ')} loaded training code`);
    assert.deepEqual(r.urls.filter((u) => PLUGINS.test(u)), [], `cmcrd ${args.join(' ')} loaded plugin code`);
  }
});
