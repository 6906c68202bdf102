import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PluginContractError, checkPlugin, getDistiller } from '@cmcrd/core';
import { builtinDistillers } from '@cmcrd/kd-baselines';
import { loadBuiltins } from '../src/plugins.js';
import { BUILTIN_DISPLAY_NAMES, displayLabel, displayName } from '../src/report/display.js';

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
