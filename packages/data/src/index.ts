export { UnknownDatasetError, ProtocolError } from './errors.js';
export {
  type Modality,
  type DatasetFamily,
  type DatasetSpec,
  DATASET_NAMES,
  datasetSpec,
  EEG_CHANNELS,
  EEG_BANDS,
  EEG_DIM,
} from './spec.js';
export { type Dataset, loadDataset, clearDatasetCache } from './dataset.js';
export {
  type ProtocolName,
  PROTOCOL_NAMES,
  type ProtocolOptions,
  DEFAULT_PROTOCOL_OPTIONS,
  parseProtocolOptions,
  parseProtocol,
  listFolds,
  type SplitPart,
  type Split,
  buildSplit,
  trialId,
} from './protocol.js';
export { zscoreFit, zscoreApply, type ZscoreStats } from './zscore.js';
export { MONTAGE, EEG_BAND_NAMES, type Electrode } from './montage.js';
export {
  GENERATOR_KNOBS,
  type GeneratorKnobs,
  type ModalityKnobs,
  EMOTION_CENTRES,
  LATENT_AXES,
  emFeatureNames,
  windowsPerTrial,
} from './synthetic.js';
