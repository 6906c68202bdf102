import { type Tensor, type Tensor1D, type Tensor2D, type Variable, tf } from '../tf.js';
import { newVariable } from './init.js';
import { RunningStats } from './running-stats.js';

const EPS = 1e-5;

interface BatchStats {
  mean: Tensor1D;
  variance: Tensor1D;
}

let lastStats: BatchStats | null = null;

/**
 * yᵀ = relu(BN(W·xᵀ)) in training mode, as one differentiable op with a hand-written backward
 * pass, on activations laid out [features, batch].
 *
 * Why this shape: tfjs's generic gradients of matMul + batchNorm + relu run ~100 small kernels a
 * block, the analytic backward about 17; and the wasm kernel repacks the second operand of a
 * product on every call, so the weights (new every step) go first and the small batch second.
 * A bias before batch normalisation receives exactly zero gradient, so the layer has none.
 */
function makeTrainingOp(inputGradient: boolean) {
  return tf.customGrad(((xT: Tensor2D, w: Tensor2D, gamma: Tensor2D, beta: Tensor2D, save: any) => {
    const hT = tf.matMul(w, xT);
    const { mean, variance } = tf.moments(hT, 1, true);
    const rstd = tf.rsqrt(tf.add(variance, EPS));
    const xhat = tf.mul(tf.sub(hT, mean), rstd);
    const yT = tf.relu(tf.add(tf.mul(xhat, gamma), beta));
    save([xT, w, gamma, xhat, rstd, yT]);
    lastStats = { mean: tf.keep(tf.reshape(mean, [-1])) as Tensor1D, variance: tf.keep(tf.reshape(variance, [-1])) as Tensor1D };
    return {
      value: yT,
      gradFunc: (dyT: Tensor2D, saved: Tensor[]) => {
        const [sx, sw, sg, sxhat, srstd, sy] = saved as Tensor2D[];
        const dz = tf.mul(dyT, tf.step(sy));
        const dbeta = tf.sum(dz, 1, true);
        const dgamma = tf.sum(tf.mul(dz, sxhat), 1, true);
        const dxhat = tf.mul(dz, sg);
        const dh = tf.mul(
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, 1, true)), tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), 1, true))),
          srstd,
        );
        const dw = tf.matMul(dh, sx, false, true);
        // The first layer's input is data: its gradient would be a wasted product.
        const dx = inputGradient ? tf.matMul(sw, dh, true, false) : tf.zerosLike(sx);
        return [dx, dw, dgamma, dbeta];
      },
    };
  }) as any);
}

const trainingOp = makeTrainingOp(true);
const firstLayerTrainingOp = makeTrainingOp(false);

/** Linear (no bias) → BatchNorm → ReLU on [features, batch] activations, with running statistics. */
export class DenseBnRelu {
  /** [out, in], PyTorch's layout. */
  readonly w: Variable;
  /** [out, 1] */
  readonly gamma: Variable;
  readonly beta: Variable;
  private readonly running: RunningStats;

  constructor(
    initialW: Tensor2D,
    prefix: string,
    private readonly isFirstLayer = false,
  ) {
    const dim = initialW.shape[0];
    this.w = newVariable(initialW, true, `${prefix}/w`);
    this.gamma = newVariable(tf.ones([dim, 1]), true, `${prefix}/gamma`);
    this.beta = newVariable(tf.zeros([dim, 1]), true, `${prefix}/beta`);
    this.running = new RunningStats([dim, 1], prefix);
  }

  /** xT: [in, batch] → [out, batch]. */
  apply(xT: Tensor2D, training: boolean): Tensor2D {
    if (!training) {
      const hT = tf.matMul(this.w, xT);
      const norm = tf.mul(tf.sub(hT, this.running.mean), tf.rsqrt(tf.add(this.running.variance, EPS)));
      return tf.relu(tf.add(tf.mul(norm, this.gamma), this.beta)) as Tensor2D;
    }
    const op = this.isFirstLayer ? firstLayerTrainingOp : trainingOp;
    const y = op(xT, this.w, this.gamma, this.beta) as Tensor2D;
    const stats = lastStats as BatchStats;
    lastStats = null;
    this.running.hold(stats.mean, stats.variance, xT.shape[1]);
    return y;
  }

  /** Folds the last training batch's statistics into the running ones (after the optimizer step). */
  commit(): void {
    this.running.commit();
  }

  get trainable(): Variable[] {
    return [this.w, this.gamma, this.beta];
  }

  get state(): Variable[] {
    return [this.w, this.gamma, this.beta, this.running.mean, this.running.variance];
  }

  dispose(): void {
    this.running.dispose();
    for (const v of this.trainable) v.dispose();
  }
}
