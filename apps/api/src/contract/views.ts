import { z } from 'zod';
import { ExperimentStatusSchema } from './experiments.js';
import { TrainingSchema } from './folds.js';
import { JsonObjectSchema } from './json.js';

export const FacetsSchema = z.object({
  datasets: z.array(z.object({ name: z.string(), synthetic: z.boolean() })),
  protocols: z.array(z.string()),
  directions: z.array(z.string()),
  backbones: z.array(z.string()),
  methods: z.array(z.string()),
});
export type Facets = z.infer<typeof FacetsSchema>;

export const RunListItemSchema = z.object({
  kind: z.enum(['sweep', 'run']).describe('a sweep (the demo is one), or a run outside any sweep (`cmcrd run`)'),
  id: z.string(),
  name: z.string(),
  status: ExperimentStatusSchema,
  folds: z.number().int().describe("folds asked for (a sweep's) or stored (a run's)"),
  done: z.number().int(),
  failed: z.number().int(),
  backends: z.array(z.string()),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
});
export type RunListItem = z.infer<typeof RunListItemSchema>;

export const RunListSchema = z.object({ items: z.array(RunListItemSchema) });
export type RunList = z.infer<typeof RunListSchema>;

export const CellSummarySchema = z.object({
  dataset: z.string(),
  synthetic: z.boolean(),
  protocol: z.string(),
  backbone: z.string(),
  method: z.string(),
  direction: z.string(),
  options: JsonObjectSchema,
  training: TrainingSchema,
  seeds: z.number().int(),
  folds: z.number().int(),
  failed: z.number().int(),
  meanAccuracy: z.number().nullable(),
});
export type CellSummary = z.infer<typeof CellSummarySchema>;

export const CellListSchema = z.object({ items: z.array(CellSummarySchema) });
export type CellList = z.infer<typeof CellListSchema>;
