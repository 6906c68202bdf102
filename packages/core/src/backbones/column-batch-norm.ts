import { type Tensor2D, type Variable, tf } from '../tf.js';
import { newVariable } from './init.js';
import { RunningStats } from './running-stats.js';

const EPS = 1e-5;

/**
 * Batch normalisation of each column of [rows, f] over the rows, with a learned scale and shift
 * and running statistics: DGCNN's BatchNorm over the band axis, where rows are (window, electrode).
 */
export class ColumnBatchNorm {
  readonly gamma: Variable;
  readonly beta: Variable;
  private readonly running: RunningStats;

  constructor(features: number, prefix: string) {
    this.gamma = newVariable(tf.ones([features]), true, `${prefix}/gamma`);
    this.beta = newVariable(tf.zeros([features]), true, `${prefix}/beta`);
    this.running = new RunningStats([features], prefix);
  }

  apply(x: Tensor2D, training: boolean): Tensor2D {
    const { mean, variance } = training
      ? tf.moments(x, 0)
      : { mean: this.running.mean, variance: this.running.variance };
    if (training) this.running.hold(tf.keep(tf.clone(mean)), tf.keep(tf.clone(variance)), x.shape[0]);
    // Written out rather than tf.batchNorm: its gradient tiles for 4-D inputs only.
    const xhat = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS)));
    return tf.add(tf.mul(xhat, this.gamma), this.beta) as Tensor2D;
  }

  /** Folds the last training batch's statistics into the running ones (after the optimizer step). */
  commit(): void {
    this.running.commit();
  }

  get trainable(): Variable[] {
    return [this.gamma, this.beta];
  }

  /** Snapshot order: gamma, beta, running mean, running variance. */
  get state(): Variable[] {
    return [this.gamma, this.beta, this.running.mean, this.running.variance];
  }

  dispose(): void {
    this.running.dispose();
    this.gamma.dispose();
    this.beta.dispose();
  }
}
