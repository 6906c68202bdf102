import { type Tensor1D, type Tensor2D, tf } from '../tf.js';

const LOG_EPS = 1e-5;

/** Per-row entropy H_i = -Σ_j p_ij log(p_ij + 1e-5) of softmax probabilities. */
export function rowEntropy(p: Tensor2D): Tensor1D {
  return tf.neg(tf.sum(tf.mul(p, tf.log(tf.add(p, LOG_EPS))), 1)) as Tensor1D;
}

/**
 * Confidence weights w_i = n·(1 + e^{-H_i}) / Σ_k (1 + e^{-H_k}) of rows of probabilities (mean 1
 * over the batch).
 */
export function confidenceWeights(p: Tensor2D): Tensor1D {
  return tf.tidy(() => {
    const raw = tf.add(1, tf.exp(tf.neg(rowEntropy(p))));
    return tf.mul(tf.div(raw, tf.sum(raw)), p.shape[0]) as Tensor1D;
  });
}

/**
 * The confidence weights of the softmax of logits/T. Shared by MCC (T = 2.5) and CMCRD's
 * information-entropy weighting (T = 1).
 */
export function entropyWeights(logits: Tensor2D, temperature: number): Tensor1D {
  return tf.tidy(() => confidenceWeights(tf.softmax(tf.div(logits, temperature)) as Tensor2D));
}
