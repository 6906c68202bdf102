/**
 * Significance statistics of the report tables: a paired t-test over folds and the
 * Benjamini–Hochberg adjustment over a family of comparisons.
 *
 * Both are meant to give the numbers scipy / statsmodels give, so that a table made here
 * can be checked against a Python notebook. The reference values in
 * test/reference/stats.json were computed with scipy 1.10 and statsmodels 0.13 (see
 * docs/statistics.md); every departure from them is listed in the doc comments below.
 */
import padjust from '@stdlib/stats-padjust';
import ttest from '@stdlib/stats-ttest';

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
 * Two-sided paired t-test of `a − b`, as `scipy.stats.ttest_rel(a, b)` (default
 * `nan_policy='propagate'`). `df` is n − 1 and `meanDifference` the mean of `a − b`.
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
export function pairedTTest(a: ArrayLike<number>, b: ArrayLike<number>): TTestResult {
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
    return {
      statistic: d[0] > 0 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY,
      pValue: 0,
      df,
      n,
      meanDifference: d[0],
      note: 'all differences are equal (zero variance): p is forced to 0',
    };
  }

  // A one-sample test of the differences is the paired test; passing d saves a copy.
  const out = ttest(d, { alternative: 'two-sided' });
  return { statistic: out.statistic, pValue: out.pValue, df: out.df, n, meanDifference: out.mean };
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
