import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Rng } from '../src/rng.js';

describe('seeded streams', () => {
  it('normal() is standard normal (moments and tails of 1M draws)', () => {
    const r = new Rng(42, 1, 2);
    const n = 1_000_000;
    let s = 0;
    let s2 = 0;
    let s4 = 0;
    let over2 = 0;
    let over3 = 0;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
      s4 += x ** 4;
      if (Math.abs(x) > 2) over2++;
      if (Math.abs(x) > 3) over3++;
    }
    assert.ok(Math.abs(s / n) < 0.005, `mean ${s / n}`);
    assert.ok(Math.abs(s2 / n - 1) < 0.006, `variance ${s2 / n}`);
    assert.ok(Math.abs(s4 / n - 3) < 0.05, `fourth moment ${s4 / n}`);
    assert.ok(Math.abs(over2 / n - 0.0455) < 0.0015, `P(|x|>2) ${over2 / n}`);
    assert.ok(Math.abs(over3 / n - 0.0027) < 0.0003, `P(|x|>3) ${over3 / n}`);
  });

  it('the same (seed, tags) repeats; another seed or tag gives another stream', () => {
    const draw = (seed: number, ...tags: number[]): number[] => {
      const r = new Rng(seed, ...tags);
      return Array.from({ length: 8 }, () => r.normal());
    };
    assert.deepEqual(draw(3, 1, 2), draw(3, 1, 2));
    assert.notDeepEqual(draw(3, 1, 2), draw(4, 1, 2));
    assert.notDeepEqual(draw(3, 1, 2), draw(3, 2, 1));
    assert.notDeepEqual(draw(2 ** 40, 1), draw(0, 1), 'high bits of a large seed matter');
  });

  it('uniform() lies in [0, 1) and int() in its closed range', () => {
    const r = new Rng(0);
    for (let i = 0; i < 10_000; i++) {
      const u = r.uniform();
      assert.ok(u >= 0 && u < 1);
      const k = r.int(12, 64);
      assert.ok(Number.isInteger(k) && k >= 12 && k <= 64);
    }
  });
});
