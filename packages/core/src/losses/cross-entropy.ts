import { type Scalar, type Tensor2D, tf } from '../tf.js';

/** Mean softmax cross-entropy of integer labels (given as a one-hot [n, c] tensor). */
export function crossEntropy(logits: Tensor2D, oneHot: Tensor2D): Scalar {
  return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1))) as Scalar;
}
