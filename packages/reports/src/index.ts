export * from './model.js';
export { ReportError, buildReport, parseReportFormat, parseTableKind, reportFromFacts } from './build.js';
export { formatReport } from './format/index.js';
export { boxTable } from './format/box-table.js';
export { reportJson } from './format/json.js';
export { latexDocument, latexEscape } from './format/latex.js';
export { meanStd, perFoldMeans, summaryCell, variantNamer } from './facts.js';
export { paperReported } from './paper.js';
export { significanceGrid } from './significance.js';
export { type CellFolds, type CellFoldsQuery, cellFolds } from './cell-folds.js';
export { type BundleFile, BUNDLE_DOCUMENT, reportBundle } from './bundle.js';
export { registerRecorded } from './build.js';
export { BUILTIN_DISPLAY_NAMES, displayLabel, displayName, registerDisplayName } from './display.js';
export { BUILTIN_OPTION_DEFAULTS, registerOptionDefaults } from './option-defaults.js';
export { referenceVariantsHint } from './reference-variants.js';
export {
  ALTERNATIVES,
  type Alternative,
  PAIRED_TESTS,
  type PairedEffect,
  type PairedTest,
  type TTestResult,
  type WilcoxonResult,
  benjaminiHochberg,
  pairedEffect,
  pairedTTest,
  wilcoxonSignedRank,
} from './stats.js';
export { PREPROCESS_FORMAT, type PreprocessFile, exportFiles } from './model/export.js';
export { BIHDM_LOCAL_STREAMS, UnexportableModelError, graphModelOf } from './model/graph-backbones.js';
export { type GraphModelFiles, WEIGHT_SHARD } from './model/graph-def.js';
export { modelCard } from './model/model-card.js';
// The test split of a fold (the dashboard's "Try it") rebuilds data: `@cmcrd/reports/test-split`,
// kept out of this entry so that reading tables never loads the dataset code.
