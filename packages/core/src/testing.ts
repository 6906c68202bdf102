// Assertions the packages' tests share (`@cmcrd/core/testing`); not part of the library proper.
import assert from 'node:assert/strict';
import type { Tensor } from './tf.js';

/** |actual − expected| ≤ atol + rtol·|expected|, elementwise. */
export function assertClose(
  actual: ArrayLike<number> | number,
  expected: ArrayLike<number> | number,
  opts: { rtol?: number; atol?: number; what?: string } = {},
): void {
  const rtol = opts.rtol ?? 1e-4;
  const atol = opts.atol ?? 0;
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : Array.from(expected);
  assert.equal(a.length, e.length, `${opts.what ?? 'value'}: length ${a.length} vs expected ${e.length}`);
  for (let i = 0; i < a.length; i++) {
    const ok = Math.abs(a[i] - e[i]) <= atol + rtol * Math.abs(e[i]);
    assert.ok(ok, `${opts.what ?? 'value'}[${i}]: got ${a[i]}, expected ${e[i]} (rtol ${rtol}, atol ${atol})`);
  }
}

/** A tensor's values (synchronously). */
export function flat(t: Tensor): Float32Array {
  return t.dataSync() as Float32Array;
}

/** A tensor's values without a synchronous read (webgpu in Node has none). */
export async function read(t: Tensor): Promise<Float32Array> {
  return (await t.data()) as Float32Array;
}
