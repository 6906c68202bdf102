import { z } from 'zod';
import { page } from './common.js';
import { JsonObjectSchema } from './json.js';

export const ExperimentStatusSchema = z.enum(['running', 'finished', 'cancelled', 'stopped']);
export type ExperimentStatus = z.infer<typeof ExperimentStatusSchema>;

export const ExperimentSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  file: z.string(),
  status: ExperimentStatusSchema,
  options: JsonObjectSchema.describe('the sweep\'s run options (workers, retries, backend, …)'),
  folds: z.number().int(),
  done: z.number().int(),
  failed: z.number().int(),
  createdAt: z.string(),
  finishedAt: z.string().nullable(),
  startedHere: z.boolean().describe('started by this server (and so cancellable through it)'),
});
export type Experiment = z.infer<typeof ExperimentSchema>;

export const ExperimentPageSchema = page(ExperimentSchema);

export const ExperimentWithSpecSchema = ExperimentSchema.extend({ spec: z.string() });
export type ExperimentWithSpec = z.infer<typeof ExperimentWithSpecSchema>;
