/**
 * Sanity/calibration script (not a test): unimodal accuracies of two quick linear classifiers (shrinkage LDA, nearest class mean) on the
 * synthetic presets, per protocol, with the default (leak-free) options. It only ever looks at
 * unimodal EEG and EM accuracies — never at any distillation method — which is the rule for
 * calibrating GENERATOR_KNOBS.
 *
 *   node --conditions=@cmcrd/source --import tsx test/calibrate.ts [preset ...] [--seed N] [--folds N]
 *        [--knobs '{"seed-iv":{"classSeparation":1.5,"eeg":{"noiseSd":2}}}']
 *
 * --knobs deep-merges trial values into GENERATOR_KNOBS for this process only (to try values before
 * editing the table in src/synthetic.ts).
 */
import { performance } from 'node:perf_hooks';
import {
  buildSplit,
  DATASET_NAMES,
  DEFAULT_PROTOCOL_OPTIONS,
  GENERATOR_KNOBS,
  listFolds,
  loadDataset,
  PROTOCOL_NAMES,
  type SplitPart,
} from '../src/index.js';

const args = process.argv.slice(2);
const opt = (flag: string, dflt: number): number => {
  const i = args.indexOf(flag);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const seed = opt('--seed', 0);
const maxFolds = opt('--folds', 1000);
const knobsArg = args.indexOf('--knobs');
if (knobsArg >= 0) {
  const merge = (target: Record<string, unknown>, src: Record<string, unknown>): void => {
    for (const [k, v] of Object.entries(src)) {
      if (v && typeof v === 'object' && !Array.isArray(v)) merge(target[k] as Record<string, unknown>, v as Record<string, unknown>);
      else target[k] = v;
    }
  };
  merge(GENERATOR_KNOBS as unknown as Record<string, unknown>, JSON.parse(args[knobsArg + 1]));
}
const names = args.filter((a, i) => !a.startsWith('--') && !(i > 0 && args[i - 1].startsWith('--')));
const presets = names.length > 0 ? names : [...DATASET_NAMES];

/**
 * Linear discriminant analysis with a shrunk pooled covariance (Sigma + gamma * mean(diag) * I),
 * solved by Cholesky. Training rows subsampled with `step`. (A ridge fit of one-hot targets is a poor
 * proxy here: it masks classes that sit between two others, e.g. neutral between sad and happy.)
 */
function lda(x: Float32Array, y: Int32Array, n: number, d: number, c: number, gamma: number, step: number) {
  const mu = new Float64Array(c * d);
  const cnt = new Float64Array(c);
  for (let i = 0; i < n; i += step) {
    cnt[y[i]]++;
    for (let j = 0; j < d; j++) mu[y[i] * d + j] += x[i * d + j];
  }
  for (let k = 0; k < c; k++) for (let j = 0; j < d; j++) mu[k * d + j] /= Math.max(cnt[k], 1);
  const G = new Float64Array(d * d);
  const row = new Float64Array(d);
  let m = 0;
  for (let i = 0; i < n; i += step, m++) {
    for (let j = 0; j < d; j++) row[j] = x[i * d + j] - mu[y[i] * d + j];
    for (let a = 0; a < d; a++) {
      const ra = row[a];
      const o = a * d;
      for (let b = a; b < d; b++) G[o + b] += ra * row[b];
    }
  }
  let tr = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) G[a * d + b] /= m;
    tr += G[a * d + a];
  }
  for (let a = 0; a < d; a++) {
    for (let b = 0; b < a; b++) G[a * d + b] = G[b * d + a];
    G[a * d + a] += (gamma * tr) / d;
  }
  // Cholesky G = L L^T (in place, lower)
  for (let j = 0; j < d; j++) {
    let s = G[j * d + j];
    for (let k = 0; k < j; k++) s -= G[j * d + k] ** 2;
    const ljj = Math.sqrt(Math.max(s, 1e-12));
    G[j * d + j] = ljj;
    for (let i = j + 1; i < d; i++) {
      let t = G[i * d + j];
      for (let k = 0; k < j; k++) t -= G[i * d + k] * G[j * d + k];
      G[i * d + j] = t / ljj;
    }
  }
  const W = new Float64Array(c * d);
  const bias = new Float64Array(c);
  for (let k = 0; k < c; k++) {
    const z = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let t = mu[k * d + i];
      for (let j = 0; j < i; j++) t -= G[i * d + j] * z[j];
      z[i] = t / G[i * d + i];
    }
    for (let i = d - 1; i >= 0; i--) {
      let t = z[i];
      for (let j = i + 1; j < d; j++) t -= G[j * d + i] * W[k * d + j];
      W[k * d + i] = t / G[i * d + i];
    }
    let q = 0;
    for (let i = 0; i < d; i++) q += W[k * d + i] * mu[k * d + i];
    bias[k] = -0.5 * q + Math.log(Math.max(cnt[k], 1));
  }
  return (xs: Float32Array, i: number): number => {
    let best = 0;
    let bestV = -Infinity;
    for (let k = 0; k < c; k++) {
      let v = bias[k];
      for (let j = 0; j < d; j++) v += xs[i * d + j] * W[k * d + j];
      if (v > bestV) {
        bestV = v;
        best = k;
      }
    }
    return best;
  };
}

/** Nearest class mean. */
function ncm(x: Float32Array, y: Int32Array, n: number, d: number, c: number) {
  const mu = new Float64Array(c * d);
  const cnt = new Float64Array(c);
  for (let i = 0; i < n; i++) {
    cnt[y[i]]++;
    for (let j = 0; j < d; j++) mu[y[i] * d + j] += x[i * d + j];
  }
  for (let k = 0; k < c; k++) for (let j = 0; j < d; j++) mu[k * d + j] /= Math.max(cnt[k], 1);
  return (xs: Float32Array, i: number): number => {
    let best = 0;
    let bestV = Infinity;
    for (let k = 0; k < c; k++) {
      let v = 0;
      for (let j = 0; j < d; j++) v += (xs[i * d + j] - mu[k * d + j]) ** 2;
      if (v < bestV) {
        bestV = v;
        best = k;
      }
    }
    return best;
  };
}

function accuracy(pred: (x: Float32Array, i: number) => number, part: SplitPart, x: Float32Array): number {
  let ok = 0;
  for (let i = 0; i < part.n; i++) if (pred(x, i) === part.labels[i]) ok++;
  return part.n > 0 ? ok / part.n : Number.NaN;
}

const fmt = (a: number[]): string => {
  const m = a.reduce((s, v) => s + v, 0) / a.length;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - m) ** 2, 0) / Math.max(a.length - 1, 1));
  return `${(100 * m).toFixed(1)} ± ${(100 * sd).toFixed(1)}`;
};

for (const name of presets) {
  const t0 = performance.now();
  const ds = loadDataset(name, { seed });
  const t1 = performance.now();
  console.log(`\n${name} (seed ${seed}): ${ds.n} windows, generated in ${((t1 - t0) / 1000).toFixed(2)} s`);
  const { numClasses: c, eegDim, emDim } = ds.spec;
  for (const protocol of PROTOCOL_NAMES) {
    const folds = listFolds(ds.spec, protocol).slice(0, maxFolds);
    const acc: Record<string, number[]> = { 'EEG lda': [], 'EM lda': [], 'EEG ncm': [], 'EM ncm': [] };
    const conf: Record<string, number[][]> = {
      EEG: Array.from({ length: c }, () => new Array(c).fill(0)),
      EM: Array.from({ length: c }, () => new Array(c).fill(0)),
    };
    for (const fold of folds) {
      const sp = buildSplit(ds, protocol, fold, DEFAULT_PROTOCOL_OPTIONS);
      const step = protocol === 'cross-subject' ? 4 : 1;
      for (const [mod, d] of [
        ['EEG', eegDim],
        ['EM', emDim],
      ] as const) {
        const xtr = mod === 'EEG' ? sp.train.eeg : sp.train.em;
        const xte = mod === 'EEG' ? sp.test.eeg : sp.test.em;
        const r = lda(xtr, sp.train.labels, sp.train.n, d, c, 0.1, step);
        acc[`${mod} lda`].push(accuracy(r, sp.test, xte));
        for (let i = 0; i < sp.test.n; i++) conf[mod][sp.test.labels[i]][r(xte, i)]++;
        acc[`${mod} ncm`].push(accuracy(ncm(xtr, sp.train.labels, sp.train.n, d, c), sp.test, xte));
      }
    }
    console.log(
      `  ${protocol.padEnd(15)} ${Object.entries(acc)
        .map(([k, v]) => `${k} ${fmt(v)}`)
        .join(' | ')}`,
    );
    for (const mod of ['EEG', 'EM']) {
      const rows = conf[mod].map(
        (r, k) => `${ds.spec.classNames[k].slice(0, 5).padEnd(5)} ${r.map((v) => ((100 * v) / r.reduce((a, b) => a + b, 0)).toFixed(0).padStart(3)).join(' ')}`,
      );
      console.log(`    ${mod} lda confusion (row %): ${rows.join(' / ')}`);
    }
  }
}
