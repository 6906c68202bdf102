import { z } from 'zod';

// The paper's Tables 1–7 as transcribed (packages/reports/paper/reported.json).

/** One cell of a transcribed table; which keys it has depends on the table (t1–t7). */
export const PaperCellSchema = z.object({
  line: z.number().int().describe("1-based line in the paper's text"),
  dataset: z.string(),
  setting: z.string().optional().describe('within or cross'),
  backbone: z.string().optional(),
  method: z.string().optional(),
  versus: z.string().optional().describe('Table 3: the baseline CMCRD is tested against'),
  model: z.string().optional().describe('Table 6'),
  phase: z.string().optional().describe('Table 6: training or testing'),
  mean: z.number().optional(),
  std: z.number().optional(),
  p: z.number().optional().describe('Table 3: the BH-adjusted p-value'),
  seconds: z.number().optional().describe('Table 6'),
  accuracy: z.number().nullable().optional().describe('Table 7; null where illegible'),
  mcc: z.boolean().optional(),
  us: z.boolean().optional(),
  iew: z.boolean().optional(),
});
export type PaperCell = z.infer<typeof PaperCellSchema>;

export const PaperTableSchema = z.object({
  caption: z.string(),
  setting: z.string().optional(),
  direction: z.string().optional(),
  backbone: z.string().optional(),
  lines: z.tuple([z.number().int(), z.number().int()]).describe('first and last line in the paper'),
  cells: z.array(PaperCellSchema),
});

/** A value the transcription had to judge: what it read, what it stored, and why. */
export const PaperUncertainSchema = z.object({
  table: z.string(),
  row: z.string(),
  setting: z.string().optional(),
  dataset: z.string().optional(),
  line: z.number().int(),
  source_text: z.string(),
  stored: z.union([
    z.number(),
    z.string(),
    z.null(),
    z.record(z.string(), z.union([z.number(), z.array(z.number())])),
  ]),
  candidate_value: z.number().optional(),
  note: z.string(),
});

/** Where the paper disagrees with itself; the other keys hold the values compared (text, or per dataset). */
export const PaperInconsistencySchema = z
  .object({ type: z.string(), what: z.string() })
  .catchall(z.union([z.string(), z.record(z.string(), z.number())]));

export const PaperSchema = z.object({
  source: z.string(),
  source_file: z.string(),
  units: z.string(),
  notes: z.string(),
  tables: z.record(z.string(), PaperTableSchema),
  uncertain: z.array(PaperUncertainSchema),
  inconsistencies: z.array(PaperInconsistencySchema),
});
export type Paper = z.infer<typeof PaperSchema>;
