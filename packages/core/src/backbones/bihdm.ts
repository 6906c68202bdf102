import { type Tensor, type Tensor2D, type Tensor3D, type Variable, tf } from '../tf.js';
import { newVariable, uniformInit } from './init.js';
import { checkInputDim, eegLayout } from './input-layout.js';
import { trainingPlacement } from '../placement.js';
import { ModelState } from './model-state.js';
import { blockDiagonal, stackedTanhRnn } from './tanh-rnn.js';
import type { Backbone, BackboneFactory, BackboneOptions, BackboneOutput } from './types.js';

/**
 * The 25 mirrored left/right electrode pairs of the 62-channel SEED montage (0-based), read in
 * horizontal (row by row) and vertical (column by column) order: BiHDM's four streams.
 */
export const BIHDM_STREAMS = {
  leftHorizontal: [0, 3, 5, 6, 7, 8, 14, 15, 16, 17, 23, 24, 25, 26, 32, 33, 34, 35, 41, 42, 43, 44, 50, 52, 58],
  rightHorizontal: [2, 4, 13, 12, 11, 10, 22, 21, 20, 19, 31, 30, 29, 28, 40, 39, 38, 37, 49, 48, 47, 46, 56, 54, 60],
  leftVertical: [0, 5, 14, 23, 32, 41, 50, 3, 6, 15, 24, 33, 42, 58, 7, 16, 25, 34, 43, 52, 8, 17, 26, 35, 44],
  rightVertical: [2, 13, 22, 31, 40, 49, 56, 4, 12, 21, 30, 39, 48, 60, 11, 20, 29, 38, 47, 54, 10, 19, 28, 37, 46],
} as const;

/**
 * The order of the four local streams in the stacked weights and state columns: left ones first,
 * so that the pairwise discrepancy is blocks 0–1 minus blocks 2–3, giving [horizontal, vertical].
 */
export const LOCAL_STREAM_ORDER = ['leftHorizontal', 'leftVertical', 'rightHorizontal', 'rightVertical'] as const;
export const DIRECTIONS = ['horizontal', 'vertical'] as const;

const POSITIONS_OUT = 6; // k
const LEAK = 0.01;

interface BihdmSizes {
  steps: number;
  featuresPerStep: number;
  localHidden: number;
  globalHidden: number;
  dOut: number;
}

/**
 * BiHDM (Li et al. 2020). Four tanh RNNs read the left and right hemispheres' electrodes in
 * horizontal and vertical order; per step the left state minus the right one; one global RNN per
 * direction over those discrepancies; a learned projection of the positions to k = 6 with
 * LeakyReLU(0.01) and a map to d_out per direction; the two directions summed, flattened → Linear(c).
 * Both directions feed the output (a widely copied implementation drops the vertical one).
 * Eye version: one "electrode" holding every eye-movement feature, hidden 16, d_out 8.
 * Taps: the discrepancy sequences of both directions (2·steps·hidden), then the summed map (d_out·k).
 */
class Bihdm extends ModelState implements Backbone {
  readonly name = 'bihdm';
  readonly inputDim: number;
  readonly numClasses: number;
  readonly featureDims: number[];
  readonly sizes: BihdmSizes;
  /** Per step, the input columns each stream reads: (stream, feature) → offset in an input row. */
  private readonly readOrder: Int32Array[];
  /** Local RNNs, stacked in LOCAL_STREAM_ORDER: W [4, f, H], U [4, H, H], b [4·H]. */
  readonly local: { w: Variable; u: Variable; b: Variable };
  /** Global RNNs, stacked in DIRECTIONS order: W [2, H, G], U [2, G, G], b [2·G]. */
  readonly global: { w: Variable; u: Variable; b: Variable };
  /** Per direction, the positions' projection Gᵀ [2, k, steps] and the map Pᵀ [2, G, d_out]. */
  readonly positions: Variable;
  readonly outMap: Variable;
  private readonly head: { w: Variable; b: Variable };
  private readonly constants: { leftMinusRight: Tensor2D; ownDirection: Tensor; fold: Tensor2D };
  /** Device placement: every step's read order as one int32 tensor, for a gather on the device. */
  private readonly readOrderTensor: Tensor | null;

  constructor(opts: BackboneOptions, id: string) {
    super();
    checkInputDim('bihdm', opts);
    this.inputDim = opts.inputDim;
    this.numClasses = opts.numClasses;
    let streams: readonly (readonly number[])[];
    if (opts.modality === 'eeg') {
      const { featuresPerNode } = eegLayout('bihdm', opts);
      this.sizes = { steps: BIHDM_STREAMS.leftHorizontal.length, featuresPerStep: featuresPerNode, localHidden: 32, globalHidden: 32, dOut: 16 };
      streams = LOCAL_STREAM_ORDER.map((s) => BIHDM_STREAMS[s]);
    } else {
      this.sizes = { steps: 1, featuresPerStep: opts.inputDim, localHidden: 16, globalHidden: 16, dOut: 8 };
      streams = [[0], [0], [0], [0]];
    }
    const { steps: t, featuresPerStep: f, localHidden: h, globalHidden: g, dOut } = this.sizes;
    this.readOrder = Array.from({ length: t }, (_, step) =>
      Int32Array.from({ length: 4 * f }, (_, col) => streams[Math.floor(col / f)][step] * f + (col % f)),
    );
    const r = opts.random;
    const param = (shape: number[], fanIn: number, name: string) =>
      newVariable(
        tf.tensor(uniformInit(shape.reduce((a, b) => a * b, 1), fanIn, r), shape),
        true,
        `${id}/${name}`,
      );
    // PyTorch's RNN initialisation: every weight and bias U(±1/√hidden).
    this.local = { w: param([4, f, h], h, 'local/w'), u: param([4, h, h], h, 'local/u'), b: param([4 * h], h, 'local/b') };
    this.global = { w: param([2, h, g], g, 'global/w'), u: param([2, g, g], g, 'global/u'), b: param([2 * g], g, 'global/b') };
    this.positions = param([2, POSITIONS_OUT, t], t, 'positions');
    this.outMap = param([2, g, dOut], g, 'out_map');
    const d = dOut * POSITIONS_OUT;
    this.featureDims = [2 * t * h, d];
    this.head = { w: param([d, opts.numClasses], d, 'head/w'), b: param([opts.numClasses], d, 'head/b') };
    this.constants = tf.tidy(() => ({
      leftMinusRight: tf.keep(tf.concat([tf.eye(2 * h), tf.neg(tf.eye(2 * h))], 0) as Tensor2D),
      ownDirection: tf.keep(tf.reshape(tf.eye(2), [2, 1, 2, 1])),
      fold: tf.keep(tf.concat([tf.eye(g), tf.eye(g)], 0) as Tensor2D),
    }));
    this.readOrderTensor =
      trainingPlacement() === 'device'
        ? tf.tensor1d(Int32Array.from(this.readOrder.flatMap((o) => Array.from(o))), 'int32')
        : null;
  }

  protected get stateVariables(): Variable[] {
    return this.trainableVariables;
  }

  get trainableVariables(): Variable[] {
    return [
      this.local.w,
      this.local.u,
      this.local.b,
      this.global.w,
      this.global.u,
      this.global.b,
      this.positions,
      this.outMap,
      this.head.w,
      this.head.b,
    ];
  }

  /**
   * The four streams' electrodes, read on the host (the input is data, and wasm's gather took
   * ~1.2 ms for this): [steps·batch, 4·f], rows time-major, columns (stream, feature).
   */
  private sequences(x: Tensor2D): Tensor2D {
    const [b, width] = x.shape;
    if (this.readOrderTensor) {
      // Device placement: the same layout by one gather of columns, with no readback.
      const cols = this.readOrder[0].length;
      return tf.tidy(() =>
        tf.reshape(tf.transpose(tf.reshape(tf.gather(x, this.readOrderTensor!, 1), [b, this.sizes.steps, cols]), [1, 0, 2]), [this.sizes.steps * b, cols]),
      ) as Tensor2D;
    }
    const src = x.dataSync() as Float32Array;
    const cols = this.readOrder[0].length;
    const out = new Float32Array(this.sizes.steps * b * cols);
    let o = 0;
    for (const order of this.readOrder) {
      for (let row = 0; row < b; row++) {
        const base = row * width;
        for (let c = 0; c < cols; c++) out[o++] = src[base + order[c]];
      }
    }
    return tf.tensor2d(out, [this.sizes.steps * b, cols]);
  }

  apply(x: Tensor2D, _training: boolean): BackboneOutput {
    const { steps: t, localHidden: h, globalHidden: g, dOut } = this.sizes;
    const b = x.shape[0];
    const k = POSITIONS_OUT;
    const localIn = tf.add(tf.matMul(this.sequences(x), blockDiagonal(this.local.w as Tensor3D)), this.local.b) as Tensor2D;
    const localStates = stackedTanhRnn(localIn, this.local.u as Tensor3D, t);
    // Left streams are the first two column blocks: left − right is [horizontal, vertical], as a
    // product with the constant [I; −I] (column slices and their gradients cost more on wasm).
    const discrepancy = tf.matMul(localStates, this.constants.leftMinusRight);
    const globalIn = tf.add(tf.matMul(discrepancy, blockDiagonal(this.global.w as Tensor3D)), this.global.b) as Tensor2D;
    const globalStates = stackedTanhRnn(globalIn, this.global.u as Tensor3D, t);
    // Both directions' position projections applied to both directions' states in one product
    // ([2k, batch·2g], columns (window, direction, g)); the mask zeroes the other direction's
    // block and the product with [I; I] folds what is left: rows (direction, k, window), g columns.
    const pooledAll = tf.matMul(tf.reshape(this.positions, [2 * k, t]), tf.reshape(globalStates, [t, b * 2 * g]));
    const own = tf.mul(tf.reshape(pooledAll, [2, k * b, 2, g]), this.constants.ownDirection);
    const pooled = tf.matMul(tf.reshape(own, [2 * k * b, 2 * g]), this.constants.fold);
    const activated = tf.leakyRelu(pooled, LEAK);
    // Per window, both directions side by side ([k·batch, 2g]) against the stacked maps: the
    // product sums the two directions' contributions.
    const sideBySide = tf.reshape(tf.transpose(tf.reshape(activated, [2, k * b, g]), [1, 0, 2]), [k * b, 2 * g]);
    const mapped = tf.matMul(sideBySide, tf.reshape(this.outMap, [2 * g, dOut]));
    const deep = tf.reshape(tf.transpose(tf.reshape(mapped, [k, b, dOut]), [1, 2, 0]), [b, dOut * k]) as Tensor2D;
    const bothDiscrepancies = tf.reshape(
      tf.transpose(tf.reshape(discrepancy, [t, b, 2, h]), [1, 2, 0, 3]),
      [b, 2 * t * h],
    ) as Tensor2D;
    const logits = tf.add(tf.matMul(deep, this.head.w), this.head.b) as Tensor2D;
    return { logits, features: [bothDiscrepancies, deep] };
  }

  /** No batch statistics: BiHDM has no normalisation layer. */
  commitBatchStats(): void {}

  dispose(): void {
    tf.dispose(Object.values(this.constants));
    this.readOrderTensor?.dispose();
    for (const v of this.trainableVariables) v.dispose();
  }
}

let instances = 0;

export const bihdmBackbone: BackboneFactory = {
  name: 'bihdm',
  create: (opts) => new Bihdm(opts, `bihdm${instances++}`),
};

export type { Bihdm };
