import { type Tensor1D, type Tensor2D, type Variable, tf } from '../tf.js';
import { newVariable } from './init.js';

const MOMENTUM = 0.1; // PyTorch's convention: running = (1 − m)·running + m·batch
const EPS = 1e-5;

/**
 * Batch normalisation of each column of [rows, f] over the rows, with a learned scale and shift
 * and running statistics: DGCNN's BatchNorm over the band axis, where rows are (window, electrode).
 */
export class ColumnBatchNorm {
  readonly gamma: Variable;
  readonly beta: Variable;
  readonly runningMean: Variable;
  readonly runningVar: Variable;
  private pending: { mean: Tensor1D; variance: Tensor1D; n: number } | null = null;

  constructor(features: number, prefix: string) {
    this.gamma = newVariable(tf.ones([features]), true, `${prefix}/gamma`);
    this.beta = newVariable(tf.zeros([features]), true, `${prefix}/beta`);
    this.runningMean = newVariable(tf.zeros([features]), false, `${prefix}/running_mean`);
    this.runningVar = newVariable(tf.ones([features]), false, `${prefix}/running_var`);
  }

  apply(x: Tensor2D, training: boolean): Tensor2D {
    if (!training) {
      const xhat = tf.mul(tf.sub(x, this.runningMean), tf.rsqrt(tf.add(this.runningVar, EPS)));
      return tf.add(tf.mul(xhat, this.gamma), this.beta) as Tensor2D;
    }
    const { mean, variance } = tf.moments(x, 0);
    this.disposePending();
    this.pending = {
      mean: tf.keep(tf.clone(mean)) as Tensor1D,
      variance: tf.keep(tf.clone(variance)) as Tensor1D,
      n: x.shape[0],
    };
    // Written out rather than tf.batchNorm: its gradient tiles for 4-D inputs only.
    const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS)));
    return tf.add(tf.mul(xhat, this.gamma), this.beta) as Tensor2D;
  }

  /** Folds the last training batch's statistics into the running ones (after the optimizer step). */
  commit(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    tf.tidy(() => {
      const unbiased = p.n > 1 ? tf.mul(p.variance, p.n / (p.n - 1)) : p.variance;
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - MOMENTUM), tf.mul(p.mean, MOMENTUM)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - MOMENTUM), tf.mul(unbiased, MOMENTUM)));
    });
    p.mean.dispose();
    p.variance.dispose();
  }

  get trainable(): Variable[] {
    return [this.gamma, this.beta];
  }

  get state(): Variable[] {
    return [this.gamma, this.beta, this.runningMean, this.runningVar];
  }

  private disposePending(): void {
    this.pending?.mean.dispose();
    this.pending?.variance.dispose();
    this.pending = null;
  }

  dispose(): void {
    this.disposePending();
    for (const v of this.state) v.dispose();
  }
}
