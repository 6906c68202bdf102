import { type Tensor2D, type Variable, tf } from '../tf.js';
import { ColumnBatchNorm } from './column-batch-norm.js';
import { newVariable, uniformInit, xavierNormalInit } from './init.js';
import { checkInputDim, eegLayout, type NodeLayout } from './input-layout.js';
import { ModelState } from './model-state.js';
import type { Backbone, BackboneFactory, BackboneOptions, BackboneOutput } from './types.js';

/** The reference call DGCNN(in=5, electrodes=62, k_adj=2, out=16). */
const SUPPORTS = 2;
const GRAPH_OUT = 16;
/** Keeps D^−1/2 finite for a node whose learned edges have all gone non-positive. */
const DEGREE_EPS = 1e-10;

/**
 * DGCNN (Song et al. 2018): BatchNorm over the band axis; a learnable adjacency A;
 * L = D^−1/2 relu(A) D^−1/2; a graph convolution with supports [I, L, L², …] each with its own
 * weight, summed, ReLU; flatten → Linear(c).
 * EEG: 62 nodes × 5 bands. Eye movements: one node per feature, 1 feature each.
 * Taps: the graph-filtered input L·x̂ (nodes·features), then the convolution's output (nodes·16).
 */
class Dgcnn extends ModelState implements Backbone {
  readonly name = 'dgcnn';
  readonly inputDim: number;
  readonly numClasses: number;
  readonly featureDims: number[];
  readonly layout: NodeLayout;
  private readonly bn: ColumnBatchNorm;
  readonly adjacency: Variable;
  /** [SUPPORTS·f, 16]: the support-k weight is rows k·f … (k+1)·f − 1. */
  private readonly graphWeights: Variable;
  private readonly head: { w: Variable; b: Variable };

  constructor(opts: BackboneOptions, id: string) {
    super();
    checkInputDim('dgcnn', opts);
    this.inputDim = opts.inputDim;
    this.numClasses = opts.numClasses;
    this.layout = opts.modality === 'eeg' ? eegLayout('dgcnn', opts) : { nodes: opts.inputDim, featuresPerNode: 1 };
    const { nodes: n, featuresPerNode: f } = this.layout;
    this.featureDims = [n * f, n * GRAPH_OUT];
    this.bn = new ColumnBatchNorm(f, `${id}/bn`);
    const r = opts.random;
    this.adjacency = newVariable(tf.tensor2d(xavierNormalInit(n * n, n, n, r), [n, n]), true, `${id}/adjacency`);
    this.graphWeights = newVariable(
      tf.tensor2d(xavierNormalInit(SUPPORTS * f * GRAPH_OUT, f, GRAPH_OUT, r), [SUPPORTS * f, GRAPH_OUT]),
      true,
      `${id}/graph_w`,
    );
    const d = n * GRAPH_OUT;
    const c = opts.numClasses;
    this.head = {
      w: newVariable(tf.tensor2d(uniformInit(d * c, d, r), [d, c]), true, `${id}/head/w`),
      b: newVariable(tf.tensor1d(uniformInit(c, d, r)), true, `${id}/head/b`),
    };
  }

  get trainableVariables(): Variable[] {
    return [...this.bn.trainable, this.adjacency, this.graphWeights, this.head.w, this.head.b];
  }

  protected get stateVariables(): Variable[] {
    return [...this.bn.state, this.adjacency, this.graphWeights, this.head.w, this.head.b];
  }

  /** D^−1/2 relu(A) D^−1/2 with D the row sums of relu(A). */
  normalisedAdjacency(): Tensor2D {
    const a = tf.relu(this.adjacency);
    const dInvSqrt = tf.rsqrt(tf.add(tf.sum(a, 1), DEGREE_EPS));
    return tf.mul(tf.mul(a, tf.reshape(dInvSqrt, [-1, 1])), tf.reshape(dInvSqrt, [1, -1])) as Tensor2D;
  }

  apply(x: Tensor2D, training: boolean): BackboneOutput {
    const { nodes: n, featuresPerNode: f } = this.layout;
    const b = x.shape[0];
    const xhat = this.bn.apply(tf.reshape(x, [b * n, f]), training);
    // Node-major [n, b·f], so that one product applies the graph to the whole batch.
    const byNode = tf.reshape(tf.transpose(tf.reshape(xhat, [b, n, f]), [1, 0, 2]), [n, b * f]) as Tensor2D;
    const lap = this.normalisedAdjacency();
    const supports: Tensor2D[] = [byNode];
    for (let k = 1; k < SUPPORTS; k++) supports.push(tf.matMul(lap, supports[k - 1]));
    // Σ_k L^k·x̂·W_k as one product: supports side by side on the feature axis, weights stacked.
    const stacked = tf.reshape(tf.concat(supports.map((s) => tf.reshape(s, [n, b, f])), 2), [n * b, SUPPORTS * f]);
    const conv = tf.relu(tf.matMul(stacked, this.graphWeights));
    const deep = tf.reshape(tf.transpose(tf.reshape(conv, [n, b, GRAPH_OUT]), [1, 0, 2]), [b, n * GRAPH_OUT]) as Tensor2D;
    const filtered = tf.reshape(tf.transpose(tf.reshape(supports[1], [n, b, f]), [1, 0, 2]), [b, n * f]) as Tensor2D;
    const logits = tf.add(tf.matMul(deep, this.head.w), this.head.b) as Tensor2D;
    return { logits, features: [filtered, deep] };
  }

  commitBatchStats(): void {
    this.bn.commit();
  }

  dispose(): void {
    this.bn.dispose();
    for (const v of [this.adjacency, this.graphWeights, this.head.w, this.head.b]) v.dispose();
  }
}

let instances = 0;

export const dgcnnBackbone: BackboneFactory = {
  name: 'dgcnn',
  create: (opts) => new Dgcnn(opts, `dgcnn${instances++}`),
};

export type { Dgcnn };
