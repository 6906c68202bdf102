import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tableToIPC, tableFromArrays } from 'apache-arrow';
import { zipSync } from 'fflate';
import { ImportError, eegColumnNames, emColumnNames, readWindowsFile } from '../src/index.js';

// Windows for `cmcrd predict` (src/import/windows-file.ts), on the official-layout fixtures whose
// values encode their own position (fixtures/official/README.md).

const FIXTURES = new URL('./fixtures/official/', import.meta.url).pathname;
const EEG = { modality: 'eeg' as const, dim: 310, featureNames: eegColumnNames };
const EM31 = { modality: 'em' as const, dim: 31, featureNames: emColumnNames(31) };
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-windows-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const windowsOf = (j: number, s: number, t: number) => 2 + ((j + s + t) % 3);

test('a SEED-IV session .mat: every de_LDS trial in trial order, 62 × windows × 5 as channel·5 + band', () => {
  const w = readWindowsFile(join(FIXTURES, 'seed-iv/eeg_feature_smooth/1/1_20160518.mat'), EEG);
  assert.equal(w.parts.length, 24);
  assert.equal(w.parts[0], `de_LDS1 (${windowsOf(1, 1, 1)} windows)`);
  let row = 0;
  for (let t = 1; t <= 24; t++) {
    for (let win = 0; win < windowsOf(1, 1, t); win++, row++) {
      for (const col of [0, 1, 7, 309]) assert.equal(w.x[row * 310 + col], col + 1000 * t + 100000 * 1 + 1000000 * win);
    }
  }
  assert.equal(w.n, row);
});

test("a SEED-IV eye .mat (features × windows) and SEED-V's pickled .npz dicts", () => {
  const eye = readWindowsFile(join(FIXTURES, 'seed-iv/eye_feature_smooth/1/1_20160518.mat'), EM31);
  assert.equal(eye.x[0 * 31 + 5], 5 + 100 * 1 + 1000 * 1 + 100000 * 1);
  assert.equal(eye.x[1 * 31 + 30], 30 + 100 + 1000 + 100000 + 1000000);
  const v = readWindowsFile(join(FIXTURES, 'seed-v/EEG_DE_features/2_123.npz'), EEG);
  assert.equal(v.parts.length, 45);
  // key 16 = session 2, trial 2: the rows after keys 0..15.
  let before = 0;
  for (let k = 0; k < 16; k++) before += windowsOf(2, Math.floor(k / 15) + 1, (k % 15) + 1);
  assert.equal(v.x[before * 310 + 42], 42 + 1000 * 2 + 100000 * 2);
});

test('a plain .npz array, a CSV with or without header, and an Arrow file give the same rows', () => {
  const n = 3;
  const values = Float32Array.from({ length: n * 31 }, (_, i) => Math.fround(i * 0.37 - 5));
  const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${n}, 31), }`.padEnd(117, ' ') + '\n';
  const npy = new Uint8Array(10 + header.length + values.byteLength);
  npy.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0, header.length & 0xff, header.length >> 8]);
  npy.set(new TextEncoder().encode(header), 10);
  npy.set(new Uint8Array(values.buffer), 10 + header.length);
  writeFileSync(join(dir, 'x.npz'), zipSync({ 'x.npy': npy }));
  const rows = Array.from({ length: n }, (_, r) => Array.from(values.subarray(r * 31, (r + 1) * 31)));
  writeFileSync(join(dir, 'h.csv'), [emColumnNames(31).join(','), ...rows.map((r) => r.join(','))].join('\n'));
  writeFileSync(join(dir, 'p.csv'), rows.map((r) => r.join(',')).join('\n'));
  const cols = Object.fromEntries(emColumnNames(31).map((name, j) => [name, Float32Array.from(rows, (r) => r[j])]));
  writeFileSync(join(dir, 'x.arrow'), tableToIPC(tableFromArrays(cols), 'file'));
  for (const f of ['x.npz', 'h.csv', 'p.csv', 'x.arrow']) {
    const w = readWindowsFile(join(dir, f), EM31);
    assert.equal(w.n, n, f);
    assert.deepEqual(Array.from(w.x), Array.from(values), f);
  }
});

test('bad files: the error names the file, the variable and the position', () => {
  const bad = (f: string, spec: Parameters<typeof readWindowsFile>[1], re: RegExp) =>
    assert.throws(() => readWindowsFile(f, spec), (e: Error) => e instanceof ImportError && re.test(e.message), f);
  bad(join(FIXTURES, 'bad/seed-iv_eeg_1_nan_de_LDS2.mat'), EEG, /variable 'de_LDS2' holds NaN at \(11, 2, 4\)/);
  bad(join(FIXTURES, 'bad/seed-iv_eye_1_inf_eye_4.mat'), EM31, /variable 'eye_4' holds Infinity at \(8, 1\)/);
  bad(join(FIXTURES, 'bad/seed-iv_eeg_1_wrong_shape_de_LDS3.mat'), EEG, /'de_LDS3' has shape 62 × \d × 4/);
  bad(join(FIXTURES, 'bad/seed-v_eeg_1_wrong_width.npz'), EEG, /'data\[0\]' has shape \(\d, 300\), the model reads 310 features/);
  bad(join(FIXTURES, 'seed-iv/eeg_feature_smooth/1/1_20160518.mat'), EM31, /holds no eye_<trial>/);
  writeFileSync(join(dir, 'short.csv'), '1,2,3\n');
  bad(join(dir, 'short.csv'), EM31, /short\.csv: variable 'line 1' has 3 values, the model reads 31/);
  writeFileSync(join(dir, 'nan.csv'), `${Array(31).fill(1).join(',')}\n${[...Array(30).fill(1), 'NaN'].join(',')}\n`);
  bad(join(dir, 'nan.csv'), EM31, /'line 2' holds NaN at column 31 \(em_30\)/);
  writeFileSync(join(dir, 'x.txt'), 'hello');
  bad(join(dir, 'x.txt'), EM31, /x\.txt: is not a file type predict reads \(\.txt\)/);
  writeFileSync(join(dir, 'renamed.npz'), 'not a zip');
  bad(join(dir, 'renamed.npz'), EM31, /not a readable \.npz/);
});
