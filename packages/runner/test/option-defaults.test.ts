// Whether a variant is its method's default is read from what the folds recorded (the method's
// declared option defaults), so a report tells it without loading any plugin.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { getDistiller } from '@cmcrd/core';
import { BUILTIN_OPTION_DEFAULTS, buildReport } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';
import { resolveRun } from '../src/config.js';
import { failedFoldRow } from '../src/fold.js';
import { BUILTIN_DISTILLERS, loadBuiltins } from '../src/plugins.js';
import { fixtureRow, insertFolds } from '@cmcrd/store/testing';

test("the reports' table of the built-ins' option defaults equals what the plugins declare", () => {
  loadBuiltins();
  const names = BUILTIN_DISTILLERS.map((p) => p.name).sort();
  assert.deepEqual(Object.keys(BUILTIN_OPTION_DEFAULTS).sort(), names);
  for (const name of names) assert.deepEqual(BUILTIN_OPTION_DEFAULTS[name], getDistiller(name).options.parse({}), name);
});

test('every fold records its method option defaults; the reference methods record none', () => {
  const config = (method: string) =>
    resolveRun({ dataset: 'synthetic-seed-iv', method, direction: 'em->eeg', epochs: 1, teacherEpochs: 1, folds: ['subject-01'] });
  const cmcrd = failedFoldRow(config('cmcrd'), 'subject-01', 'x', 1);
  assert.deepEqual(JSON.parse(cmcrd.methodDefaults!), getDistiller('cmcrd').options.parse({}));
  assert.equal(failedFoldRow(config('eeg-only'), 'subject-01', 'x', 1).methodDefaults, null);
});

test("an outside plugin's recorded defaults name its default variant in a report that never loads it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmcrd-defaults-'));
  try {
    const store = Store.open(join(dir, 's.sqlite'));
    const rows = (weight: number, recorded: string | null) =>
      ['subject-01', 'subject-02'].map((foldKey) => ({
        ...fixtureRow({
          dataset: 'synthetic-seed-iv',
          protocol: 'within-subject',
          backbone: 'dnn',
          direction: 'em->eeg',
          foldKey,
          method: 'my-loss',
          options: { weight },
          accuracy: 0.5 + weight / 100,
        }),
        methodDefaults: recorded,
      }));
    insertFolds(store, [...rows(1, '{"weight":1}'), ...rows(2, '{"weight":1}')]);
    const labels = buildReport(store, 'comparison', { variants: 'all' })[0].rows.map((r) => r.label);
    assert.ok(labels.includes('my-loss'), labels.join(' | '));
    assert.ok(labels.includes('my-loss (weight=2)'), labels.join(' | '));
    store.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
