/**
 * Significance statistics of the report tables: a paired t-test over folds and the
 * Benjamini–Hochberg adjustment over a family of comparisons.
 *
 * Both are meant to give the numbers scipy / statsmodels give, so that a table made here
 * can be checked against a Python notebook. The reference values in
 * test/reference/stats.json were computed with scipy 1.10 and statsmodels 0.13 (see
 * docs/statistics.md); every departure from them is listed in the doc comments below.
 */
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tPdf from '@stdlib/stats-base-dists-t-pdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import padjust from '@stdlib/stats-padjust';
import ttest from '@stdlib/stats-ttest';
import wilcoxon from '@stdlib/stats-wilcoxon';

import { ALTERNATIVES, type Alternative, PAIRED_TESTS, type PairedTest } from './stats-options.js';

export { ALTERNATIVES, type Alternative, PAIRED_TESTS, type PairedTest };

export interface TTestResult {
  statistic: number;
  pValue: number;
  df: number;
  n: number;
  meanDifference: number;
  /** why the test could not be computed, when pValue is NaN or forced */
  note?: string;
}

/**
 * Paired t-test of `a − b`, as `scipy.stats.ttest_rel(a, b, alternative=…)` (default
 * `nan_policy='propagate'`; two-sided unless asked). `df` is n − 1 and `meanDifference` the mean
 * of `a − b`. One-sided p-values follow scipy for the degenerate cases too: with every difference
 * equal and positive, 'greater' gives p = 0 and 'less' p = 1 (and the other way round).
 *
 * Edge cases (scipy 1.10's output in brackets; we return the same numbers unless said):
 * - different lengths: throws an Error naming both lengths [scipy raises ValueError].
 * - a NaN anywhere in `a` or `b`: statistic, p, df and meanDifference NaN
 *   [scipy: statistic NaN, p NaN, df NaN]; `note` names the first position.
 * - n = 0: everything NaN, df NaN [scipy: NaN, NaN, df NaN]; note 'no pairs'.
 * - n = 1: statistic and p NaN, df 0 [scipy: NaN, NaN, df 0]; note says there are no degrees
 *   of freedom. @stdlib/stats-ttest throws for fewer than two values, so this case never
 *   reaches it.
 * - all differences zero: statistic NaN, p NaN (0/0) [scipy: NaN, NaN]; note
 *   'all differences are zero'. We deliberately do not report t = 0, p = 1: the test is
 *   undefined, and a table should show that rather than "no difference, p = 1".
 * - all differences equal and non-zero: statistic ±Infinity, p 0 [scipy: ±inf, 0]; note
 *   says the variance is zero. We detect this by exact equality of the differences instead
 *   of trusting a computed variance of 0: with differences like 0.1 scipy's mean is off by
 *   an ulp and it returns t ≈ 1e16, p ≈ 1e-33 (a departure only in rounding noise).
 * - an infinite difference (no NaN in the input): statistic, p NaN, df n − 1 [scipy: NaN, NaN,
 *   df n − 1]; note names the position.
 * Ties among the differences need no special care.
 */
export function pairedTTest(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  o: { alternative?: Alternative } = {},
): TTestResult {
  const alternative = o.alternative ?? 'two-sided';
  if (a.length !== b.length) {
    throw new Error(`pairedTTest: the samples differ in length (a has ${a.length}, b has ${b.length})`);
  }
  const n = a.length;
  const nanResult = (df: number, meanDifference: number, note: string): TTestResult => ({
    statistic: Number.NaN,
    pValue: Number.NaN,
    df,
    n,
    meanDifference,
    note,
  });

  for (let i = 0; i < n; i++) {
    if (Number.isNaN(a[i])) return nanResult(Number.NaN, Number.NaN, `a[${i}] is NaN`);
    if (Number.isNaN(b[i])) return nanResult(Number.NaN, Number.NaN, `b[${i}] is NaN`);
  }
  if (n === 0) return nanResult(Number.NaN, Number.NaN, 'no pairs');

  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) d[i] = a[i] - b[i];
  if (n === 1) return nanResult(0, d[0], 'a single pair leaves no degrees of freedom');

  const df = n - 1;
  const firstNonFinite = d.findIndex((x) => !Number.isFinite(x));
  if (firstNonFinite >= 0) {
    // Mirrors numpy: the mean is ±inf (or NaN for inf − inf) and the variance NaN.
    const mean = d.reduce((s, x) => s + x, 0) / n;
    return nanResult(df, mean, `the difference at index ${firstNonFinite} is not finite`);
  }

  if (d.every((x) => x === d[0])) {
    if (d[0] === 0) return nanResult(df, 0, 'all differences are zero');
    const up = d[0] > 0;
    return {
      statistic: up ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
      pValue: alternative === 'two-sided' || (alternative === 'greater') === up ? 0 : 1,
      df,
      n,
      meanDifference: d[0],
      note: 'all differences are equal (zero variance): p is forced to 0 (or 1 against the other side)',
    };
  }

  // A one-sample test of the differences is the paired test; passing d saves a copy.
  const out = ttest(d, { alternative: 'two-sided' });
  // One-sided p from the lower tail by symmetry: @stdlib's 1 − cdf(t) underflows to 0 where
  // scipy's survival function still gives 1e-52.
  const pValue =
    alternative === 'two-sided'
      ? out.pValue
      : tCdf(alternative === 'greater' ? -out.statistic : out.statistic, out.df);
  return { statistic: out.statistic, pValue, df: out.df, n, meanDifference: out.mean };
}

/**
 * Benjamini–Hochberg adjusted p-values, in input order, as
 * `statsmodels.stats.multitest.multipletests(p, method='fdr_bh')[1]`: sort ascending,
 * p(i)·m/i, cumulative minimum from the largest, capped at 1. The result is monotone in p,
 * ties get equal values, and a p of 1 stays 1.
 *
 * Edge cases:
 * - empty family: []. (multipletests 0.13 raises ZeroDivisionError computing its Sidak
 *   alpha; its BH routine, fdrcorrection, returns [] — we follow the latter. @stdlib's
 *   padjust rejects an empty array, so we answer before calling it.)
 * - a p outside [0, 1] (or ±Infinity): throws a RangeError naming the position. statsmodels
 *   does not check and returns garbage (e.g. [1.5, 0.2] → [1, 0.4]); such a p is a bug
 *   upstream, not something to adjust.
 * - any NaN: every adjusted value is NaN, as statsmodels gives (its sort puts NaN last and
 *   the cumulative minimum carries it to all). @stdlib's padjust would throw instead, so
 *   we answer before calling it. Note that a NaN p from {@link pairedTTest} (e.g. all
 *   differences zero) therefore blanks its whole family: drop such comparisons first if
 *   that is not wanted (R's p.adjust, by contrast, ignores NA and adjusts the rest).
 */
export function benjaminiHochberg(pValues: ArrayLike<number>): number[] {
  const p = Array.from(pValues);
  let hasNaN = false;
  for (let i = 0; i < p.length; i++) {
    if (Number.isNaN(p[i])) hasNaN = true;
    else if (!(p[i] >= 0 && p[i] <= 1)) {
      throw new RangeError(`benjaminiHochberg: p-value ${p[i]} at index ${i} is outside [0, 1]`);
    }
  }
  if (p.length === 0) return [];
  if (hasNaN) return p.map(() => Number.NaN);
  return padjust(p, 'bh');
}

/**
 * The size of a paired effect: the mean of `a − b`, its two-sided 95% confidence interval
 * (mean ± t(0.975, n − 1)·s/√n, as `scipy.stats.ttest_rel(a, b).confidence_interval(0.95)`) and
 * Cohen's d_z (mean / s, s the sample standard deviation of the differences with n − 1, as numpy's
 * `mean(d) / std(d, ddof=1)`). The interval is two-sided whatever the test's alternative, so a
 * table reads the same under every test.
 *
 * Edge cases: fewer than two pairs or a NaN/infinite difference give NaN interval and d_z; all
 * differences equal give the interval [d, d] and d_z ±Infinity (NaN when they are all zero), as
 * numpy and scipy do.
 */
export interface PairedEffect {
  n: number;
  meanDifference: number;
  ciLow: number;
  ciHigh: number;
  dz: number;
}

export function pairedEffect(a: ArrayLike<number>, b: ArrayLike<number>, level = 0.95): PairedEffect {
  if (a.length !== b.length) {
    throw new Error(`pairedEffect: the samples differ in length (a has ${a.length}, b has ${b.length})`);
  }
  const n = a.length;
  const d = Array.from({ length: n }, (_, i) => a[i] - b[i]);
  const mean = n ? d.reduce((s, x) => s + x, 0) / n : Number.NaN;
  if (n < 2 || !Number.isFinite(mean)) {
    return { n, meanDifference: mean, ciLow: Number.NaN, ciHigh: Number.NaN, dz: Number.NaN };
  }
  if (d.every((x) => x === d[0])) {
    return { n, meanDifference: d[0], ciLow: d[0], ciHigh: d[0], dz: d[0] / 0 };
  }
  const sd = Math.sqrt(d.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1));
  const half = studentQuantile(1 - (1 - level) / 2, n - 1) * (sd / Math.sqrt(n));
  return { n, meanDifference: mean, ciLow: mean - half, ciHigh: mean + half, dz: mean / sd };
}

/**
 * The t quantile to full double precision: @stdlib's inverse incomplete beta is good to about
 * 1e-10, which the confidence interval would carry; two Newton steps on the CDF (accurate to the
 * last bits) polish it to what scipy's t.ppf gives.
 */
function studentQuantile(p: number, df: number): number {
  let x = tQuantile(p, df);
  for (let i = 0; i < 2; i++) x -= (tCdf(x, df) - p) / tPdf(x, df);
  return x;
}

export interface WilcoxonResult {
  /** Two-sided: min(W+, W−), as scipy; one-sided: W+, the rank sum of the positive differences. */
  statistic: number;
  pValue: number;
  /** Pairs whose difference is not zero (zero differences are dropped, scipy's zero_method='wilcox'). */
  n: number;
  zeros: number;
  method: 'exact' | 'approx';
  note?: string;
}

/**
 * Wilcoxon signed-rank test of `a − b`, as `scipy.stats.wilcoxon(a, b, alternative=…)` with its
 * defaults (zero_method='wilcox': zero differences dropped; no continuity correction). The p-value
 * is exact (the signed-rank distribution) for up to 50 non-zero differences without ties or zeros;
 * otherwise it is the normal approximation with the tie correction of the variance.
 *
 * Departures: with tied |differences| and no zero, scipy 1.10 still takes its exact branch on a
 * truncated W+ (later scipy switches to the approximation, as we do): our p equals
 * `wilcoxon(..., method='approx')` there. All differences zero, fewer than one non-zero difference
 * a single pair or a NaN give p NaN with a note (scipy raises or returns NaN).
 */
export function wilcoxonSignedRank(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  o: { alternative?: Alternative } = {},
): WilcoxonResult {
  if (a.length !== b.length) {
    throw new Error(`wilcoxonSignedRank: the samples differ in length (a has ${a.length}, b has ${b.length})`);
  }
  const alternative = o.alternative ?? 'two-sided';
  const len = a.length;
  const d = Array.from({ length: len }, (_, i) => a[i] - b[i]);
  const nan = (note: string, n = 0, zeros = 0): WilcoxonResult => ({
    statistic: Number.NaN,
    pValue: Number.NaN,
    n,
    zeros,
    method: 'exact',
    note,
  });
  const bad = d.findIndex((x) => !Number.isFinite(x));
  if (bad >= 0) return nan(`the difference at index ${bad} is not a finite number`);
  const nonzero = d.filter((x) => x !== 0);
  const zeros = len - nonzero.length;
  if (len === 0) return nan('no pairs');
  if (len === 1) return nan('a single pair is no test', nonzero.length, zeros);
  if (nonzero.length === 0) return nan('all differences are zero', 0, zeros);
  const abs = nonzero.map(Math.abs);
  const ties = new Set(abs).size !== abs.length;
  const exact = nonzero.length <= 50 && zeros === 0 && !ties;
  // @stdlib drops the zeros itself and, seeing them, takes the normal approximation as scipy does.
  const out = wilcoxon(d, { alternative, correction: false, exact, zeroMethod: 'wilcox' });
  const n = nonzero.length;
  const wPlus = rankSumPositive(nonzero);
  const statistic = alternative === 'two-sided' ? Math.min(wPlus, (n * (n + 1)) / 2 - wPlus) : wPlus;
  return {
    statistic,
    pValue: Math.min(1, out.pValue),
    n,
    zeros,
    method: exact ? 'exact' : 'approx',
  };
}

/** W+: the sum of the (mid-)ranks of |d| over the positive differences. */
function rankSumPositive(d: readonly number[]): number {
  const order = d.map((x, i) => [Math.abs(x), i] as const).sort((p, q) => p[0] - q[0]);
  const ranks = new Array<number>(d.length);
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1][0] === order[i][0]) j++;
    for (let k = i; k <= j; k++) ranks[order[k][1]] = (i + j) / 2 + 1;
    i = j + 1;
  }
  return d.reduce((s, x, i) => s + (x > 0 ? ranks[i] : 0), 0);
}
