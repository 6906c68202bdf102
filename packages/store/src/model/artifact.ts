// A fold's trained model as the store keeps it (artifacts table, kind 'model'): everything needed
// to use it without the training code — its weights, its architecture, the preprocessing fitted on
// the training split, the feature order and class names, and where it came from.
//
// No TensorFlow.js here: the store, the API and `cmcrd export` read and write this as plain data.
// Nor any Node built-in: a published site exports models in the reviewer's browser. Its sha256 is
// @noble/hashes' (about 70 ms for 8 MB, node:crypto 5 ms; a stored model is well under 1 MB).
import { sha256 as sha256Of } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { base64Decode, base64Encode } from '../base64.js';
import { StoreError } from '../errors.js';
import { packWeights, unpackWeights } from '../teacher-weights.js';

export const MODEL_ARTIFACT_FORMAT = 1;

export interface ModelArchitecture {
  /** 'dnn' | 'dgcnn' | 'bihdm'. */
  backbone: string;
  /** The modality the model reads ('eeg' or 'em'); BiHDM and DGCNN lay EEG out as 62 electrodes × 5 bands. */
  modality: 'eeg' | 'em';
  inputDim: number;
  numClasses: number;
  featureDims: number[];
  parameterCount: number;
}

export interface ModelPreprocess {
  /**
   * How the model's inputs were z-scored in training:
   * - 'train' / 'paper': with the training split's mean and std, stored here (under 'paper' the
   *   fold's test set was z-scored on itself, which a deployed model cannot do: it uses these);
   * - 'per-subject': with each subject's own statistics; a deployed model z-scores each recording
   *   on itself (mean and std are null).
   */
  normalisation: 'train' | 'per-subject' | 'paper';
  /** Per feature, in `featureNames` order; null under 'per-subject'. */
  mean: number[] | null;
  std: number[] | null;
  /** The input columns in order, e.g. eeg_FP1_delta … (channel-major: channel·5 + band). */
  featureNames: string[];
  classNames: string[];
}

export interface ModelProvenance {
  dataset: string;
  synthetic: boolean;
  /** The synthetic data seed, or the imported release's content digest. */
  dataRevision: string;
  protocol: string;
  foldKey: string;
  protocolOptions: Record<string, unknown>;
  method: string;
  options: Record<string, unknown>;
  direction: string;
  /** The teacher's key (teachers table) and test accuracy; null for the unimodal references. */
  teacherKey: string | null;
  teacherAccuracy: number | null;
  seed: number;
  /** The student's training settings (epochs, batch size, learning rate, …). */
  student: Record<string, unknown>;
  /** Test accuracy of this model on the fold's test split, and the number of test windows. */
  accuracy: number;
  balancedAccuracy: number;
  testSize: number;
  trainSize: number;
  /** confusion[true][predicted] on the test split. */
  confusion: number[][];
  selectedEpoch: number | null;
  backend: string;
  /** The revision of the code that trained it, as stored with its fold (revision.ts). */
  codeRevision: string;
  /** The fold's identity hash (folds.config_hash). */
  configHash: string;
  trainedAt: string;
}

export interface ModelArtifact {
  format: typeof MODEL_ARTIFACT_FORMAT;
  /** sha256 of the canonical JSON of everything below but provenance: the model's content address. */
  modelId: string;
  /** sha256 of the packed weights (store/teacher-weights.ts layout). */
  weightsSha256: string;
  /** The packed weights, base64: every variable of the backbone's snapshot, in its order. */
  weights: string;
  architecture: ModelArchitecture;
  preprocess: ModelPreprocess;
  provenance: ModelProvenance;
}

export class ModelArtifactError extends StoreError {
  override name = 'ModelArtifactError';
}

const sha256 = (bytes: Uint8Array | string) => bytesToHex(sha256Of(typeof bytes === 'string' ? utf8ToBytes(bytes) : bytes));

function contentId(weightsSha256: string, architecture: ModelArchitecture, preprocess: ModelPreprocess): string {
  return sha256(JSON.stringify({ weightsSha256, architecture, preprocess }));
}

export function buildModelArtifact(input: {
  snapshot: Float32Array[];
  architecture: ModelArchitecture;
  preprocess: ModelPreprocess;
  provenance: ModelProvenance;
}): ModelArtifact {
  const packed = packWeights(input.snapshot);
  const weightsSha256 = sha256(packed);
  return {
    format: MODEL_ARTIFACT_FORMAT,
    modelId: contentId(weightsSha256, input.architecture, input.preprocess),
    weightsSha256,
    weights: base64Encode(packed),
    architecture: input.architecture,
    preprocess: input.preprocess,
    provenance: input.provenance,
  };
}

/** The artifact's weight arrays, after checking them against its content address. */
export function modelWeights(artifact: ModelArtifact): Float32Array[] {
  if (artifact.format !== MODEL_ARTIFACT_FORMAT) {
    throw new ModelArtifactError(`stored model format ${artifact.format} is not ${MODEL_ARTIFACT_FORMAT} (stored by another version of cmcrd)`);
  }
  const packed = base64Decode(artifact.weights);
  if (sha256(packed) !== artifact.weightsSha256) throw new ModelArtifactError(`stored model ${artifact.modelId}: its weights do not match their sha256 (the store is damaged)`);
  if (contentId(artifact.weightsSha256, artifact.architecture, artifact.preprocess) !== artifact.modelId) {
    throw new ModelArtifactError(`stored model ${artifact.modelId}: its content does not match its id (the store is damaged)`);
  }
  return unpackWeights(packed);
}
