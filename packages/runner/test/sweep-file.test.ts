import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasDistiller } from '@cmcrd/core';
import { importDataset } from '@cmcrd/data';
import { loadBuiltins } from '../src/plugins.js';
import {
  expandSweep,
  expandSweepCells,
  loadSweepFile,
  loadSweepPlugins,
  parseSweep,
  SweepFileError,
} from '../src/sweep-file.js';

loadBuiltins();
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
// Releases are looked up here: empty until the real-mapping test imports a fixture.
process.env.CMCRD_DATA_DIR = join(mkdtempSync(join(tmpdir(), 'cmcrd-sweep-')), 'datasets');

const FILE = 'test.yaml';
const yaml = (lines: string[]) => `${lines.join('\n')}\n`;
/** 1-based line of the first line containing `needle` (so the tests need not count lines). */
const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1;
const expand = (text: string, real = false) => expandSweep(parseSweep(text, FILE), { real });

function assertFails(run: () => unknown, at: { line: number; key?: string; what: RegExp }): void {
  assert.throws(run, (e: unknown) => {
    assert.ok(e instanceof SweepFileError, `not a SweepFileError: ${e}`);
    assert.equal(e.file, FILE);
    assert.equal(e.line, at.line, e.message);
    assert.equal(e.key, at.key, e.message);
    assert.ok(
      e.message.startsWith(`${FILE}:${at.line}:${e.column}: ${at.key ? `${at.key}: ` : ''}`),
      e.message,
    );
    assert.match(e.what, at.what);
    return true;
  });
}

test('a small sweep expands to the cartesian product, in file and axis order', () => {
  const text = yaml([
    'name: small',
    'defaults:',
    '  epochs: 2',
    '  warmupEpochs: 0',
    'grids:',
    '  - dataset: [synthetic-seed, synthetic-seed-iv]',
    '    backbone: [dnn, dgcnn]',
    '    method: [kd, fitnet, crd]',
    '    direction: [em->eeg, eeg->em]',
    '    seed: [1, 2]',
  ]);
  const cells = expand(text);
  // 2 datasets × 2 backbones × 3 methods × 2 directions × 2 seeds.
  assert.equal(cells.length, 48);
  assert.deepEqual(cells[0], {
    dataset: 'synthetic-seed',
    backbone: 'dnn',
    method: 'kd',
    direction: 'em->eeg',
    seed: 1,
    epochs: 2,
    warmupEpochs: 0,
  });
  assert.deepEqual(cells[1], { ...cells[0], seed: 2 });
  assert.deepEqual(cells[47], {
    ...cells[0],
    dataset: 'synthetic-seed-iv',
    backbone: 'dgcnn',
    method: 'crd',
    direction: 'eeg->em',
    seed: 2,
  });
  assert.equal(new Set(cells.map((c) => JSON.stringify(c))).size, 48);
});

test('per-method options multiply only their method: the 8 CMCRD ablation cells', () => {
  const text = yaml([
    'name: ablation',
    'grids:',
    '  - name: t7',
    '    dataset: synthetic-seed-iv',
    '    backbone: dgcnn',
    '    method: [kd, cmcrd]',
    '    methods:',
    '      cmcrd:',
    '        epochs: 30',
    '        options: { mcc: [true, false], us: [true, false], iew: [true, false], dim: 64 }',
  ]);
  const cells = expand(text);
  assert.equal(cells.length, 1 + 8);
  assert.deepEqual(cells[0], { dataset: 'synthetic-seed-iv', backbone: 'dgcnn', method: 'kd' });
  const cmcrd = cells.slice(1);
  for (const c of cmcrd) assert.equal(c.epochs, 30);
  const flags = cmcrd
    .map((c) => c.options as Record<string, unknown>)
    .map((o) => `${o.mcc}/${o.us}/${o.iew}/${o.dim}`);
  assert.deepEqual(flags, [
    'true/true/true/64',
    'true/true/false/64',
    'true/false/true/64',
    'true/false/false/64',
    'false/true/true/64',
    'false/true/false/64',
    'false/false/true/64',
    'false/false/false/64',
  ]);
});

test('a list kept whole: !literal, or a list of lists (an axis over lists)', () => {
  const literal = parseSweep(
    yaml([
      'name: x',
      'grids:',
      '  - { dataset: synthetic-seed, method: kd, methods: { kd: { options: { weight: !literal [1, 2] } } } }',
    ]),
    FILE,
  );
  assert.deepEqual(
    literal.grids[0].methods.kd.options.weight.values.map((v) => v.value),
    [[1, 2]],
  );
  const nested = parseSweep(
    yaml([
      'name: x',
      'grids:',
      '  - { dataset: synthetic-seed, method: kd, methods: { kd: { options: { weight: [[1], [2, 3]] } } } }',
    ]),
    FILE,
  );
  assert.deepEqual(
    nested.grids[0].methods.kd.options.weight.values.map((v) => v.value),
    [[1], [2, 3]],
  );
});

test('reference methods ignore direction, and identical cells across grids are expanded once', () => {
  const text = yaml([
    'name: dedupe',
    'defaults: { dataset: synthetic-seed, backbone: dnn }',
    'grids:',
    '  - name: a',
    '    method: [eeg-only, fusion, kd, cmcrd]',
    '    direction: [em->eeg, eeg->em]',
    '  - name: b',
    '    method: [eeg-only, cmcrd]',
    '    direction: em->eeg',
    '    methods:',
    '      cmcrd: { options: { mcc: true, us: [true, false], iew: true } }',
  ]);
  const cells = expandSweepCells(parseSweep(text, FILE));
  // a: eeg-only 1 + fusion 1 + kd 2 + cmcrd 2 = 6; b: eeg-only (in a), cmcrd all-on (CMCRD's
  // defaults, in a), cmcrd without US (new) = 1.
  assert.equal(cells.length, 7);
  assert.deepEqual(cells[0], {
    input: { dataset: 'synthetic-seed', backbone: 'dnn', method: 'eeg-only' },
    grids: ['a', 'b'],
  });
  assert.equal('direction' in cells[1].input, false);
  assert.deepEqual(cells[4].grids, ['a', 'b']);
  assert.deepEqual(cells[6].input.options, { mcc: true, us: false, iew: true });
  assert.deepEqual(cells[6].grids, ['b']);
});

test('`real` maps the synthetic presets to the imported releases', () => {
  const text = yaml([
    'name: real',
    'grids:',
    '  - dataset: [synthetic-seed-iv]',
    '    method: eeg-only',
    '    folds: subject-01',
  ]);
  assert.deepEqual(expand(text), [
    { dataset: 'synthetic-seed-iv', method: 'eeg-only', folds: ['subject-01'] },
  ]);
  assertFails(() => expand(text, true), {
    line: 3,
    key: 'grids[0].dataset[0]',
    what: /dataset 'seed-iv' has not been imported/,
  });
  importDataset('seed-iv', join(repo, 'packages/data/test/fixtures/official/seed-iv'));
  assert.deepEqual(expand(text, true), [{ dataset: 'seed-iv', method: 'eeg-only', folds: ['subject-01'] }]);
});

test('plugins: paths relative to the sweep file become absolute; the plugin’s method expands once loaded', async () => {
  const file = join(repo, 'sweeps/plugin-test.yaml');
  const spec = parseSweep(
    yaml([
      'name: p',
      'plugins: [../examples/plugins/cosine-hint.ts]',
      'grids:',
      '  - { dataset: synthetic-seed, method: cosine-hint }',
    ]),
    file,
  );
  const module = join(repo, 'examples/plugins/cosine-hint.ts');
  assert.deepEqual(
    spec.plugins.map((p) => p.value),
    [module],
  );
  await loadSweepPlugins(spec);
  assert.ok(hasDistiller('cosine-hint'));
  assert.deepEqual(expandSweep(spec), [
    { dataset: 'synthetic-seed', method: 'cosine-hint', plugins: [module] },
  ]);
  const missing = yaml([
    'name: p',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    plugins: [./nowhere.ts]',
  ]);
  assertFails(() => parseSweep(missing, FILE), {
    line: 5,
    key: 'grids[0].plugins[0]',
    what: /plugin module '\.\/nowhere\.ts' does not exist/,
  });
});

test('YAML syntax errors and structural errors name the file, the line and the key', () => {
  assertFails(() => parseSweep('name: x\ngrids: [\n  - a\n', FILE), { line: 3, what: /^YAML: / });
  assertFails(() => parseSweep('name: x\nname: y\ngrids: []\n', FILE), { line: 2, what: /unique/ });

  const topKey = yaml(['name: x', 'grid:', '  - { dataset: synthetic-seed, method: kd }']);
  assertFails(() => parseSweep(topKey, FILE), {
    line: 2,
    key: 'grid',
    what: /unknown key \(allowed here: name, description, keepModels, defaults, plugins, grids\)/,
  });

  const gridKey = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    backbones: [dnn]',
  ]);
  assertFails(() => parseSweep(gridKey, FILE), { line: 5, key: 'grids[0].backbones', what: /unknown key/ });

  const defaultsKey = yaml([
    'name: x',
    'defaults:',
    '  folds: [subject-01]',
    'grids: [{ dataset: synthetic-seed, method: kd }]',
  ]);
  assertFails(() => parseSweep(defaultsKey, FILE), { line: 3, key: 'defaults.folds', what: /unknown key/ });

  const methodKey = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    methods:',
    '      kd: { backbone: dnn }',
  ]);
  assertFails(() => parseSweep(methodKey, FILE), {
    line: 6,
    key: 'grids[0].methods.kd.backbone',
    what: /unknown key/,
  });

  const wrongType = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    epochs: forty',
  ]);
  assertFails(() => parseSweep(wrongType, FILE), {
    line: 5,
    key: 'grids[0].epochs',
    what: /expected number, received string/,
  });

  const wrongItem = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    seed: [1,',
    '      2.5]',
  ]);
  assertFails(() => parseSweep(wrongItem, FILE), { line: 6, key: 'grids[0].seed[1]', what: /expected int/ });

  const nested = yaml(['name: x', 'grids:', '  - dataset: [[synthetic-seed]]', '    method: kd']);
  assertFails(() => parseSweep(nested, FILE), {
    line: 3,
    key: 'grids[0].dataset[0]',
    what: /expected a scalar, got a list/,
  });

  const notList = yaml(['name: x', 'grids:', '  dataset: synthetic-seed']);
  assertFails(() => parseSweep(notList, FILE), { line: 3, key: 'grids', what: /expected a list of grids/ });

  const empty = yaml(['name: x', 'grids:', '  - dataset: synthetic-seed', '    method: []']);
  assertFails(() => parseSweep(empty, FILE), { line: 4, key: 'grids[0].method', what: /empty list/ });

  const direction = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: eeg-only',
    '    direction: [em->eeg, em-eeg]',
  ]);
  assertFails(() => parseSweep(direction, FILE), {
    line: 5,
    key: 'grids[0].direction[1]',
    what: /unknown direction 'em-eeg'/,
  });

  const noMethod = yaml(['name: x', 'grids:', '  - dataset: synthetic-seed']);
  assertFails(() => parseSweep(noMethod, FILE), { line: 3, key: 'grids[0]', what: /no method/ });

  const stray = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    methods:',
    '      cmcrd: { epochs: 3 }',
  ]);
  assertFails(() => parseSweep(stray, FILE), {
    line: 6,
    key: 'grids[0].methods.cmcrd',
    what: /not in this grid's method axis/,
  });

  const literal = yaml(['name: x', 'grids:', '  - dataset: !literal synthetic-seed', '    method: kd']);
  assertFails(() => parseSweep(literal, FILE), {
    line: 3,
    key: 'grids[0].dataset',
    what: /!literal applies only to option values/,
  });

  assert.throws(
    () => loadSweepFile(join(repo, 'sweeps/no-such.yaml')),
    (e: unknown) => e instanceof SweepFileError && /no-such\.yaml: cannot read/.test(e.message),
  );
});

test('names the registry refuses point at the value that named them (or at its grid)', () => {
  const names = (axis: string, bad: string) => {
    const grid: Record<string, string> = {
      dataset: '[synthetic-seed, synthetic-seed-v]',
      backbone: 'dnn',
      method: '[eeg-only, kd]',
      [axis]: bad,
    };
    return yaml([
      'name: x',
      'grids:',
      ...Object.entries(grid).map(([k, v], i) => `${i ? '   ' : '  -'} ${k}: ${v}`),
    ]);
  };
  const method = names('method', '[kd, kdd]');
  assertFails(() => expand(method), {
    line: lineOf(method, 'kdd'),
    key: 'grids[0].method[1]',
    what: /unknown method 'kdd'/,
  });
  const dataset = names('dataset', '[synthetic-seed, seed-vi]');
  assertFails(() => expand(dataset), {
    line: lineOf(dataset, 'seed-vi'),
    key: 'grids[0].dataset[1]',
    what: /unknown dataset 'seed-vi'/,
  });
  const backbone = names('backbone', 'bihmd');
  assertFails(() => expand(backbone), {
    line: lineOf(backbone, 'bihmd'),
    key: 'grids[0].backbone',
    what: /unknown backbone 'bihmd'/,
  });
  const protocol = names('protocol', 'across-subject');
  assertFails(() => expand(protocol), {
    line: lineOf(protocol, 'across'),
    key: 'grids[0].protocol',
    what: /unknown protocol/,
  });

  const viaDefaults = yaml([
    'name: x',
    'defaults:',
    '  backbone: [dnn, gcn]',
    'grids:',
    '  - { dataset: synthetic-seed, method: kd }',
  ]);
  assertFails(() => expand(viaDefaults), {
    line: 3,
    key: 'defaults.backbone[1]',
    what: /unknown backbone 'gcn'/,
  });

  const option = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: cmcrd',
    '    methods:',
    '      cmcrd:',
    '        options:',
    '          mcc: [true, "no"]',
  ]);
  assertFails(() => expand(option), {
    line: 8,
    key: 'grids[0].methods.cmcrd.options.mcc[1]',
    what: /options of 'cmcrd': mcc/,
  });
  const unknownOption = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: cmcrd',
    '    methods:',
    '      cmcrd:',
    '        options: { mcc: true, mmc: false }',
  ]);
  assertFails(() => expand(unknownOption), {
    line: 7,
    key: 'grids[0].methods.cmcrd.options.mmc',
    what: /Unrecognized key: "mmc"/,
  });
  const referenceOption = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: eeg-only',
    '    methods: { eeg-only: { options: { weight: 1 } } }',
  ]);
  assertFails(() => expand(referenceOption), {
    line: 5,
    key: 'grids[0].methods.eeg-only.options.weight',
    what: /takes no options/,
  });
  const protocolOption = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    protocolOptions: { normalisation: [train, zscore] }',
  ]);
  assertFails(() => expand(protocolOption), {
    line: 5,
    key: 'grids[0].protocolOptions.normalisation[1]',
    what: /bad value "zscore"/,
  });
  const unknownProtocolOption = yaml([
    'name: x',
    'defaults:',
    '  protocolOptions: { normalization: train }',
    'grids: [{ dataset: synthetic-seed, method: kd }]',
  ]);
  assertFails(() => expand(unknownProtocolOption), {
    line: 3,
    key: 'defaults.protocolOptions.normalization',
    what: /unknown protocol option "normalization"/,
  });
  const fold = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    folds: [subject-01, subject-99]',
  ]);
  assertFails(() => expand(fold), { line: 5, key: 'grids[0].folds', what: /unknown fold 'subject-99'/ });
  const warmup = yaml([
    'name: x',
    'grids:',
    '  - dataset: synthetic-seed',
    '    method: kd',
    '    epochs: 5',
    '    warmupEpochs: 8',
  ]);
  assertFails(() => expand(warmup), { line: 6, key: 'grids[0].warmupEpochs', what: /exceeds epochs/ });
});

test('sweeps/paper.yaml loads and expands to the cells behind Tables 1–7', () => {
  const spec = loadSweepFile(join(repo, 'sweeps/paper.yaml'));
  const cells = expandSweepCells(spec);
  const datasets = 3;
  const backbones = 3;
  const protocols = 2;
  const unimodal = 2; // EEG, EM
  const distillers = 8; // KD FitNet NST SP RKD PKT CRD CMCRD
  const ablations = 2 ** 3; // MCC × US × IEW
  // Table 1 (within) and 2 (cross), EM-guided EEG: every method on every dataset and backbone.
  const t1 = datasets * backbones * (unimodal + distillers);
  const t2 = t1;
  // Table 3 is computed from Table 1/2's folds. Table 4, EEG-guided EM, within and cross: its
  // unimodal rows are Table 1/2's cells, so only the distillers are new.
  const t4 = datasets * backbones * protocols * (unimodal + distillers);
  const t4New = datasets * backbones * protocols * distillers;
  // Table 5: EEG, EM, fusion, CMCRD both ways; only fusion is new (CMCRD em->eeg is in 1/2, eeg->em in 4).
  const t5 = datasets * backbones * protocols * (unimodal + 1 + 2);
  const t5New = datasets * backbones * protocols;
  // Table 6: the DNN models of Table 5 other than the unimodal ones — all already there.
  const t6 = datasets * protocols * (1 + 2);
  // Table 7: DGCNN, EM-guided EEG, all 8 switch settings; all-on is CMCRD's default (Table 1/2's cell).
  const t7 = datasets * protocols * ablations;
  const t7New = t7 - datasets * protocols;
  assert.equal(cells.length, t1 + t2 + t4New + t5New + t7New);
  assert.equal(cells.length, 384);
  const perGrid = (prefix: string) => cells.filter((c) => c.grids.some((g) => g.startsWith(prefix))).length;
  assert.deepEqual(['t1', 't2', 't4', 't5', 't6', 't7'].map(perGrid), [t1, t2, t4, t5, t6, t7]);
  assert.equal(new Set(cells.map((c) => c.input.dataset)).size, datasets);
  for (const c of cells) assert.match(String(c.input.dataset), /^synthetic-seed/);
});

test('the example in docs/sweeps.md expands to the 40 cells it claims', () => {
  const doc = readFileSync(join(repo, 'docs/sweeps.md'), 'utf8');
  const example = doc.split('```yaml\n')[1].split('```')[0];
  // 2 datasets × 2 protocols × (eeg-only + kd + 8 cmcrd settings).
  assert.equal(expandSweep(parseSweep(example, join(repo, 'sweeps/example.yaml'))).length, 40);
});
