import { z } from 'zod';
import { page } from './common.js';
import { JsonObjectSchema } from './json.js';

const FoldStatus = z.enum(['done', 'failed']);

export const FoldSummarySchema = z.object({
  id: z.number().int(),
  configHash: z.string(),
  dataset: z.string(),
  synthetic: z.boolean(),
  protocol: z.string(),
  foldKey: z.string(),
  method: z.string(),
  backbone: z.string(),
  direction: z.string(),
  testModality: z.string(),
  seed: z.number().int(),
  options: JsonObjectSchema.describe("the method's options (each method declares its own)"),
  protocolOptions: JsonObjectSchema.describe('normalisation, mccSource, epochSelection, …'),
  status: FoldStatus,
  accuracy: z.number().nullable(),
  balancedAccuracy: z.number().nullable(),
  trainSize: z.number().int().nullable(),
  testSize: z.number().int().nullable(),
  trainMs: z.number().nullable(),
  testMs: z.number().nullable(),
  epochs: z.number().int(),
  selectedEpoch: z.number().int().nullable(),
  backend: z.string(),
  host: z.string(),
  teacherKey: z.string().nullable(),
  teacherAccuracy: z.number().nullable(),
  teacherMs: z.number().nullable(),
  error: z.string().nullable(),
  attempts: z.number().int(),
  experiment: z.number().int().nullable(),
  run: z.string(),
  startedAt: z.string(),
  finishedAt: z.string(),
});
export type FoldSummary = z.infer<typeof FoldSummarySchema>;

export const FoldSchema = FoldSummarySchema.extend({
  config: JsonObjectSchema.describe("the fold's configuration as stored"),
  confusion: z.array(z.array(z.number())).nullable(),
  createdAt: z.string(),
});
export type Fold = z.infer<typeof FoldSchema>;

export const FoldPageSchema = page(FoldSummarySchema);

export const EpochSchema = z.object({
  epoch: z.number().int(),
  lr: z.number(),
  losses: z.record(z.string(), z.number()),
  trainAccuracy: z.number(),
  valAccuracy: z.number().nullable(),
  testAccuracy: z.number().nullable(),
});
export type Epoch = z.infer<typeof EpochSchema>;

export const FoldEpochsSchema = z.object({ fold: z.number().int(), epochs: z.array(EpochSchema) });
export type FoldEpochs = z.infer<typeof FoldEpochsSchema>;

/** A row's training settings beside its method's options (the store's `variant`, split). */
export const TrainingSchema = z.object({
  student: JsonObjectSchema.optional().describe('epochs, warmupEpochs, batchSize, lr, weightDecay'),
  teacherEpochs: z.number().optional(),
  module: z.string().optional().describe('the module a method outside the built-ins came from'),
});
export type Training = z.infer<typeof TrainingSchema>;

export const RunSchema = z.object({
  id: z.string(),
  dataset: z.string(),
  synthetic: z.boolean(),
  protocol: z.string(),
  protocolOptions: JsonObjectSchema,
  backbone: z.string(),
  method: z.string(),
  direction: z.string(),
  options: JsonObjectSchema,
  training: TrainingSchema,
  seed: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  meanAccuracy: z.number().nullable(),
  experiments: z.array(z.number().int()),
  lastFinishedAt: z.string(),
});
export type Run = z.infer<typeof RunSchema>;

export const RunPageSchema = page(RunSchema);

export const RunWithFoldsSchema = RunSchema.extend({ folds: z.array(FoldSummarySchema) });
export type RunWithFolds = z.infer<typeof RunWithFoldsSchema>;
