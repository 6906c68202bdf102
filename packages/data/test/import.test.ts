import assert from 'node:assert/strict';
import {
  cpSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, before, describe, test } from 'node:test';
import { tableFromIPC } from 'apache-arrow';
import {
  buildSplit,
  CacheFileError,
  cachePath,
  clearDatasetCache,
  DatasetNotImportedError,
  DEFAULT_PROTOCOL_OPTIONS,
  datasetSpec,
  describeDataset,
  EEG_DIM,
  ImportError,
  importDataset,
  listFolds,
  loadDataset,
} from '../src/index.js';
import { SEED_IV_LABELS, SEED_V_LABELS } from '../src/spec.js';

// Fixtures written by test/fixtures/official/make_official_fixtures.py (scipy savemat, numpy savez +
// pickle) in the releases' layouts; every value encodes where it belongs (see the README there):
//   EEG = (c·5 + b) + 1000·t + 100000·s + 1000000·w,   EM = f + 100·j + 1000·t + 100000·s + 1000000·w,
//   windows per trial = 2 + ((j + s + t) mod 3).
const FIXTURES = new URL('./fixtures/official/', import.meta.url).pathname;
const eegCode = (s: number, t: number, w: number, col: number) => col + 1000 * t + 100000 * s + 1000000 * w;
const emCode = (j: number, s: number, t: number, w: number, f: number) =>
  f + 100 * j + 1000 * t + 100000 * s + 1000000 * w;
const windowsOf = (j: number, s: number, t: number) => 2 + ((j + s + t) % 3);

let dataDir: string;
before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'cmcrd-data-'));
  process.env.CMCRD_DATA_DIR = dataDir;
});
afterEach(() => clearDatasetCache());

/** A private copy of one fixture release, to damage. */
function copyOf(release: string): string {
  const dir = mkdtempSync(join(tmpdir(), `cmcrd-${release}-`));
  cpSync(join(FIXTURES, release), dir, { recursive: true });
  return dir;
}

/** Checks every row of an imported dataset against the fixture encoding. */
function checkRows(
  name: string,
  o: {
    subjects: number[];
    emSubjects: number[];
    sessions: number;
    trials: number;
    emDim: number;
    label: (s: number, t: number) => number;
    session?: (j: number, s: number) => number;
  },
) {
  const ds = loadDataset(name);
  const expectedRows = o.subjects.reduce(
    (n, j) =>
      n +
      Array.from({ length: o.sessions * o.trials }, (_, k) =>
        windowsOf(j, Math.floor(k / o.trials) + 1, (k % o.trials) + 1),
      ).reduce((a, b) => a + b, 0),
    0,
  );
  assert.equal(ds.n, expectedRows);
  let r = 0;
  for (const j of o.subjects) {
    for (let s = 1; s <= o.sessions; s++) {
      // The session whose values this session holds (SEED: the file's date rank).
      const encoded = o.session ? o.session(j, s) : s;
      for (let t = 1; t <= o.trials; t++) {
        for (let w = 0; w < windowsOf(j, encoded, t); w++, r++) {
          assert.deepEqual(
            [ds.subject[r], ds.session[r], ds.trial[r], ds.window[r]],
            [j, s, t, w],
            `row ${r}`,
          );
          assert.equal(ds.label[r], o.label(s, t), `label of row ${r}`);
          for (const col of [0, 1, 4, 5, 9, 157, 305, 309]) {
            assert.equal(
              ds.eeg[r * EEG_DIM + col],
              eegCode(encoded, t, w, col),
              `EEG row ${r} column ${col}`,
            );
          }
          for (const f of [0, 1, o.emDim - 1]) {
            const v = ds.em[r * o.emDim + f];
            if (o.emSubjects.includes(j))
              assert.equal(v, emCode(j, encoded, t, w, f), `EM row ${r} feature ${f}`);
            else assert.ok(Number.isNaN(v), `subject ${j} has no eye movements`);
          }
        }
      }
    }
  }
  return ds;
}

describe('importing the official layouts', () => {
  test('SEED-IV: sessions by folder, 62 × windows × 5 → channel-major × band, EEG and EM aligned, labels per session', () => {
    const summary = importDataset('seed-iv', join(FIXTURES, 'seed-iv'));
    assert.equal(summary.cache, cachePath('seed-iv'));
    assert.deepEqual(summary.subjects, [1, 2]);
    assert.deepEqual(summary.emSubjects, [1, 2]);
    const ds = checkRows('seed-iv', {
      subjects: [1, 2],
      emSubjects: [1, 2],
      sessions: 3,
      trials: 24,
      emDim: 31,
      label: (s, t) => SEED_IV_LABELS[s - 1][t - 1],
    });
    assert.equal(summary.windows, ds.n);
    // Every EEG column, for one row: c·5 + b is the column index.
    for (let col = 0; col < EEG_DIM; col++) assert.equal(ds.eeg[col], eegCode(1, 1, 0, col));
    const spec = datasetSpec('seed-iv');
    assert.equal(spec.name, 'seed-iv');
    assert.equal(spec.synthetic, false);
    assert.deepEqual(spec.emSubjects, [1, 2]);
    assert.deepEqual(
      spec.sessionLabels,
      SEED_IV_LABELS.map((s) => [...s]),
    );
  });

  test('SEED: session = rank of the date; label.mat mapped to 0..2; eye movements from the documented layout for subject 1 only', () => {
    importDataset('seed', join(FIXTURES, 'seed'));
    const raw = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1];
    checkRows('seed', {
      subjects: [1, 2],
      emSubjects: [1],
      sessions: 3,
      trials: 15,
      emDim: 33,
      label: (_s, t) => raw[t - 1] + 1,
    });
    assert.deepEqual(datasetSpec('seed').emSubjects, [1]);
    // Folds only for subjects with both modalities.
    assert.deepEqual(listFolds(datasetSpec('seed'), 'within-subject'), ['subject-01']);
  });

  test('SEED: a file dated earlier becomes session 1 whatever its name sorts as', () => {
    const dir = copyOf('seed');
    // Subject 2's latest recording (its values encode session 3) re-dated to before the others.
    renameSync(join(dir, 'ExtractedFeatures/2_20140419.mat'), join(dir, 'ExtractedFeatures/2_20140101.mat'));
    importDataset('seed', join(dir, 'ExtractedFeatures'));
    const order: Record<number, number> = { 1: 3, 2: 1, 3: 2 };
    checkRows('seed', {
      subjects: [1, 2],
      emSubjects: [],
      sessions: 3,
      trials: 15,
      emDim: 33,
      label: (_s, t) => [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1][t - 1] + 1,
      session: (j, s) => (j === 2 ? order[s] : s),
    });
  });

  test('SEED-V: pickled dicts (protocols 4 and 5), session = key div 15, one label per window', () => {
    importDataset('seed-v', join(FIXTURES, 'seed-v'));
    const ds = checkRows('seed-v', {
      subjects: [1, 2],
      emSubjects: [1, 2],
      sessions: 3,
      trials: 15,
      emDim: 33,
      label: (s, t) => SEED_V_LABELS[s - 1][t - 1],
    });
    assert.equal(datasetSpec('seed-v').numClasses, 5);
    const d = describeDataset(ds);
    assert.deepEqual(d.subjects, [1, 2]);
    assert.equal(d.trials, 90);
    assert.equal(d.eeg.nonFinite, 0);
    assert.equal(d.em.nonFinite, 0);
    assert.equal(
      d.classBalance.reduce((a, c) => a + c.windows, 0),
      ds.n,
    );
  });

  test('imported datasets are named like the built-ins and the protocols apply unchanged', () => {
    importDataset('seed-iv', join(FIXTURES, 'seed-iv'));
    const ds = loadDataset('seed-iv');
    assert.deepEqual(listFolds(ds.spec, 'within-subject'), ['subject-01', 'subject-02']);
    assert.deepEqual(listFolds(ds.spec, 'cross-subject'), ['loso-01', 'loso-02']);
    const split = buildSplit(ds, 'within-subject', 'subject-02', DEFAULT_PROTOCOL_OPTIONS);
    // 16 training and 8 test trials per session.
    const trainRows = [1, 2, 3].reduce(
      (n, s) => n + Array.from({ length: 16 }, (_, t) => windowsOf(2, s, t + 1)).reduce((a, b) => a + b),
      0,
    );
    assert.equal(split.train.n, trainRows);
    assert.equal(split.train.n + split.test.n, ds.subject.filter((j) => j === 2).length);
  });

  test('the cache is an Arrow IPC file with one named column per feature, readable as is', () => {
    importDataset('seed-iv', join(FIXTURES, 'seed-iv'));
    const table = tableFromIPC(readFileSync(cachePath('seed-iv')));
    const names = table.schema.fields.map((f) => f.name);
    assert.deepEqual(names.slice(0, 5), ['subject', 'session', 'trial', 'window', 'label']);
    assert.equal(names.filter((n) => n.startsWith('eeg_')).length, 310);
    assert.equal(names.filter((n) => n.startsWith('em_')).length, 31);
    assert.equal(names[5], 'eeg_FP1_delta');
    assert.equal(names[6], 'eeg_FP1_theta');
    assert.equal(names[10], 'eeg_FPZ_delta');
    assert.equal(table.getChild('eeg_FPZ_delta')!.get(0), eegCode(1, 1, 0, 5));
    assert.equal(table.schema.metadata.get('cmcrd.dataset'), 'seed-iv');
  });
});

describe('bad input: an error naming the file and the variable, and no cache written or replaced', () => {
  /** Imports that must fail with `message`, leaving the cache exactly as it was and no temporary file. */
  function failsCleanly(name: string, folder: string, message: RegExp) {
    const path = cachePath(name);
    const before = statSafe(path);
    assert.throws(
      () => importDataset(name, folder),
      (e: unknown) => {
        assert.ok(e instanceof ImportError, `expected an ImportError, got ${String(e)}`);
        assert.match((e as Error).message, message);
        return true;
      },
    );
    assert.deepEqual(statSafe(path), before, 'the cache changed');
    assert.deepEqual(
      readdirSync(dataDir).filter((f) => f.includes('.tmp-')),
      [],
    );
  }
  const statSafe = (p: string) => {
    try {
      const s = statSync(p);
      return { size: s.size, mtimeMs: s.mtimeMs, bytes: readFileSync(p).subarray(0, 4096).toString('hex') };
    } catch {
      return null;
    }
  };
  const withBad = (release: string, target: string, bad: string) => {
    const dir = copyOf(release);
    cpSync(join(FIXTURES, 'bad', bad), join(dir, target));
    return dir;
  };
  const SEED_IV_EEG = 'eeg_feature_smooth/1/1_20160518.mat';
  const SEED_IV_EYE = 'eye_feature_smooth/1/1_20160518.mat';

  before(() => {
    // A good cache exists for seed-iv: failing imports must not touch it. seed and seed-v have none.
    importDataset('seed-iv', join(FIXTURES, 'seed-iv'));
    rmSync(cachePath('seed'), { force: true });
    rmSync(cachePath('seed-v'), { force: true });
  });

  test('a missing folder', () => {
    failsCleanly('seed-iv', join(tmpdir(), 'no-such-release'), /no-such-release: folder not found/);
    const dir = copyOf('seed-iv');
    rmSync(join(dir, 'eye_feature_smooth'), { recursive: true });
    failsCleanly('seed-iv', dir, /eye_feature_smooth: folder not found/);
  });

  test('a missing file', () => {
    const dir = copyOf('seed-iv');
    rmSync(join(dir, SEED_IV_EYE));
    failsCleanly('seed-iv', dir, /eye_feature_smooth\/1\/1_20160518\.mat: file not found/);
    const seed = copyOf('seed');
    rmSync(join(seed, 'ExtractedFeatures/label.mat'));
    failsCleanly('seed', seed, /label\.mat: file not found/);
  });

  test('a truncated file', () => {
    const dir = copyOf('seed-iv');
    const file = join(dir, SEED_IV_EEG);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    failsCleanly('seed-iv', dir, /1_20160518\.mat.*truncated|truncated.*1_20160518\.mat/);
  });

  test('a file that is not a MAT file', () => {
    const dir = copyOf('seed-iv');
    writeFileSync(join(dir, SEED_IV_EEG), 'subject,session,value\n1,1,0.5\n');
    failsCleanly('seed-iv', dir, /eeg_feature_smooth\/1\/1_20160518\.mat.*MAT/);
    const v = copyOf('seed-v');
    writeFileSync(join(v, 'EEG_DE_features/1_123.npz'), 'not a zip');
    failsCleanly('seed-v', v, /EEG_DE_features\/1_123\.npz: not a readable \.npz/);
  });

  test('a missing variable', () => {
    failsCleanly(
      'seed-iv',
      withBad('seed-iv', SEED_IV_EEG, 'seed-iv_eeg_1_missing_de_LDS7.mat'),
      /1_20160518\.mat: variable 'de_LDS7' is missing/,
    );
  });

  test('wrong shapes', () => {
    failsCleanly(
      'seed-iv',
      withBad('seed-iv', SEED_IV_EEG, 'seed-iv_eeg_1_wrong_shape_de_LDS3.mat'),
      /1_20160518\.mat: variable 'de_LDS3' has shape 62 × \d × 4, expected 62 × windows × 5/,
    );
    failsCleanly(
      'seed-v',
      withBad('seed-v', 'EEG_DE_features/1_123.npz', 'seed-v_eeg_1_wrong_width.npz'),
      /1_123\.npz: variable 'data\[0\]' has shape \(\d, 300\), expected \(windows, 310\)/,
    );
    failsCleanly(
      'seed',
      withBad('seed', 'ExtractedFeatures/1_20131027.mat', 'seed_eeg_1_struct_de_LDS1.mat'),
      /1_20131027\.mat.*de_LDS1.*struct/,
    );
  });

  test('EEG and eye-movement window counts that disagree', () => {
    failsCleanly(
      'seed-iv',
      withBad('seed-iv', SEED_IV_EYE, 'seed-iv_eye_1_window_mismatch_eye_5.mat'),
      /eye_feature_smooth\/1\/1_20160518\.mat: variable 'eye_5' has \d windows but the EEG of this trial in .*eeg_feature_smooth\/1\/1_20160518\.mat has \d/,
    );
  });

  test('NaN or Inf', () => {
    failsCleanly(
      'seed-iv',
      withBad('seed-iv', SEED_IV_EEG, 'seed-iv_eeg_1_nan_de_LDS2.mat'),
      /1_20160518\.mat: variable 'de_LDS2' holds NaN at \(11, 2, 4\)/,
    );
    failsCleanly(
      'seed-iv',
      withBad('seed-iv', SEED_IV_EYE, 'seed-iv_eye_1_inf_eye_4.mat'),
      /1_20160518\.mat: variable 'eye_4' holds Infinity at \(8, 1\)/,
    );
  });

  test('labels out of range', () => {
    failsCleanly(
      'seed',
      withBad('seed', 'ExtractedFeatures/label.mat', 'seed_label_out_of_range.mat'),
      /label\.mat: variable 'label' has label 2 at position 5, outside -1\.\.1/,
    );
    failsCleanly(
      'seed-v',
      withBad('seed-v', 'EEG_DE_features/1_123.npz', 'seed-v_eeg_1_label_out_of_range.npz'),
      /1_123\.npz: variable 'label\[3\]' has label 7 at position 0, outside 0\.\.4/,
    );
  });

  test('an unknown release name, a release not imported, and a damaged cache', () => {
    assert.throws(
      () => importDataset('seed-vii', FIXTURES),
      /cannot import "seed-vii": known releases are seed, seed-iv, seed-v/,
    );
    assert.throws(
      () => loadDataset('seed-v'),
      (e: unknown) =>
        e instanceof DatasetNotImportedError && /cmcrd data import seed-v/.test((e as Error).message),
    );
    writeFileSync(cachePath('seed-v'), 'garbage');
    assert.throws(
      () => loadDataset('seed-v'),
      (e: unknown) =>
        e instanceof CacheFileError &&
        /seed-v\.arrow is not a usable seed-v cache.*import the dataset again/.test((e as Error).message),
    );
    rmSync(cachePath('seed-v'));
  });
});
