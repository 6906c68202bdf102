import { type Tensor, type Tensor1D, type Tensor2D, type Variable, tf } from '../tf.js';
import { newVariable } from './init.js';

const MOMENTUM = 0.1; // PyTorch's convention: running = (1 − m)·running + m·batch
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
  readonly runningMean: Variable;
  readonly runningVar: Variable;
  private pending: (BatchStats & { n: number }) | null = null;

  constructor(
    initialW: Tensor2D,
    prefix: string,
    private readonly isFirstLayer = false,
  ) {
    const dim = initialW.shape[0];
    this.w = newVariable(initialW, true, `${prefix}/w`);
    this.gamma = newVariable(tf.ones([dim, 1]), true, `${prefix}/gamma`);
    this.beta = newVariable(tf.zeros([dim, 1]), true, `${prefix}/beta`);
    this.runningMean = newVariable(tf.zeros([dim, 1]), false, `${prefix}/running_mean`);
    this.runningVar = newVariable(tf.ones([dim, 1]), false, `${prefix}/running_var`);
  }

  /** xT: [in, batch] → [out, batch]. */
  apply(xT: Tensor2D, training: boolean): Tensor2D {
    if (!training) {
      const hT = tf.matMul(this.w, xT);
      const norm = tf.mul(tf.sub(hT, this.runningMean), tf.rsqrt(tf.add(this.runningVar, EPS)));
      return tf.relu(tf.add(tf.mul(norm, this.gamma), this.beta)) as Tensor2D;
    }
    const op = this.isFirstLayer ? firstLayerTrainingOp : trainingOp;
    const y = op(xT, this.w, this.gamma, this.beta) as Tensor2D;
    this.disposePending();
    this.pending = { ...(lastStats as BatchStats), n: xT.shape[1] };
    lastStats = null;
    return y;
  }

  /** Folds the last training batch's statistics into the running ones (after the optimizer step). */
  commit(): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    tf.tidy(() => {
      const unbiased = tf.reshape(p.n > 1 ? tf.mul(p.variance, p.n / (p.n - 1)) : p.variance, [-1, 1]);
      const mean = tf.reshape(p.mean, [-1, 1]);
      this.runningMean.assign(tf.add(tf.mul(this.runningMean, 1 - MOMENTUM), tf.mul(mean, MOMENTUM)));
      this.runningVar.assign(tf.add(tf.mul(this.runningVar, 1 - MOMENTUM), tf.mul(unbiased, MOMENTUM)));
    });
    p.mean.dispose();
    p.variance.dispose();
  }

  get trainable(): Variable[] {
    return [this.w, this.gamma, this.beta];
  }

  get state(): Variable[] {
    return [this.w, this.gamma, this.beta, this.runningMean, this.runningVar];
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
