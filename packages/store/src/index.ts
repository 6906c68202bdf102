// The read and write side of the SQLite store: its drizzle schema and committed migrations, the
// Store, fold facts and the encodings of identities. No tensor library, queue or plugin.
export { APPLICATION_ID, type EpochInput, type FoldFact, type FoldFilter, type FoldQuery, type FoldSummaryRow, type RunRow, Store, StoreNotFoundError } from './store.js';
export { StoreError } from './errors.js';
export { type StoreFaultCause, StoreFaultError, storeFaultOf } from './faults.js';
export { missingStoreMessage, requireStoreFile, storeFileExists, storesNear } from './missing.js';
export { Ballast } from './ballast.js';
export * as schema from './schema.js';
export type {
  ArtifactData,
  ArtifactInput,
  ArtifactKind,
  ArtifactRow,
  ClaimRow,
  EpochRow,
  FoldRow,
  NewEpochRow,
  NewFoldRow,
  NewTeacherRow,
  StepTimeRow,
  SweepRow,
  TeacherRow,
  TsneArtifact,
} from './schema.js';
export { canonicalJson, hashOf } from './identity.js';
export { DEFAULT_DB, DEMO_DB, userPath } from './paths.js';
export { packWeights, unpackWeights } from './teacher-weights.js';
export { type Variant, decodeVariant, encodeVariant, variantOf } from './variant.js';
export { type CellSummary, cellSummaries, type RunListItem, runList } from './run-list.js';
export {
  MODEL_ARTIFACT_FORMAT,
  type ModelArchitecture,
  type ModelArtifact,
  ModelArtifactError,
  type ModelPreprocess,
  type ModelProvenance,
  buildModelArtifact,
  modelWeights,
} from './model/artifact.js';
export { CELL_KEYS, CellFilterError, ModelNotFoundError, cellModelFold, parseCell, storedModel } from './model/select.js';
export { type FoldState, type HeldFold, StoreReader } from './store-reader.js';
export { type MergeCounts, type MergeProblem, MergeRefusedError, type MergeReport, type ShardMergeResult, mergeStores } from './merge.js';
