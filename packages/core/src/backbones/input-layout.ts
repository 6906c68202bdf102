import type { BackboneOptions } from './types.js';

/** SEED's EEG features: 62 electrodes × 5 bands (δ θ α β γ), channel-major. */
export const EEG_ELECTRODES = 62;
export const EEG_BANDS = 5;

/** Nodes × features per node as a graph or sequence backbone reads the input. */
export interface NodeLayout {
  nodes: number;
  featuresPerNode: number;
}

/** EEG: the 62 electrodes with their 5 bands; eye movements: one node per feature (DGCNN's eye version). */
export function eegLayout(backbone: string, opts: BackboneOptions): NodeLayout {
  if (opts.inputDim !== EEG_ELECTRODES * EEG_BANDS) {
    throw new Error(
      `${backbone} on EEG needs ${EEG_ELECTRODES} electrodes × ${EEG_BANDS} bands = ${EEG_ELECTRODES * EEG_BANDS} inputs, got ${opts.inputDim}`,
    );
  }
  return { nodes: EEG_ELECTRODES, featuresPerNode: EEG_BANDS };
}

export function checkInputDim(backbone: string, opts: BackboneOptions): void {
  if (!Number.isInteger(opts.inputDim) || opts.inputDim < 1) {
    throw new Error(`${backbone}: input dimension must be a positive integer, got ${opts.inputDim}`);
  }
  if (!Number.isInteger(opts.numClasses) || opts.numClasses < 2) {
    throw new Error(`${backbone}: needs at least 2 classes, got ${opts.numClasses}`);
  }
}
