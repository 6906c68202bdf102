import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, mock, test } from 'node:test';
import { buildSplit, eegColumnNames, loadDataset, parseProtocolOptions } from '@cmcrd/data';
import { zipSync } from 'fflate';
import { Store } from '@cmcrd/store';
import { main, parseSweep, SweepFileError } from '../src/index.js';
import { modelWeights } from '@cmcrd/store';

// --keep-models, `cmcrd export` and `cmcrd predict` end to end: a fold trained and stored, exported,
// and its exported model run on the fold's raw test windows gives the stored accuracy exactly.

const dir = mkdtempSync(join(tmpdir(), 'cmcrd-export-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const db = join(dir, 'run.sqlite');
const FOLD = 'subject-02';
const runArgs = ['--dataset', 'synthetic-seed-iv', '--method', 'kd', '--seed', '3', '--epochs', '2', '--warmup-epochs', '1', '--teacher-epochs', '2'];
const common = ['--folds', FOLD, '--workers', '1', '--backend', 'wasm'];

/** Runs the CLI with its console output captured (returned) instead of printed (predict writes to --out files here). */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = mock.method(console, 'log', (...a: unknown[]) => out.push(a.join(' ')));
  const error = mock.method(console, 'error', (...a: unknown[]) => err.push(a.join(' ')));
  try {
    const code = await main(['node', 'cmcrd', ...args]);
    return { code, out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mock.restore();
    error.mock.restore();
  }
}

const split = buildSplit(loadDataset('synthetic-seed-iv', { seed: 0 }), 'within-subject', FOLD, parseProtocolOptions({}));
const ds = loadDataset('synthetic-seed-iv', { seed: 0 });
/** The fold's test windows as recorded: raw (not z-scored) EEG features. */
const rawTest = (() => {
  const x = new Float32Array(split.test.n * 310);
  for (const [i, r] of split.test.rows.entries()) x.set(ds.eeg.subarray(r * 310, (r + 1) * 310), i * 310);
  return x;
})();
const csvOf = (x: Float32Array, header = true) =>
  [...(header ? [eegColumnNames.join(',')] : []), ...Array.from({ length: x.length / 310 }, (_, i) => Array.from(x.subarray(i * 310, (i + 1) * 310)).join(','))].join('\n');

let foldId = 0;
let accuracy = 0;

test('cmcrd run keeps the fold\'s model: weights, train-split statistics, feature order, classes, provenance', async () => {
  const r = await cli(['run', ...runArgs, ...common, '--db', db]);
  assert.equal(r.code, 0, r.out + r.err);
  const store = Store.open(db);
  try {
    const [fold] = store.listFolds();
    assert.equal(fold.status, 'done', fold.error ?? '');
    foldId = fold.id;
    accuracy = fold.accuracy!;
    const m = store.artifactOf(fold.id, 'model');
    assert.ok(m, 'a model artifact');
    assert.deepEqual(m.architecture, { backbone: 'dnn', modality: 'eeg', inputDim: 310, numClasses: 4, featureDims: [128, 128], parameterCount: m.architecture.parameterCount });
    assert.equal(m.architecture.parameterCount, 310 * 128 + 3 * 128 * 128 + 4 * 2 * 128 + 128 * 4 + 4);
    assert.equal(m.provenance.accuracy, fold.accuracy);
    assert.equal(m.provenance.testSize, split.test.n);
    assert.equal(m.provenance.teacherKey, fold.teacherKey);
    assert.ok(m.provenance.teacherKey);
    assert.equal(m.provenance.configHash, fold.configHash);
    assert.deepEqual(m.provenance.confusion, JSON.parse(fold.confusion!));
    assert.equal(m.provenance.backend, 'wasm');
    // The same revision as the fold's own column (revision.ts: a commit, +dirty, or the package version).
    assert.equal(m.provenance.codeRevision, fold.codeRevision);
    assert.match(m.provenance.codeRevision, /^[0-9a-f]{40}(\+dirty)?$|^@cmcrd\/runner@/);
    assert.deepEqual(m.preprocess.classNames, ['neutral', 'sad', 'fear', 'happy']);
    assert.equal(m.preprocess.featureNames[7], 'eeg_FPZ_alpha');
    // The statistics are the training rows' (z-scored by them, the training part has mean 0).
    const col = 123;
    let mean = 0;
    for (const r of split.train.rows) mean += ds.eeg[r * 310 + col];
    assert.ok(Math.abs(m.preprocess.mean![col] - mean / split.train.n) < 1e-9);
    assert.equal(modelWeights(m).length, 22);
    // Content-addressed: damaged weights are refused.
    assert.throws(() => modelWeights({ ...m, weights: `${m.weights.slice(0, 100)}AAAA${m.weights.slice(104)}` }), /do not match their sha256/);
  } finally {
    store.close();
  }
});

test('--no-keep-models stores no model; sweeps keep them only when asked (flag or keepModels: true)', async () => {
  const plain = join(dir, 'plain.sqlite');
  const r = await cli(['run', ...runArgs, '--method', 'eeg-only', ...common, '--no-keep-models', '--db', plain]);
  assert.equal(r.code, 0, r.out + r.err);
  const store = Store.open(plain);
  try {
    const [fold] = store.listFolds();
    assert.equal(store.artifactOf(fold.id, 'model'), undefined);
    assert.ok(store.artifactOf(fold.id, 'tsne'));
  } finally {
    store.close();
  }
  const sweep = (extra: string) => `name: s\n${extra}grids:\n  - name: g\n    dataset: synthetic-seed-iv\n    method: eeg-only\n`;
  // In a worker process (two workers), by the sweep file's key: the model crosses IPC with its fold.
  const file = join(dir, 'keep.yaml');
  writeFileSync(
    file,
    'name: keep\nkeepModels: true\ndefaults:\n  dataset: synthetic-seed-iv\n  seed: 3\n  epochs: 2\n  warmupEpochs: 1\ngrids:\n  - method: eeg-only\n    folds: [subject-02]\n',
  );
  const swept = join(dir, 'swept.sqlite');
  const s = await cli(['sweep', file, '--db', swept, '--workers', '2', '--backend', 'wasm']);
  assert.equal(s.code, 0, s.out + s.err);
  const sweptStore = Store.open(swept);
  try {
    const [fold] = sweptStore.listFolds();
    const m = sweptStore.artifactOf(fold.id, 'model');
    assert.ok(m, 'a model stored from a worker process');
    assert.equal(m.provenance.accuracy, fold.accuracy);
    assert.equal(modelWeights(m).length, 22);
  } finally {
    sweptStore.close();
  }
  assert.equal(parseSweep(sweep(''), 'f.yaml').keepModels, undefined);
  assert.equal(parseSweep(sweep('keepModels: true\n'), 'f.yaml').keepModels, true);
  assert.throws(() => parseSweep(sweep('keepModels: 3\n'), 'f.yaml'), (e: Error) => e instanceof SweepFileError && /keepModels: must be true or false, got 3/.test(e.message));
});

const out = join(dir, 'model');

test('cmcrd export writes the graph model, preprocess.json and a model card; refuses what it cannot do with exit 2', async () => {
  const r = await cli(['export', '--fold', String(foldId), '--out', out, '--db', db]);
  assert.equal(r.code, 0, r.out + r.err);
  assert.deepEqual(readdirSync(out).sort(), ['MODEL_CARD.md', 'group1-shard1of1.bin', 'model.json', 'preprocess.json']);
  const card = readFileSync(join(out, 'MODEL_CARD.md'), 'utf8');
  const correct = Math.round(accuracy * split.test.n);
  assert.ok(card.includes(`**${(100 * accuracy).toFixed(2)} %** (${correct} of n = ${split.test.n} windows)`), card);
  assert.match(card, /do not transfer across people without calibration/);
  assert.match(card, /SYNTHETIC data/);
  assert.match(card, /Leak flags: none/);
  const pre = JSON.parse(readFileSync(join(out, 'preprocess.json'), 'utf8'));
  assert.equal(pre.featureNames.length, 310);
  assert.equal(pre.normalisation, 'train');

  const refused = async (args: string[], re: RegExp) => {
    const x = await cli(args);
    assert.equal(x.code, 2, `${args.join(' ')}: ${x.out} ${x.err}`);
    assert.match(x.err, re);
  };
  await refused(['export', '--fold', String(foldId), '--out', out, '--db', db], /exists and is not empty: not overwriting/);
  await refused(['export', '--fold', '999', '--out', join(dir, 'none'), '--db', db], /no fold 999/);
  await refused(['export', '--fold', '1', '--cell', 'method=kd', '--out', join(dir, 'none'), '--db', db], /exactly one of --fold ID and --cell/);
  await refused(['export', '--cell', 'method=crd', '--out', join(dir, 'none'), '--db', db], /no done fold matches method=crd/);
  await refused(['export', '--cell', 'colour=red', '--out', join(dir, 'none'), '--db', db], /'colour=red' is not key=value/);
  await refused(['export', '--fold', '1', '--out', join(dir, 'none'), '--db', join(dir, 'missing.sqlite')], /no store at/);
  assert.ok(!existsSync(join(dir, 'none')) && !existsSync(join(dir, 'missing.sqlite')), 'nothing written');
  const byCell = await cli(['export', '--cell', 'dataset=synthetic-seed-iv,method=kd,backbone=dnn,seed=3', '--fold-key', FOLD, '--out', join(dir, 'by-cell'), '--db', db]);
  assert.equal(byCell.code, 0, byCell.err);
  assert.deepEqual(readFileSync(join(dir, 'by-cell', 'group1-shard1of1.bin')), readFileSync(join(out, 'group1-shard1of1.bin')));
});

interface PredictJson {
  classNames: string[];
  backend: string;
  windows: { window: number; predicted: number; class: string; probabilities: number[] }[];
}

async function predict(input: string, backend: string): Promise<PredictJson> {
  const file = join(dir, `pred-${backend}-${Math.random().toString(36).slice(2)}.json`);
  const r = await cli(['predict', '--model', out, '--input', input, '--format', 'json', '--backend', backend, '--out', file]);
  assert.equal(r.code, 0, r.out + r.err);
  return JSON.parse(readFileSync(file, 'utf8')) as PredictJson;
}

let same: PredictJson;

test("predict on the fold's raw test windows gives the stored test accuracy exactly (same backend)", async () => {
  writeFileSync(join(dir, 'test.csv'), csvOf(rawTest));
  same = await predict(join(dir, 'test.csv'), 'wasm');
  assert.equal(same.windows.length, split.test.n);
  const correct = same.windows.filter((w, i) => w.predicted === split.test.labels[i]).length;
  assert.equal(correct / split.test.n, accuracy);
  for (const w of same.windows) {
    assert.equal(w.class, same.classNames[w.predicted]);
    assert.ok(Math.abs(w.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-5);
  }
  // The same rows from a headerless CSV and from an .npz array.
  writeFileSync(join(dir, 'plain.csv'), csvOf(rawTest, false));
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${split.test.n}, 310), }`.padEnd(117, ' ') + '\n';
  const npy = new Uint8Array(10 + header.length + rawTest.byteLength);
  npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  npy.set(new TextEncoder().encode(header), 10);
  npy.set(new Uint8Array(rawTest.buffer), 10 + header.length);
  writeFileSync(join(dir, 'test.npz'), zipSync({ 'windows.npy': npy }));
  for (const f of ['plain.csv', 'test.npz']) {
    const again = await predict(join(dir, f), 'wasm');
    assert.deepEqual(again.windows, same.windows, f);
  }
});

test("the probabilities on cpu are within 1e-5 of wasm's (the fold's backend)", async () => {
  assert.ok(same, 'needs the previous test');
  const cpu = await predict(join(dir, 'test.csv'), 'cpu');
  assert.equal(cpu.backend, 'cpu');
  let worst = 0;
  for (const [i, w] of cpu.windows.entries()) {
    for (const [j, p] of w.probabilities.entries()) worst = Math.max(worst, Math.abs(p - same.windows[i].probabilities[j]));
  }
  assert.ok(worst <= 1e-5, `largest difference ${worst}`);
});

test('bad inputs (feature count, NaN, file type, a model folder that is not one) exit 2 and write nothing', async () => {
  const target = join(dir, 'never.csv');
  const refused = async (input: string, re: RegExp, model = out) => {
    const r = await cli(['predict', '--model', model, '--input', input, '--out', target, '--backend', 'cpu']);
    assert.equal(r.code, 2, `${input}: ${r.out} ${r.err}`);
    assert.match(r.err, re);
    assert.ok(!existsSync(target), 'nothing written');
  };
  writeFileSync(join(dir, 'short.csv'), csvOf(rawTest.subarray(0, 310), false).split(',').slice(0, 309).join(','));
  await refused(join(dir, 'short.csv'), /short\.csv: variable 'line 1' has 309 values, the model reads 310 features per window/);
  const rows = csvOf(rawTest.subarray(0, 3 * 310)).split('\n');
  rows[3] = rows[3].split(',').map((v, j) => (j === 17 ? 'NaN' : v)).join(',');
  writeFileSync(join(dir, 'nan.csv'), rows.join('\n'));
  await refused(join(dir, 'nan.csv'), /nan\.csv: variable 'line 4' holds NaN at column 18 \(eeg_AF3_alpha\)/);
  writeFileSync(join(dir, 'windows.json'), '[]');
  await refused(join(dir, 'windows.json'), /windows\.json: is not a file type predict reads \(\.json\); expected one of \.mat, \.npz, \.csv/);
  await refused(join(dir, 'test.csv'), /has no preprocess\.json: --model must be a folder written by cmcrd export/, dir);
});
