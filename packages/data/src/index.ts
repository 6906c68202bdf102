export { UserError, type UserErrorLocation } from './user-error.js';
export { clearDatasetCache, loadDataset } from './dataset.js';
export type { Dataset, DatasetFamily, DatasetSpec, Modality } from './dataset-types.js';
export { ProtocolError, UnknownDatasetError } from './errors.js';
export { dataDir, cachePath } from './data-dir.js';
export { DatasetNotImportedError, type ImportedDataset } from './imported.js';
export { CacheFileError, eegColumnNames, emColumnNames } from './import/cache-file.js';
export { ImportError } from './import/import-error.js';
export { readWindowsFile, WINDOW_FILE_TYPES, type WindowsFile, type WindowsSpec } from './import/windows-file.js';
export type { ImportOptions, ImportProgress } from './import/importer.js';
export { IMPORTABLE_DATASETS, type ImportSummary, importDataset, isImportable } from './import/index.js';
export { describeDataset, type DatasetDescription } from './inspect.js';
export { EEG_BAND_NAMES, type Electrode, MONTAGE } from './montage.js';
export {
  buildSplit,
  DEFAULT_PROTOCOL_OPTIONS,
  listFolds,
  PROTOCOL_NAMES,
  type ProtocolName,
  type ProtocolOptions,
  parseProtocol,
  parseProtocolOptions,
  type Split,
  type SplitPart,
  trialId,
} from './protocol.js';
export {
  DATASET_NAMES,
  RELEASE_NAMES,
  releaseSpec,
  datasetSpec,
  EEG_BANDS,
  EEG_CHANNELS,
  EEG_DIM,
} from './spec.js';
export {
  EMOTION_CENTRES,
  emFeatureNames,
  GENERATOR_KNOBS,
  type GeneratorKnobs,
  LATENT_AXES,
  type ModalityKnobs,
  windowsPerTrial,
} from './synthetic.js';
export { type SplitSizes, syntheticSplitSizes } from './split-sizes.js';
export { type ZscoreStats, zscoreApply, zscoreFit, zscoreFitRows } from './zscore.js';
