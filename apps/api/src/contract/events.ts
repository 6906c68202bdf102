import { z } from 'zod';
import { ExperimentSchema } from './experiments.js';
import { FoldSummarySchema } from './folds.js';

const CountsSchema = z.object({ done: z.number().int(), failed: z.number().int() });

/** The data of a `progress` event on /api/events (text/event-stream). */
export const ProgressEventSchema = z.object({
  folds: CountsSchema.describe("the store's folds (or the followed experiment's), by status"),
  experiments: z.array(ExperimentSchema).describe('the running experiments (or the followed one)'),
  latest: z.array(FoldSummarySchema).describe('the folds stored since the last event, oldest first'),
});
export type ProgressEvent = z.infer<typeof ProgressEventSchema>;
