// Execution: run configs and sweep files → folds → worker processes or the Redis queue, written
// through @cmcrd/store. Reading results is @cmcrd/store and @cmcrd/reports, which load no training.
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
export { cmdReport } from './cli-report.js';
export { BUILTIN_DISTILLERS, distillerOf, loadBuiltins, loadPluginModules, resolvePluginSpec } from './plugins.js';
export { DEMO_DATASET, DEMO_EPOCHS, DEMO_METHODS, DEMO_SUBJECTS, demoInputs, runDemo } from './demo.js';
export { buildProgram, main } from './cli.js';
export { type CellCount, MAX_SWEEP_CELLS, SweepFileError, type SweepSpec, checkSweepSize, countSweepCells, expandSweep, expandSweepCells, loadSweepFile, loadSweepPlugins, parseSweep } from './sweep-file.js';
export { type SweepEstimate, estimateSweep } from './estimate.js';
export { cmdSweep } from './cli-sweep.js';
export { QueueError, type QueueExecuteOptions, executeOnQueue } from './queue.js';
export { runQueueWorker } from './queue-worker.js';
export { type ExportedModel, ExportedModelError, loadExportedModel, predictRows, preprocessRows } from './model/exported.js';
export { cmdExport, writeFolderAtomically } from './cli-export.js';
export { ClaimBoard, claimTimeoutMs } from './claims.js';
