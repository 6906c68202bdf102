import { type Tensor2D, type Variable, tf } from '../tf.js';
import { DenseBnRelu } from './dense-bn-relu.js';
import { newVariable, uniformInit } from './init.js';
import { ModelState } from './model-state.js';
import type { Backbone, BackboneFactory, BackboneOptions, BackboneOutput } from './types.js';

const HIDDEN = 128;
const BLOCKS = 4;

/**
 * 4 × [Linear(128) → BatchNorm → ReLU] → Linear(c); feature taps after blocks 2 and 4.
 * The block Linears have no bias (batch normalisation cancels it).
 */
class Dnn extends ModelState implements Backbone {
  readonly name = 'dnn';
  readonly inputDim: number;
  readonly numClasses: number;
  readonly featureDims = [HIDDEN, HIDDEN];
  private readonly blocks: DenseBnRelu[] = [];
  private readonly head: { w: Variable; b: Variable };

  constructor(opts: BackboneOptions, id: string) {
    super();
    this.inputDim = opts.inputDim;
    this.numClasses = opts.numClasses;
    let fanIn = opts.inputDim;
    for (let b = 0; b < BLOCKS; b++) {
      const w = tf.tensor2d(uniformInit(fanIn * HIDDEN, fanIn, opts.random), [HIDDEN, fanIn]);
      this.blocks.push(new DenseBnRelu(w, `${id}/block${b}`, b === 0));
      fanIn = HIDDEN;
    }
    const c = opts.numClasses;
    this.head = {
      w: newVariable(
        tf.tensor2d(uniformInit(fanIn * c, fanIn, opts.random), [fanIn, c]),
        true,
        `${id}/head/w`,
      ),
      b: newVariable(tf.tensor1d(uniformInit(c, fanIn, opts.random)), true, `${id}/head/b`),
    };
  }

  get trainableVariables(): Variable[] {
    return [...this.blocks.flatMap((b) => b.trainable), this.head.w, this.head.b];
  }

  protected get stateVariables(): Variable[] {
    return [...this.blocks.flatMap((b) => b.state), this.head.w, this.head.b];
  }

  apply(x: Tensor2D, training: boolean): BackboneOutput {
    // The blocks work on [features, batch] (see DenseBnRelu); taps are handed out as [batch, features].
    const features: Tensor2D[] = [];
    let hT = tf.transpose(x);
    for (let b = 0; b < BLOCKS; b++) {
      hT = this.blocks[b].apply(hT, training);
      if (b === 1 || b === 3) features.push(tf.transpose(hT));
    }
    const logits = tf.add(tf.matMul(features[1], this.head.w), this.head.b) as Tensor2D;
    return { logits, features };
  }

  commitBatchStats(): void {
    for (const b of this.blocks) b.commit();
  }

  dispose(): void {
    for (const b of this.blocks) b.dispose();
    this.head.w.dispose();
    this.head.b.dispose();
  }
}

let instances = 0;

export const dnnBackbone: BackboneFactory = {
  name: 'dnn',
  create: (opts) => new Dnn(opts, `dnn${instances++}`),
};
