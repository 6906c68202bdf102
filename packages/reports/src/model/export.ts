// `cmcrd export` and GET /api/folds/{id}/model: the files of an exported model, built from a stored
// model artifact alone (no TensorFlow.js): a graph model (model.json + weight shard), the
// preprocessing (preprocess.json) and a model card (MODEL_CARD.md).
import { type ModelArtifact, modelWeights } from '@cmcrd/store/read';
import { graphModelOf } from './graph-backbones.js';
import { WEIGHT_SHARD } from './graph-def.js';
import { modelCard } from './model-card.js';

export const PREPROCESS_FORMAT = 1;

/** preprocess.json: what to do to a window's features before the model sees them. */
export interface PreprocessFile {
  format: typeof PREPROCESS_FORMAT;
  modelId: string;
  /** How the training inputs were z-scored (see ModelPreprocess): 'per-subject' z-scores each recording on itself. */
  normalisation: 'train' | 'per-subject' | 'paper';
  /** z = (x − mean) / std per feature, in float64, then float32; null under 'per-subject'. */
  mean: number[] | null;
  std: number[] | null;
  /** The floor under a per-recording std (as in training), so that a constant feature maps to 0. */
  stdFloor: number;
  modality: 'eeg' | 'em';
  featureNames: string[];
  classNames: string[];
  /** The graph's input and outputs. */
  input: { name: 'x'; shape: [-1, number]; dtype: 'float32' };
  outputs: { probabilities: 'probabilities'; logits: 'logits' };
}

/** Files of an export, by name: what `cmcrd export` writes and the API zips. */
export function exportFiles(artifact: ModelArtifact, fold: { id: number }): Map<string, Uint8Array> {
  const { architecture: arch, preprocess } = artifact;
  const graph = graphModelOf(arch, modelWeights(artifact));
  const pre: PreprocessFile = {
    format: PREPROCESS_FORMAT,
    modelId: artifact.modelId,
    normalisation: preprocess.normalisation,
    mean: preprocess.mean,
    std: preprocess.std,
    stdFloor: 1e-8,
    modality: arch.modality,
    featureNames: preprocess.featureNames,
    classNames: preprocess.classNames,
    input: { name: 'x', shape: [-1, arch.inputDim], dtype: 'float32' },
    outputs: { probabilities: 'probabilities', logits: 'logits' },
  };
  const text = (s: string) => new TextEncoder().encode(s);
  const modelJson = { ...graph.modelJson, userDefinedMetadata: { modelId: artifact.modelId, fold: fold.id, provenance: artifact.provenance } };
  return new Map([
    ['model.json', text(`${JSON.stringify(modelJson)}\n`)],
    [WEIGHT_SHARD, graph.shard],
    ['preprocess.json', text(`${JSON.stringify(pre, null, 2)}\n`)],
    ['MODEL_CARD.md', text(modelCard(artifact, fold))],
  ]);
}
