import type { Random } from '../random.js';
import type { Tensor2D, Variable } from '../tf.js';

export type Modality = 'eeg' | 'em';

export interface BackboneOutput {
  logits: Tensor2D;
  /** Intermediate representations, shallow → deep; the last is the penultimate layer. */
  features: Tensor2D[];
}

export interface BackboneOptions {
  inputDim: number;
  numClasses: number;
  modality: Modality;
  random: Random;
}

export interface Backbone {
  readonly name: string;
  readonly inputDim: number;
  readonly numClasses: number;
  readonly featureDims: number[];
  readonly trainableVariables: Variable[];
  /** In training mode, normalisation layers use (and remember) the batch statistics. */
  apply(x: Tensor2D, training: boolean): BackboneOutput;
  /** After an optimizer step: fold the last training batch's statistics into the running ones. */
  commitBatchStats(): void;
  /** Every weight and running statistic, for keeping the best epoch or storing a teacher. */
  snapshot(): Float32Array[];
  /** The same without synchronous reads (webgpu in Node has none). */
  snapshotAsync(): Promise<Float32Array[]>;
  restore(state: Float32Array[]): void;
  parameterCount(): number;
  dispose(): void;
}

export interface BackboneFactory {
  name: string;
  create(opts: BackboneOptions): Backbone;
}
