/**
 * Two quick linear classifiers for sanity checks and calibration (test/calibrate.ts and the
 * complementarity tests). Not part of the package.
 */
import type { SplitPart } from '../src/index.js';

export type Predictor = (x: Float32Array, row: number) => number;

/**
 * Linear discriminant analysis with a shrunk pooled covariance (Sigma + gamma * mean(diag) * I),
 * solved by Cholesky. Training rows subsampled with `step`. (A ridge fit of one-hot targets is a poor
 * proxy here: it masks classes that sit between two others, e.g. neutral between sad and happy.)
 */
export function lda(
  x: Float32Array,
  y: Int32Array,
  n: number,
  d: number,
  c: number,
  gamma: number,
  step = 1,
): Predictor {
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
export function ncm(x: Float32Array, y: Int32Array, n: number, d: number, c: number): Predictor {
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

export function accuracy(pred: Predictor, part: SplitPart, x: Float32Array): number {
  let ok = 0;
  for (let i = 0; i < part.n; i++) if (pred(x, i) === part.labels[i]) ok++;
  return part.n > 0 ? ok / part.n : Number.NaN;
}
