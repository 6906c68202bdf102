import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { benjaminiHochberg, pairedTTest } from '@cmcrd/reports';

// Written by test/reference/compute_stats.py with scipy / statsmodels; see its docstring.
type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';
interface Reference {
  ttest: {
    name: string;
    a: Encoded[];
    b: Encoded[];
    statistic: Encoded;
    pValue: Encoded;
    df: Encoded;
    meanDifference: Encoded;
  }[];
  bh: { name: string; p: Encoded[]; adjusted: Encoded[] }[];
}

const reference: Reference = JSON.parse(
  readFileSync(new URL('./reference/stats.json', import.meta.url), 'utf8'),
);

function decode(x: Encoded): number {
  if (x === 'NaN') return Number.NaN;
  if (x === 'Infinity') return Number.POSITIVE_INFINITY;
  if (x === '-Infinity') return Number.NEGATIVE_INFINITY;
  return x;
}

const REL = 1e-10;

/** Non-finite values must match exactly; finite ones to REL relative (0 exactly). */
function assertClose(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    assert.ok(Object.is(actual, expected), `${what}: expected ${expected}, got ${actual}`);
    return;
  }
  assert.ok(Number.isFinite(actual), `${what}: expected ${expected}, got ${actual}`);
  const err = Math.abs(actual - expected);
  assert.ok(err <= REL * Math.abs(expected), `${what}: expected ${expected}, got ${actual} (error ${err})`);
}

describe('pairedTTest against scipy.stats.ttest_rel', () => {
  assert.ok(reference.ttest.length >= 20);
  for (const c of reference.ttest) {
    it(c.name, () => {
      const r = pairedTTest(c.a.map(decode), c.b.map(decode));
      assertClose(r.statistic, decode(c.statistic), 'statistic');
      assertClose(r.pValue, decode(c.pValue), 'pValue');
      assertClose(r.df, decode(c.df), 'df');
      assertClose(r.meanDifference, decode(c.meanDifference), 'meanDifference');
      assert.equal(r.n, c.a.length);
      if (Number.isNaN(r.pValue) || r.pValue === 0) assert.ok(r.note, 'a NaN or forced p carries a note');
      else assert.equal(r.note, undefined);
    });
  }

  it('notes why the test is undefined', () => {
    assert.equal(pairedTTest([1, 2, 3], [1, 2, 3]).note, 'all differences are zero');
    assert.match(pairedTTest([1, Number.NaN, 3], [1, 2, 4]).note ?? '', /a\[1\] is NaN/);
    assert.match(pairedTTest([1, 2, 3], [1, 2, Number.NaN]).note ?? '', /b\[2\] is NaN/);
    assert.match(pairedTTest([1], [2]).note ?? '', /degrees of freedom/);
  });

  it('treats equal non-dyadic differences as zero variance', () => {
    // scipy gives t ≈ 1.02e16, p ≈ 9.6e-33 here, from an ulp of error in its mean.
    const r = pairedTTest([0.1, 0.1, 0.1], [0, 0, 0]);
    assert.equal(r.statistic, Number.POSITIVE_INFINITY);
    assert.equal(r.pValue, 0);
    assert.ok(r.note);
  });

  it('accepts typed arrays', () => {
    const r = pairedTTest(Float64Array.of(1, 2, 4), Float32Array.of(0, 0, 1));
    assertClose(r.statistic, pairedTTest([1, 2, 4], [0, 0, 1]).statistic, 'statistic');
  });

  it('throws on different lengths, naming both', () => {
    assert.throws(() => pairedTTest([1, 2, 3], [1, 2]), /a has 3, b has 2/);
    assert.throws(() => pairedTTest([], [1]), /a has 0, b has 1/);
  });
});

describe('benjaminiHochberg against statsmodels multipletests fdr_bh', () => {
  assert.ok(reference.bh.length >= 20);
  for (const c of reference.bh) {
    it(c.name, () => {
      const expected = c.adjusted.map(decode);
      const actual = benjaminiHochberg(c.p.map(decode));
      assert.equal(actual.length, expected.length);
      expected.forEach((e, i) => {
        assertClose(actual[i], e, `adjusted[${i}]`);
      });
    });
  }

  it('is monotone in p and never below p', () => {
    const p = reference.bh.find((c) => c.name === 'unsorted n=30')!.p.map(decode);
    const q = benjaminiHochberg(p);
    const order = p.map((_, i) => i).sort((i, j) => p[i] - p[j]);
    for (let k = 1; k < order.length; k++) assert.ok(q[order[k]] >= q[order[k - 1]]);
    p.forEach((x, i) => {
      assert.ok(q[i] >= x && q[i] <= 1);
    });
  });

  it('throws on p-values outside [0, 1]', () => {
    assert.throws(() => benjaminiHochberg([0.2, 1.5]), /1\.5 at index 1/);
    assert.throws(() => benjaminiHochberg([-0.1]), RangeError);
    assert.throws(() => benjaminiHochberg([Number.POSITIVE_INFINITY]), RangeError);
    // out of range wins over NaN: a NaN family is a result, a bad p is a bug.
    assert.throws(() => benjaminiHochberg([Number.NaN, 2]), RangeError);
  });
});
