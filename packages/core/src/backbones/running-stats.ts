import { type Tensor, type Variable, tf } from '../tf.js';
import { newVariable } from './init.js';

const MOMENTUM = 0.1; // PyTorch's convention: running = (1 − m)·running + m·batch

/**
 * Batch normalisation's running mean and variance. A training forward pass hands over its batch
 * statistics (hold); they are folded in only after the optimizer step (commit), so that a step
 * that fails or is discarded leaves them untouched.
 */
export class RunningStats {
  readonly mean: Variable;
  readonly variance: Variable;
  private pending: { mean: Tensor; variance: Tensor; n: number } | null = null;

  constructor(shape: number[], prefix: string) {
    this.mean = newVariable(tf.zeros(shape), false, `${prefix}/running_mean`);
    this.variance = newVariable(tf.ones(shape), false, `${prefix}/running_var`);
  }

  /** Takes ownership of a batch's (kept) biased mean and variance over n rows. */
  hold(mean: Tensor, variance: Tensor, n: number): void {
    this.drop();
    this.pending = { mean, variance, n };
  }

  commit(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    tf.tidy(() => {
      const unbiased = tf.reshape(p.n > 1 ? tf.mul(p.variance, p.n / (p.n - 1)) : p.variance, this.variance.shape);
      const mean = tf.reshape(p.mean, this.mean.shape);
      this.mean.assign(tf.add(tf.mul(this.mean, 1 - MOMENTUM), tf.mul(mean, MOMENTUM)));
      this.variance.assign(tf.add(tf.mul(this.variance, 1 - MOMENTUM), tf.mul(unbiased, MOMENTUM)));
    });
    p.mean.dispose();
    p.variance.dispose();
  }

  private drop(): void {
    this.pending?.mean.dispose();
    this.pending?.variance.dispose();
    this.pending = null;
  }

  dispose(): void {
    this.drop();
    this.mean.dispose();
    this.variance.dispose();
  }
}
