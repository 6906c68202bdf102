import { type Scalar, type Tensor2D, tf } from '../tf.js';
import { confidenceWeights } from './entropy-weights.js';
import { stopGradient } from './gradient-routing.js';

export const MCC_TEMPERATURE = 2.5;

/**
 * Minimum class confusion (Jin et al., ECCV 2020), as the reference implementation computes it:
 * p = softmax(z/T); entropy weights (held constant, as the reference detaches them);
 * C = pᵀ diag(w) p; column j of C divided by row-sum j; L = (ΣC − trace C) / c.
 */
export function mccLoss(logits: Tensor2D, temperature = MCC_TEMPERATURE): Scalar {
  return tf.tidy(() => {
    const [n, c] = logits.shape;
    const p = tf.softmax(tf.div(logits, temperature)) as Tensor2D;
    const w = stopGradient(confidenceWeights(p));
    const confusion = tf.matMul(tf.mul(p, tf.reshape(w, [n, 1])), p, true, false);
    const normalised = tf.div(confusion, tf.sum(confusion, 1));
    return tf.div(tf.sub(tf.sum(normalised), tf.sum(tf.mul(normalised, tf.eye(c)))), c) as Scalar;
  });
}
