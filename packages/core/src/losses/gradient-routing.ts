import { type Tensor, type Tensor1D, type Tensor2D, tf } from '../tf.js';

// tfjs-core has no stop-gradient op; these identity ops decide what flows back through them.

const stopGradientOp = tf.customGrad(((x: Tensor, save: (t: Tensor[]) => void) => {
  save([]);
  return { value: tf.clone(x), gradFunc: (dy: Tensor) => tf.zerosLike(dy) };
}) as any);

/** Same value, no gradient (torch's `.detach()`). */
export function stopGradient<T extends Tensor>(x: T): T {
  return stopGradientOp(x) as T;
}

const rowGateOp = tf.customGrad(((x: Tensor, keep: Tensor, save: (t: Tensor[]) => void) => {
  save([keep]);
  return {
    value: tf.clone(x),
    gradFunc: (dy: Tensor, saved: Tensor[]) => [
      tf.mul(dy, tf.reshape(saved[0], [-1, 1])),
      tf.zerosLike(saved[0]),
    ],
  };
}) as any);

/**
 * Same value; the gradient of row i is multiplied by keep[i] (1 lets it through, 0 detaches
 * that row). One op instead of keep·x + (1 − keep)·stopGradient(x).
 */
export function gateRowGradients(x: Tensor2D, keep: Tensor1D): Tensor2D {
  return rowGateOp(x, keep) as Tensor2D;
}
