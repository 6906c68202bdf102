// The read side of the store with no Node built-in and no driver, for a web page as much as for Node
// (`@cmcrd/store/read`): ReadStore and the types of what it returns, the schema, the encodings of
// identities, the run list and run ids, and the stored models. Open a store with Store (`@cmcrd/store`, Node) or
// openSqlJsStore (`@cmcrd/store/sql-js`, a page). The main entry re-exports all of this.
export {
  APPLICATION_ID,
  type EpochInput,
  type FoldFact,
  type FoldFilter,
  type FoldQuery,
  type FoldSummaryRow,
  ReadStore,
  type RunRow,
  type StoreDatabase,
} from './read-store.js';
export type { SqlClient, SqlValue } from './sql-client.js';
export { StoreError } from './errors.js';
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
export { canonicalJson } from './canonical.js';
export { unpackWeights } from './teacher-weights.js';
export { type Variant, decodeVariant, encodeVariant, variantOf } from './variant.js';
export { type CellSummary, cellSummaries, type RunListItem, runList } from './run-list.js';
export { type RunKey, runIdOf } from './run-id.js';
export {
  MODEL_ARTIFACT_FORMAT,
  type ModelArchitecture,
  type ModelArtifact,
  ModelArtifactError,
  type ModelPreprocess,
  type ModelProvenance,
  modelWeights,
} from './model/artifact.js';
export { CELL_KEYS, CellFilterError, ModelNotFoundError, cellModelFold, parseCell, storedModel } from './model/select.js';
