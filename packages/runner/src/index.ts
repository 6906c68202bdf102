export {
  ConfigError,
  DIRECTIONS,
  type Direction,
  type MethodPlan,
  RUN_DEFAULTS,
  type RunConfig,
  type RunInput,
  UNIMODAL_METHODS,
  REFERENCE_METHODS,
  datasetNegatives,
  defaultWarmupEpochs,
  planMethod,
  resolveRun,
} from './config.js';
export { FoldExecutor, type FoldOutcome, type FoldProgress, type RunOptions, foldIdentity, teacherKeyOf } from './fold.js';
export { TSNE_ITERATIONS, TSNE_LEARNING_RATE, TSNE_MAX_POINTS, TSNE_PERPLEXITY, embedTestSet, embedTestSetAsync, guardedArtifacts, guardedArtifactsAsync, perplexityFor, stratifiedSample } from './embedding.js';
export { type ExpandOptions, type FoldJob, expandJobs, preparePlugins } from './jobs.js';
export { type ExecEvent, type ExecuteOptions, type ExecuteSummary, executeJobs } from './execute.js';
export { APPLICATION_ID, type EpochInput, type FoldFact, type FoldFilter, type FoldQuery, type FoldSummaryRow, type RunRow, Store, StoreError, StoreNotFoundError } from './store/store.js';
export * as schema from './store/schema.js';
export type { ArtifactData, ArtifactInput, ArtifactKind, TsneArtifact } from './store/schema.js';
export * from './report/index.js';
export { cmdReport } from './cli-report.js';
export { canonicalJson, hashOf } from './identity.js';
export { BUILTIN_DISTILLERS, distillerOf, loadBuiltins, loadPluginModules, resolvePluginSpec } from './plugins.js';
export { DEMO_DATASET, DEMO_EPOCHS, DEMO_METHODS, DEMO_SUBJECTS, demoInputs, runDemo } from './demo.js';
export { buildProgram, main } from './cli.js';
export { DEFAULT_DB, DEMO_DB, userPath } from './paths.js';
export { type CellCount, MAX_SWEEP_CELLS, SweepFileError, type SweepSpec, checkSweepSize, countSweepCells, expandSweep, expandSweepCells, loadSweepFile, loadSweepPlugins, parseSweep } from './sweep-file.js';
export { type SweepEstimate, estimateSweep } from './estimate.js';
export { cmdSweep } from './cli-sweep.js';
export { QueueError, type QueueExecuteOptions, executeOnQueue } from './queue.js';
export { runQueueWorker } from './queue-worker.js';
export { type TTestResult, benjaminiHochberg, pairedTTest } from './stats.js';
export { type CellSummary, cellSummaries, type RunListItem, runList } from './store/run-list.js';
export { type ModelArtifact, ModelArtifactError, buildModelArtifact, modelWeights } from './model/artifact.js';
export { type PreprocessFile, exportFiles } from './model/export.js';
export { UnexportableModelError } from './model/graph-backbones.js';
export { ModelNotFoundError, storedModel } from './model/select.js';
export { type TestWindows, foldTestWindows } from './model/test-split.js';
export { type ExportedModel, ExportedModelError, loadExportedModel, predictRows, preprocessRows } from './model/exported.js';
export { cmdExport, writeFolderAtomically } from './cli-export.js';
export { StoreFaultError, type StoreFaultCause, storeFaultOf } from './store/faults.js';
export { ClaimBoard, claimTimeoutMs } from './claims.js';
