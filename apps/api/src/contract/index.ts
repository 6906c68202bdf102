/**
 * The API's contract: a zod schema for every response, and the types inferred from them. The
 * dashboard takes its types from here (`@cmcrd/api/contract`), so this folder imports nothing but
 * zod: a browser bundle that reads it never pulls in the server. The server gives the schemas
 * their OpenAPI names (openapi-names.ts) and serves the document built from them.
 */
import { ErrorSchema, HealthSchema } from './common.js';
import { ExperimentPageSchema, ExperimentSchema, ExperimentWithSpecSchema } from './experiments.js';
import {
  EpochSchema,
  FoldEpochsSchema,
  FoldPageSchema,
  FoldSchema,
  FoldSummarySchema,
  RunPageSchema,
  RunSchema,
  RunWithFoldsSchema,
  TrainingSchema,
} from './folds.js';
import { JsonValueSchema } from './json.js';
import { FoldEmbeddingSchema, FoldModelInfoSchema, FoldTestWindowsSchema, ModelPreprocessSchema } from './models.js';
import { PaperSchema } from './paper.js';
import {
  CellFoldsSchema,
  PaperRefSchema,
  ReportCellSchema,
  ReportColumnSchema,
  ReportRowSchema,
  ReportSchema,
  ReportTableSchema,
} from './reports.js';
import { CellListSchema, CellSummarySchema, FacetsSchema, RunListItemSchema, RunListSchema } from './views.js';
import { VerifySchema } from './verify.js';

export * from './common.js';
export * from './events.js';
export * from './experiments.js';
export * from './folds.js';
export * from './json.js';
export * from './models.js';
export * from './paper.js';
export * from './reports.js';
export * from './views.js';
export * from './verify.js';

/** The schemas the routes answer with, under their names in the OpenAPI document (components.schemas). */
export const NAMED_SCHEMAS = {
  Error: ErrorSchema,
  Health: HealthSchema,
  JsonValue: JsonValueSchema,
  FoldSummary: FoldSummarySchema,
  Fold: FoldSchema,
  FoldPage: FoldPageSchema,
  Epoch: EpochSchema,
  FoldEpochs: FoldEpochsSchema,
  Training: TrainingSchema,
  Run: RunSchema,
  RunPage: RunPageSchema,
  RunWithFolds: RunWithFoldsSchema,
  Experiment: ExperimentSchema,
  ExperimentPage: ExperimentPageSchema,
  ExperimentWithSpec: ExperimentWithSpecSchema,
  FoldEmbedding: FoldEmbeddingSchema,
  FoldTestWindows: FoldTestWindowsSchema,
  FoldModelInfo: FoldModelInfoSchema,
  ModelPreprocess: ModelPreprocessSchema,
  Facets: FacetsSchema,
  RunListItem: RunListItemSchema,
  RunList: RunListSchema,
  CellSummary: CellSummarySchema,
  CellList: CellListSchema,
  Report: ReportSchema,
  ReportTable: ReportTableSchema,
  ReportColumn: ReportColumnSchema,
  ReportRow: ReportRowSchema,
  ReportCell: ReportCellSchema,
  PaperRef: PaperRefSchema,
  CellFolds: CellFoldsSchema,
  Paper: PaperSchema,
  Verify: VerifySchema,
} as const;
