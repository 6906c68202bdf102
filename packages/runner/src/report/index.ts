export * from './model.js';
export { ReportError, buildReport, parseReportFormat, parseTableKind, reportFromFacts } from './build.js';
export { formatReport } from './format/index.js';
export { reportJson } from './format/json.js';
export { latexEscape } from './format/latex.js';
export { meanStd, perFoldMeans, summaryCell, variantNamer } from './facts.js';
export { paperReported } from './paper.js';
export { significanceGrid } from './significance.js';
export { type CellFolds, type CellFoldsQuery, cellFolds } from './cell-folds.js';
