import { type Tensor, type Tensor1D, type Tensor2D, type Variable, tf } from '../tf.js';

const MOMENTUM = 0.1; // PyTorch's convention: running = (1 − m)·running + m·batch
const EPS = 1e-5;

interface BatchStats {
  mean: Tensor1D;
  variance: Tensor1D;
}

/**
 * y = relu(BN(x·W)) in training mode as one differentiable op with a hand-written backward pass.
 * tfjs's generic gradients of matMul + batchNorm + relu run ~100 small kernels per block; the
 * analytic backward needs about 17. A bias before batch normalisation would receive exactly zero
 * gradient and only shift the running mean, so the layer has none.
 */
function makeTrainingOp(inputGradient: boolean) {
  // biome-ignore lint/suspicious/noExplicitAny: tfjs types customGrad's variadic inputs loosely
  return tf.customGrad(((x: Tensor2D, w: Tensor2D, gamma: Tensor1D, beta: Tensor1D, save: any) => {
    const h = tf.matMul(x, w);
    const { mean, variance } = tf.moments(h, 0);
    const rstd = tf.rsqrt(tf.add(variance, EPS));
    const xhat = tf.mul(tf.sub(h, mean), rstd);
    const y = tf.relu(tf.add(tf.mul(xhat, gamma), beta));
    save([x, w, gamma, xhat, rstd, y]);
    lastStats = { mean: tf.keep(mean) as Tensor1D, variance: tf.keep(variance) as Tensor1D };
    return {
      value: y,
      gradFunc: (dy: Tensor2D, saved: Tensor[]) => {
        const [sx, sw, sg, sxhat, srstd, sy] = saved as [
          Tensor2D,
          Tensor2D,
          Tensor1D,
          Tensor2D,
          Tensor1D,
          Tensor2D,
        ];
        const dz = tf.mul(dy, tf.step(sy));
        const dbeta = tf.sum(dz, 0);
        const dgamma = tf.sum(tf.mul(dz, sxhat), 0);
        const dxhat = tf.mul(dz, sg);
        const dh = tf.mul(
          tf.sub(tf.sub(dxhat, tf.mean(dxhat, 0)), tf.mul(sxhat, tf.mean(tf.mul(dxhat, sxhat), 0))),
          srstd,
        );
        const dw = tf.matMul(tf.transpose(sx), dh);
        // The first layer's input is data: its gradient would be a wasted product.
        const dx = inputGradient ? tf.matMul(dh, tf.transpose(sw)) : tf.zerosLike(sx);
        return [dx, dw, dgamma, dbeta];
      },
    };
  }) as any);
}

const trainingOp = makeTrainingOp(true);
const firstLayerTrainingOp = makeTrainingOp(false);

let lastStats: BatchStats | null = null;

/** Linear (no bias) → BatchNorm → ReLU, with running statistics for inference. */
export class DenseBnRelu {
  readonly w: Variable;
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
    const dim = initialW.shape[1];
    this.w = tf.variable(initialW, true, `${prefix}/w`);
    this.gamma = tf.variable(tf.ones([dim]), true, `${prefix}/gamma`);
    this.beta = tf.variable(tf.zeros([dim]), true, `${prefix}/beta`);
    this.runningMean = tf.variable(tf.zeros([dim]), false, `${prefix}/running_mean`);
    this.runningVar = tf.variable(tf.ones([dim]), false, `${prefix}/running_var`);
  }

  apply(x: Tensor2D, training: boolean): Tensor2D {
    if (!training) {
      const h = tf.matMul(x, this.w);
      return tf.relu(
        tf.batchNorm(h, this.runningMean, this.runningVar, this.beta, this.gamma, EPS),
      ) as Tensor2D;
    }
    const op = this.isFirstLayer ? firstLayerTrainingOp : trainingOp;
    const y = op(x, this.w, this.gamma, this.beta) as Tensor2D;
    this.disposePending();
    this.pending = { ...(lastStats as BatchStats), n: x.shape[0] };
    lastStats = null;
    return y;
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
