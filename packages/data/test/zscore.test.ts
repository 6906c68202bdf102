import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { zscoreApply, zscoreFit } from '../src/index.js';

describe('zscore', () => {
  // 4 rows x 3 columns; the last column is constant
  const x = Float32Array.from([1, 10, 5, 2, 20, 5, 3, 30, 5, 4, 40, 5]);

  it('fits per-column mean and population std', () => {
    const { mean, std } = zscoreFit(x, 3);
    assert.deepEqual([...mean], [2.5, 25, 5]);
    assert.ok(Math.abs(std[0] - Math.sqrt(1.25)) < 1e-12);
    assert.ok(Math.abs(std[1] - Math.sqrt(125)) < 1e-9);
    assert.ok(std[2] > 0 && std[2] <= 1e-8, 'constant column gets the floor, not 0');
  });

  it('applies (x - mean) / std into a new array; constant columns become 0, not NaN', () => {
    const stats = zscoreFit(x, 3);
    const before = Float32Array.from(x);
    const z = zscoreApply(x, 3, stats);
    assert.notEqual(z, x);
    assert.deepEqual(x, before, 'input untouched');
    for (let i = 0; i < 4; i++) {
      assert.ok(Math.abs(z[i * 3] - (x[i * 3] - 2.5) / Math.sqrt(1.25)) < 1e-6);
      assert.equal(z[i * 3 + 2], 0);
    }
    const back = zscoreFit(z, 3);
    assert.ok(Math.abs(back.mean[0]) < 1e-7 && Math.abs(back.std[0] - 1) < 1e-6);
  });

  it('applies stats fitted elsewhere (no refit)', () => {
    const stats = { mean: Float64Array.from([1, 0, 0]), std: Float64Array.from([2, 1, 1]) };
    const z = zscoreApply(Float32Array.from([3, 1, 1]), 3, stats);
    assert.deepEqual([...z], [1, 1, 1]);
  });

  it('rejects a length that is not a multiple of dim, and stats of another width', () => {
    assert.throws(() => zscoreFit(new Float32Array(7), 3), RangeError);
    assert.throws(() => zscoreApply(x, 3, zscoreFit(x, 2 * 3)), RangeError);
  });
});
