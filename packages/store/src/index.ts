// The read and write side of the SQLite store: its drizzle schema and committed migrations, the
// Store, fold facts and the encodings of identities. No tensor library, queue or plugin.
// Everything of the read side (`@cmcrd/store/read`, no Node built-in), then what needs Node: opening
// and writing a file with better-sqlite3, hashing identities, finding stores on disk, merging.
export * from './read.js';
export { Store, StoreNotFoundError } from './store.js';
export { type StoreFaultCause, StoreFaultError, storeFaultOf } from './faults.js';
export { missingStoreMessage, requireStoreFile, storeFileExists, storesNear } from './missing.js';
export { Ballast } from './ballast.js';
export { hashOf } from './identity.js';
export { DEFAULT_DB, DEMO_DB, userPath } from './paths.js';
export { packWeights } from './teacher-weights.js';
export { buildModelArtifact } from './model/artifact.js';
export { type FoldState, type HeldFold, StoreReader } from './store-reader.js';
export { type MergeCounts, type MergeProblem, MergeRefusedError, type MergeReport, type ShardMergeResult, mergeStores } from './merge.js';
export { type SlimCopyCounts, type SlimCopyOptions, slimStoreCopy } from './slim-copy.js';
