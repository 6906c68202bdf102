import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { pairedEffect, pairedTTest, wilcoxonSignedRank } from '@cmcrd/reports';

// Written by test/reference/compute_stats.py with scipy 1.10 (see its docstring): one-sided
// ttest_rel, the effect sizes (confidence_interval(0.95), d_z) and scipy.stats.wilcoxon.
type Encoded = number | 'NaN' | 'Infinity' | '-Infinity';
interface Reference {
  ttestAlternative: { name: string; a: Encoded[]; b: Encoded[]; greater: Encoded; less: Encoded }[];
  effect: {
    name: string;
    a: Encoded[];
    b: Encoded[];
    meanDifference: Encoded;
    ciLow: Encoded;
    ciHigh: Encoded;
    scipyCiLow: Encoded;
    scipyCiHigh: Encoded;
    dz: Encoded;
  }[];
  wilcoxon: {
    name: string;
    a: Encoded[];
    b: Encoded[];
    method: string;
    'two-sided': { statistic: Encoded; pValue: Encoded };
    greater: { statistic: Encoded; pValue: Encoded };
    less: { statistic: Encoded; pValue: Encoded };
  }[];
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

function assertClose(actual: number, expected: number, what: string): void {
  if (!Number.isFinite(expected)) {
    assert.ok(Object.is(actual, expected), `${what}: expected ${expected}, got ${actual}`);
    return;
  }
  assert.ok(Number.isFinite(actual), `${what}: expected ${expected}, got ${actual}`);
  const err = Math.abs(actual - expected);
  assert.ok(err <= REL * Math.abs(expected), `${what}: expected ${expected}, got ${actual} (error ${err})`);
}

describe('pairedTTest one-sided against scipy.stats.ttest_rel(alternative=…)', () => {
  assert.ok(reference.ttestAlternative.length >= 20);
  for (const c of reference.ttestAlternative) {
    it(c.name, () => {
      const a = c.a.map(decode);
      const b = c.b.map(decode);
      assertClose(pairedTTest(a, b, { alternative: 'greater' }).pValue, decode(c.greater), 'greater');
      assertClose(pairedTTest(a, b, { alternative: 'less' }).pValue, decode(c.less), 'less');
    });
  }
});

describe('pairedEffect against scipy confidence_interval(0.95) and numpy d_z', () => {
  assert.ok(reference.effect.length >= 15);
  for (const c of reference.effect) {
    it(c.name, () => {
      const e = pairedEffect(c.a.map(decode), c.b.map(decode));
      assertClose(e.meanDifference, decode(c.meanDifference), 'meanDifference');
      assertClose(e.ciLow, decode(c.ciLow), 'ciLow');
      assertClose(e.ciHigh, decode(c.ciHigh), 'ciHigh');
      // scipy 1.10's own interval differs only by its t.ppf's error (up to 4e-11 relative).
      const width = Math.abs(decode(c.scipyCiHigh) - decode(c.scipyCiLow));
      for (const [ours, theirs] of [
        [e.ciLow, decode(c.scipyCiLow)],
        [e.ciHigh, decode(c.scipyCiHigh)],
      ])
        assert.ok(Math.abs(ours - theirs) <= 1e-10 * Math.max(1, width), `${ours} vs scipy ${theirs}`);
      // numpy's d_z of a zero-variance sample is ±inf (or nan): compare those exactly.
      assertClose(e.dz, decode(c.dz), 'dz');
    });
  }
  it('gives NaN below two pairs', () => {
    const e = pairedEffect([0.8], [0.7]);
    assert.ok(Number.isNaN(e.ciLow) && Number.isNaN(e.dz));
  });
});

describe('wilcoxonSignedRank against scipy.stats.wilcoxon', () => {
  assert.ok(reference.wilcoxon.length >= 15);
  for (const c of reference.wilcoxon) {
    for (const alternative of ['two-sided', 'greater', 'less'] as const) {
      it(`${c.name}, ${alternative}`, () => {
        const r = wilcoxonSignedRank(c.a.map(decode), c.b.map(decode), { alternative });
        assertClose(r.statistic, decode(c[alternative].statistic), 'statistic');
        assertClose(r.pValue, decode(c[alternative].pValue), 'pValue');
      });
    }
  }
  it('is exact for small samples without ties or zeros, approximate otherwise', () => {
    assert.equal(wilcoxonSignedRank([1, 2, 3, 4], [0, 0, 4.5, 1]).method, 'exact');
    assert.equal(wilcoxonSignedRank([1, 2, 3, 4], [1, 0, 4, 1]).method, 'approx');
    assert.equal(wilcoxonSignedRank([1, 2, 3, 4], [0, 1, 4, 1]).method, 'approx');
  });
  it('notes an undefined test instead of throwing', () => {
    assert.match(wilcoxonSignedRank([1, 2], [1, 2]).note ?? '', /all differences are zero/);
    assert.match(wilcoxonSignedRank([1], [0]).note ?? '', /single pair/);
    assert.match(wilcoxonSignedRank([1, Number.NaN], [0, 0]).note ?? '', /not a finite number/);
  });
});
