import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSplit,
  DATASET_NAMES,
  type Dataset,
  DEFAULT_PROTOCOL_OPTIONS,
  datasetSpec,
  listFolds,
  loadDataset,
  windowsPerTrial,
} from '../src/index.js';
import { generateSynthetic } from '../src/synthetic.js';
import { lda } from './classifiers.js';

function bytes(a: Float32Array | Int32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** Mean over features of the lag-1 product of within-subject z-scores, and the same for random pairs. */
function smoothness(ds: Dataset, mod: 'eeg' | 'em', subject: number): { lag1: number; shuffled: number } {
  const d = mod === 'eeg' ? ds.spec.eegDim : ds.spec.emDim;
  const x = ds[mod];
  const rows: number[] = [];
  for (let i = 0; i < ds.n; i++) if (ds.subject[i] === subject) rows.push(i);
  const mean = new Float64Array(d);
  const sd = new Float64Array(d);
  for (const r of rows) for (let j = 0; j < d; j++) mean[j] += x[r * d + j] / rows.length;
  for (const r of rows) for (let j = 0; j < d; j++) sd[j] += (x[r * d + j] - mean[j]) ** 2 / rows.length;
  for (let j = 0; j < d; j++) sd[j] = Math.sqrt(sd[j]);
  const prod = (a: number, b: number): number => {
    let s = 0;
    for (let j = 0; j < d; j++) s += ((x[a * d + j] - mean[j]) / sd[j]) * ((x[b * d + j] - mean[j]) / sd[j]);
    return s / d;
  };
  let lag = 0;
  let nl = 0;
  for (let k = 0; k + 1 < rows.length; k++) {
    const [a, b] = [rows[k], rows[k + 1]];
    if (ds.trial[a] !== ds.trial[b] || ds.session[a] !== ds.session[b]) continue;
    lag += prod(a, b);
    nl++;
  }
  let sh = 0;
  let state = 12345;
  for (const a of rows) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    sh += prod(a, rows[state % rows.length]);
  }
  return { lag1: lag / nl, shuffled: sh / rows.length };
}

for (const name of DATASET_NAMES) {
  describe(`${name} structure`, () => {
    const spec = datasetSpec(name);
    const ds = loadDataset(name);
    const wpt = windowsPerTrial(spec);

    it('has the right shapes', () => {
      const perSubject = wpt.flat().reduce((a, b) => a + b, 0);
      assert.equal(ds.n, perSubject * spec.subjects);
      assert.equal(ds.eeg.length, ds.n * 310);
      assert.equal(ds.em.length, ds.n * spec.emDim);
      for (const a of [ds.label, ds.subject, ds.session, ds.trial, ds.window]) assert.equal(a.length, ds.n);
      assert.equal(ds.spec, spec);
    });

    it('rows run subject > session > trial > window, every window labelled with its trial', () => {
      let i = 0;
      for (let s = 1; s <= spec.subjects; s++) {
        for (let e = 1; e <= spec.sessions; e++) {
          for (let t = 1; t <= spec.trialsPerSession; t++) {
            for (let w = 0; w < wpt[e - 1][t - 1]; w++, i++) {
              if (ds.subject[i] !== s || ds.session[i] !== e || ds.trial[i] !== t || ds.window[i] !== w) {
                assert.fail(`row ${i}: got ${ds.subject[i]}/${ds.session[i]}/${ds.trial[i]}/${ds.window[i]}`);
              }
              if (ds.label[i] !== spec.sessionLabels[e - 1][t - 1])
                assert.fail(`row ${i}: label ${ds.label[i]}`);
            }
          }
        }
      }
      assert.equal(i, ds.n);
    });

    it('windows per trial lie in the range and are the same for every subject', () => {
      const [lo, hi] = spec.windowsPerTrialRange;
      const counts = new Map<string, number>();
      for (let i = 0; i < ds.n; i++) {
        const key = `${ds.subject[i]}/${ds.session[i]}/${ds.trial[i]}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      assert.equal(counts.size, spec.subjects * spec.sessions * spec.trialsPerSession);
      for (const [key, c] of counts) {
        const [, e, t] = key.split('/').map(Number);
        assert.ok(c >= lo && c <= hi, `${key}: ${c} windows`);
        assert.equal(c, wpt[e - 1][t - 1], key);
      }
      const distinct = new Set(wpt.flat());
      assert.ok(distinct.size > spec.trialsPerSession / 2, 'trial lengths should vary');
      if (spec.family === 'seed') {
        // SEED shows the same 15 clips in every session
        assert.deepEqual(wpt[1], wpt[0]);
        assert.deepEqual(wpt[2], wpt[0]);
      }
    });

    it('EEG is finite and DE-like: positive, band baselines decreasing delta > ... > gamma', () => {
      const band = new Float64Array(5);
      let negative = 0;
      for (let i = 0; i < ds.eeg.length; i++) {
        const v = ds.eeg[i];
        if (!Number.isFinite(v)) assert.fail(`EEG value ${i} is ${v}`);
        if (v < 0) negative++;
        band[i % 5] += v;
      }
      assert.ok(negative / ds.eeg.length < 0.001, `${negative} negative values`);
      for (let b = 1; b < 5; b++) assert.ok(band[b] < band[b - 1], `band means ${[...band]}`);
    });

    it('EM is NaN exactly for the subjects without eye movements', () => {
      const hasEm = new Set(spec.emSubjects);
      const d = spec.emDim;
      for (let i = 0; i < ds.n; i++) {
        const want = !hasEm.has(ds.subject[i]);
        for (let j = 0; j < d; j++) {
          const v = ds.em[i * d + j];
          if (Number.isNaN(v) !== want || (!want && !Number.isFinite(v))) {
            assert.fail(`row ${i} (subject ${ds.subject[i]}), feature ${j}: ${v}`);
          }
        }
      }
      if (spec.family === 'seed') {
        const noEm = new Set<number>();
        for (let i = 0; i < ds.n; i++) if (Number.isNaN(ds.em[i * d])) noEm.add(ds.subject[i]);
        assert.deepEqual([...noEm], [13, 14, 15]);
      }
    });

    it('features are temporally smooth within trials', () => {
      for (const mod of ['eeg', 'em'] as const) {
        const { lag1, shuffled } = smoothness(ds, mod, 2);
        assert.ok(lag1 > 0.6, `${mod} lag-1 autocorrelation ${lag1}`);
        assert.ok(lag1 - shuffled > 0.5, `${mod} lag-1 ${lag1} vs shuffled ${shuffled}`);
      }
    });

    it('about 1% of windows carry an artefact (robust z > 8) in each modality', () => {
      for (const mod of ['eeg', 'em'] as const) {
        const d = mod === 'eeg' ? spec.eegDim : spec.emDim;
        const x = ds[mod];
        let flagged = 0;
        let total = 0;
        for (const s of spec.emSubjects.slice(0, 4)) {
          const rows: number[] = [];
          for (let i = 0; i < ds.n; i++) if (ds.subject[i] === s) rows.push(i);
          const med = new Float64Array(d);
          const mad = new Float64Array(d);
          const sample = rows.filter((_, k) => k % 4 === 0); // median and MAD from every 4th window
          for (let j = 0; j < d; j++) {
            const v = Float64Array.from(sample, (r) => x[r * d + j]).sort();
            med[j] = v[v.length >> 1];
            const dev = v.map((a) => Math.abs(a - med[j])).sort();
            mad[j] = 1.4826 * dev[dev.length >> 1];
          }
          for (const r of rows) {
            total++;
            for (let j = 0; j < d; j++) {
              if (Math.abs(x[r * d + j] - med[j]) > 8 * mad[j]) {
                flagged++;
                break;
              }
            }
          }
        }
        const rate = flagged / total;
        assert.ok(rate > 0.004 && rate < 0.02, `${mod}: ${(100 * rate).toFixed(2)}% outlying windows`);
      }
    });

    it('the same (name, seed) is cached', () => {
      assert.equal(loadDataset(name), ds);
      assert.equal(loadDataset(name, { seed: 0 }), ds);
    });
  });
}

describe('determinism', () => {
  for (const name of DATASET_NAMES) {
    it(`${name}: same seed gives byte-identical arrays, another seed different data`, () => {
      const spec = datasetSpec(name);
      const a = loadDataset(name, { seed: 0 });
      const b = generateSynthetic(spec, 0);
      for (const k of ['eeg', 'em', 'label', 'subject', 'session', 'trial', 'window'] as const) {
        assert.ok(bytes(a[k]).equals(bytes(b[k])), `${k} differs between two generations with seed 0`);
      }
      const c = generateSynthetic(spec, 1);
      assert.equal(c.n, a.n, 'trial lengths do not depend on the seed');
      assert.ok(bytes(c.label).equals(bytes(a.label)), 'labels do not depend on the seed');
      let same = 0;
      for (let i = 0; i < a.eeg.length; i++) if (a.eeg[i] === c.eeg[i]) same++;
      assert.ok(same / a.eeg.length < 0.001, `${same} identical EEG values across seeds`);
      let sameEm = 0;
      let nonNan = 0;
      for (let i = 0; i < a.em.length; i++) {
        if (Number.isNaN(a.em[i])) continue;
        nonNan++;
        if (a.em[i] === c.em[i]) sameEm++;
      }
      assert.ok(sameEm / nonNan < 0.001, `${sameEm} identical EM values across seeds`);
    });
  }

  it('loadDataset caches per (name, seed) and rejects a non-integer seed', () => {
    const a = loadDataset('synthetic-seed-v', { seed: 7 });
    assert.equal(loadDataset('synthetic-seed-v', { seed: 7 }), a);
    assert.notEqual(loadDataset('synthetic-seed-v', { seed: 8 }), a);
    assert.throws(() => loadDataset('synthetic-seed-v', { seed: 1.5 }), RangeError);
  });
});

describe('complementary modalities', () => {
  /** Row-normalised confusion of a shrinkage-LDA classifier pooled over all within-subject folds. */
  function confusion(name: string, mod: 'eeg' | 'em', step = 1): number[][] {
    const ds = loadDataset(name);
    const c = ds.spec.numClasses;
    const conf = Array.from({ length: c }, () => new Array<number>(c).fill(0));
    for (const fold of listFolds(ds.spec, 'within-subject')) {
      const sp = buildSplit(ds, 'within-subject', fold, DEFAULT_PROTOCOL_OPTIONS);
      const d = mod === 'eeg' ? sp.eegDim : sp.emDim;
      const predict = lda(sp.train[mod], sp.train.labels, sp.train.n, d, c, 0.1, step);
      for (let i = 0; i < sp.test.n; i++) conf[sp.test.labels[i]][predict(sp.test[mod], i)]++;
    }
    return conf.map((row) => row.map((v) => v / row.reduce((a, b) => a + b, 0)));
  }
  const pair = (m: number[][], a: number, b: number): number => m[a][b] + m[b][a];

  it('SEED-IV: EEG confuses sad and fear more than EM; EM confuses neutral and sad more than EEG', () => {
    const [eeg, em] = [confusion('synthetic-seed-iv', 'eeg'), confusion('synthetic-seed-iv', 'em')];
    const [neutral, sad, fear] = [0, 1, 2];
    assert.ok(
      pair(eeg, sad, fear) > pair(em, sad, fear) + 0.2,
      `sad<->fear EEG ${pair(eeg, sad, fear)} EM ${pair(em, sad, fear)}`,
    );
    assert.ok(
      pair(em, neutral, sad) > pair(eeg, neutral, sad) + 0.1,
      `neutral<->sad EM ${pair(em, neutral, sad)} EEG ${pair(eeg, neutral, sad)}`,
    );
    assert.ok(em[fear][fear] > eeg[fear][fear], 'EM recognises fear better');
  });

  it('SEED-V: EEG confuses disgust and fear more than EM', () => {
    const [eeg, em] = [confusion('synthetic-seed-v', 'eeg'), confusion('synthetic-seed-v', 'em')];
    const [disgust, fear] = [0, 1];
    assert.ok(
      pair(eeg, disgust, fear) > pair(em, disgust, fear) + 0.1,
      `EEG ${pair(eeg, disgust, fear)} EM ${pair(em, disgust, fear)}`,
    );
  });

  it('SEED: EM confuses negative and positive (valence) more than EEG', () => {
    // 1-s windows are highly redundant: fit on every 4th training window
    const [eeg, em] = [confusion('synthetic-seed', 'eeg', 4), confusion('synthetic-seed', 'em', 4)];
    assert.ok(pair(em, 0, 2) > pair(eeg, 0, 2) + 0.2, `EM ${pair(em, 0, 2)} EEG ${pair(eeg, 0, 2)}`);
  });
});
