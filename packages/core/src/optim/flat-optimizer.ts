import { trainingPlacement } from '../placement.js';
import { type Tensor, type Variable, tf } from '../tf.js';

/**
 * Base for the optimizers, with two implementations of one update rule:
 * - host placement (wasm, cpu): all parameters as one flat Float32Array updated in JavaScript.
 *   There reading and writing tensors is a memory copy, while each tensor op costs tens of
 *   microseconds of dispatch: measured on the DNN, concatenating, updating with ~15 ops and
 *   splitting back took ~3 ms a step; the loop below takes a fraction of that.
 * - device placement (GPU backends): the same rule as tensor ops on each variable, its state in
 *   device variables; nothing is read back.
 */
export abstract class FlatOptimizer {
  readonly placement = trainingPlacement();
  /** Device placement: per variable, the optimizer's state tensors (moments, momentum buffer). */
  private deviceState: Variable[][] | null = null;
  protected readonly offsets: number[];
  protected readonly total: number;
  protected step = 0;
  private readonly w: Float32Array;
  private readonly g: Float32Array;

  constructor(protected readonly vars: Variable[]) {
    this.offsets = [];
    let off = 0;
    for (const v of vars) {
      this.offsets.push(off);
      off += v.size;
    }
    this.total = off;
    this.w = new Float32Array(off);
    this.g = new Float32Array(off);
  }

  /** Computes the loss and its gradients, applies one update, and returns the loss. */
  minimize(lossFn: () => tf.Scalar, lr: number): tf.Scalar {
    if (this.placement === 'device') return this.minimizeOnDevice(lossFn, lr);
    const { value, grads } = tf.variableGrads(lossFn, this.vars);
    // The weights are read once: from then on this optimizer is their only writer during
    // training, so its own copy is current and re-reading every variable each step is wasted I/O.
    if (this.step === 0) {
      this.vars.forEach((v, i) => {
        this.w.set(v.dataSync() as Float32Array, this.offsets[i]);
      });
    }
    this.step++;
    this.vars.forEach((v, i) => {
      const g = grads[v.name];
      if (g) this.g.set(g.dataSync() as Float32Array, this.offsets[i]);
      else this.g.fill(0, this.offsets[i], this.offsets[i] + v.size);
    });
    tf.dispose(grads);
    this.update(this.w, this.g, lr);
    this.vars.forEach((v, i) => {
      const t = tf.tensor(this.w.subarray(this.offsets[i], this.offsets[i] + v.size), v.shape);
      v.assign(t);
      t.dispose();
    });
    return value;
  }

  private minimizeOnDevice(lossFn: () => tf.Scalar, lr: number): tf.Scalar {
    const { value, grads } = tf.variableGrads(lossFn, this.vars);
    if (!this.deviceState) {
      this.deviceState = this.vars.map((v, i) =>
        Array.from({ length: this.stateSlots }, (_, k) => tf.tidy(() => tf.variable(tf.zerosLike(v), false, `${v.name}/opt${k}_${i}`))),
      );
    }
    this.step++;
    tf.tidy(() => {
      this.vars.forEach((v, i) => {
        const g = grads[v.name] ?? tf.zerosLike(v);
        const state = this.deviceState![i];
        const next = this.updateTensors(v, g, state.map((s) => s as Tensor), lr);
        state.forEach((s, k) => {
          s.assign(next.state[k]);
        });
        v.assign(next.w);
      });
    });
    tf.dispose(grads);
    return value;
  }

  /** Frees the device state (host placement holds none). */
  dispose(): void {
    if (this.deviceState) for (const s of this.deviceState.flat()) s.dispose();
    this.deviceState = null;
  }

  /** Updates w in place from the gradient g. */
  protected abstract update(w: Float32Array, g: Float32Array, lr: number): void;

  /** How many state tensors per variable the device update keeps. */
  protected abstract readonly stateSlots: number;

  /** The same rule as update(), as tensor ops: the new weights and state. */
  protected abstract updateTensors(w: Tensor, g: Tensor, state: Tensor[], lr: number): { w: Tensor; state: Tensor[] };
}

export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  eps?: number;
  weightDecay: number;
}

/** Adam with decoupled weight decay (Loshchilov & Hutter), as torch.optim.AdamW: w ← w·(1 − lr·λ) − lr·m̂/(√v̂ + ε). */
export class AdamW extends FlatOptimizer {
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly b1: number;
  private readonly b2: number;
  private readonly eps: number;
  private readonly wd: number;

  constructor(vars: Variable[], o: AdamWOptions) {
    super(vars);
    this.b1 = o.beta1 ?? 0.9;
    this.b2 = o.beta2 ?? 0.999;
    this.eps = o.eps ?? 1e-8;
    this.wd = o.weightDecay;
    this.m = new Float32Array(this.total);
    this.v = new Float32Array(this.total);
  }

  protected update(w: Float32Array, g: Float32Array, lr: number): void {
    const m = this.m;
    const v = this.v;
    const b1 = this.b1;
    const b2 = this.b2;
    const eps = this.eps;
    const c1 = 1 - b1 ** this.step;
    const c2 = 1 - b2 ** this.step;
    const decay = 1 - lr * this.wd;
    const stepSize = lr / c1;
    const invSqrtC2 = 1 / Math.sqrt(c2);
    for (let i = 0; i < w.length; i++) {
      const gi = g[i];
      const mi = b1 * m[i] + (1 - b1) * gi;
      const vi = b2 * v[i] + (1 - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      w[i] = w[i] * decay - (stepSize * mi) / (Math.sqrt(vi) * invSqrtC2 + eps);
    }
  }

  protected readonly stateSlots = 2;

  protected updateTensors(w: Tensor, g: Tensor, [m0, v0]: Tensor[], lr: number): { w: Tensor; state: Tensor[] } {
    const c1 = 1 - this.b1 ** this.step;
    const c2 = 1 - this.b2 ** this.step;
    const m = tf.add(tf.mul(m0, this.b1), tf.mul(g, 1 - this.b1));
    const v = tf.add(tf.mul(v0, this.b2), tf.mul(tf.square(g), 1 - this.b2));
    const denom = tf.add(tf.mul(tf.sqrt(v), 1 / Math.sqrt(c2)), this.eps);
    const next = tf.sub(tf.mul(w, 1 - lr * this.wd), tf.div(tf.mul(m, lr / c1), denom));
    return { w: next, state: [m, v] };
  }
}

export interface SgdOptions {
  momentum: number;
  /** Coupled L2 penalty added to the gradient, as torch.optim.SGD's weight_decay. */
  weightDecay: number;
}

/** SGD with PyTorch-style momentum: buf ← μ·buf + (g + λ·w); w ← w − lr·buf. */
export class SgdMomentum extends FlatOptimizer {
  private readonly buf: Float32Array;

  constructor(
    vars: Variable[],
    private readonly o: SgdOptions,
  ) {
    super(vars);
    this.buf = new Float32Array(this.total);
  }

  protected update(w: Float32Array, g: Float32Array, lr: number): void {
    const buf = this.buf;
    const mu = this.step === 1 ? 0 : this.o.momentum;
    const wd = this.o.weightDecay;
    for (let i = 0; i < w.length; i++) {
      const b = mu * buf[i] + g[i] + wd * w[i];
      buf[i] = b;
      w[i] -= lr * b;
    }
  }

  protected readonly stateSlots = 1;

  protected updateTensors(w: Tensor, g: Tensor, [buf0]: Tensor[], lr: number): { w: Tensor; state: Tensor[] } {
    const mu = this.step === 1 ? 0 : this.o.momentum;
    const b = tf.add(tf.mul(buf0, mu), tf.add(g, tf.mul(w, this.o.weightDecay)));
    return { w: tf.sub(w, tf.mul(b, lr)), state: [b] };
  }
}
