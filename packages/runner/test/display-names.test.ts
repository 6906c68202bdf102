import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { PluginContractError, checkPlugin, getDistiller } from '@cmcrd/core';
import { builtinDistillers } from '@cmcrd/kd-baselines';
import { resolveRun } from '../src/config.js';
import { failedFoldRow } from '../src/fold.js';
import { Store } from '@cmcrd/store';
import { buildReport, formatReport } from '@cmcrd/reports';
import { loadBuiltins } from '../src/plugins.js';
import { BUILTIN_DISPLAY_NAMES, displayLabel, displayName } from '@cmcrd/reports';
import { CMCRD_DEFAULTS, fixtureRow, insertFolds } from '@cmcrd/store/testing';

test('the built-in distillers declare the display names and colours the reports use without loading them', () => {
  loadBuiltins();
  for (const plugin of [...builtinDistillers, getDistiller('cmcrd')]) {
    assert.equal(plugin.displayName, BUILTIN_DISPLAY_NAMES[plugin.name], plugin.name);
    assert.match(plugin.color ?? '', /^#[0-9a-f]{6}$/, plugin.name);
  }
  const colours = [...builtinDistillers, getDistiller('cmcrd')].map((p) => p.color);
  assert.equal(new Set(colours).size, colours.length, 'every built-in has its own colour');
  assert.deepEqual(['eeg-only', 'em-only', 'fusion', 'kd', 'fitnet', 'cmcrd', 'my-loss'].map(displayName), [
    'EEG',
    'EM',
    'EEG+EM',
    'KD',
    'FitNet',
    'CMCRD',
    'my-loss',
  ]);
  assert.equal(displayLabel('cmcrd', 'cmcrd (mcc=false)'), 'CMCRD (mcc=false)');
});

test('the plugin contract checks displayName and color when given', () => {
  const base = { name: 'my-loss', options: { safeParse: () => ({}) }, create: () => ({}) };
  assert.doesNotThrow(() => checkPlugin({ ...base, displayName: 'My loss', color: 'rgb(1 2 3)' }, 'test'));
  assert.doesNotThrow(() => checkPlugin({ ...base, color: 'teal' }, 'test'));
  assert.throws(() => checkPlugin({ ...base, displayName: '' }, 'test'), PluginContractError);
  assert.throws(
    () => checkPlugin({ ...base, displayName: 'two\nlines' }, 'test'),
    /'displayName' must be a short one-line string/,
  );
  assert.throws(
    () => checkPlugin({ ...base, color: 'red; background: url(x)' }, 'test'),
    /'color' must be a CSS colour/,
  );
  assert.throws(() => checkPlugin({ ...base, color: 42 }, 'test'), /'color' must be a CSS colour/);
});

test("an outside plugin's display name is recorded with its folds and used by the LaTeX without loading it", () => {
  const dir = mkdtempSync(join(tmpdir(), 'cmcrd-display-'));
  try {
    const store = Store.open(join(dir, 's.sqlite'));
    const fold = (method: string, accuracy: number, more: Record<string, unknown> = {}) =>
      fixtureRow({
        dataset: 'synthetic-seed-iv',
        protocol: 'within-subject',
        backbone: 'dnn',
        direction: 'em->eeg',
        foldKey: 'subject-01',
        method,
        accuracy,
        ...more,
      });
    insertFolds(store, [
      fold('cmcrd', 0.7, { options: CMCRD_DEFAULTS }),
      fold('my-loss', 0.6, { displayName: 'MyLoss' }),
    ]);
    const tex = formatReport('comparison', buildReport(store, 'comparison'), 'latex');
    store.close();
    assert.match(tex, /^MyLoss & /m);
    assert.match(tex, /^CMCRD & /m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the runner records the plugin display name with every fold', () => {
  loadBuiltins();
  const config = resolveRun({ dataset: 'synthetic-seed-iv', method: 'kd' } as never);
  assert.equal(failedFoldRow(config, 'subject-01', 'boom', 1).displayName, 'KD');
  const eeg = resolveRun({ dataset: 'synthetic-seed-iv', method: 'eeg-only' } as never);
  assert.equal(failedFoldRow(eeg, 'subject-01', 'boom', 1).displayName, '');
});
