import { z } from 'zod';
import { JsonObjectSchema, JsonValueSchema } from './json.js';

// The report tables as the API serves them (@cmcrd/reports' ReportTable, numbers cleaned). The
// routes check the reports' types against these at compile time, and a test parses real tables.

export const TABLE_KINDS = ['comparison', 'significance', 'fusion', 'timing', 'ablation'] as const;
export const TableKindSchema = z.enum(TABLE_KINDS);
export type TableKind = z.infer<typeof TableKindSchema>;

/** The protocol options every fold records; the ones that let test data in are flagged. */
export const ProtocolFlagsSchema = z.object({
  normalisation: z.string(),
  mccSource: z.string(),
  epochSelection: z.string(),
});
export type ProtocolFlags = z.infer<typeof ProtocolFlagsSchema>;

/** The paper's value for a cell; `comparable: false` carries why no delta is given. */
export const PaperRefSchema = z.discriminatedUnion('comparable', [
  z.object({
    comparable: z.literal(true),
    table: z.string(),
    line: z.number().int(),
    value: z.number(),
    std: z.number().nullable(),
    delta: z.number().nullable(),
  }),
  z.object({
    comparable: z.literal(false),
    note: z.string(),
    table: z.string().optional(),
    line: z.number().int().optional(),
  }),
]);
export type PaperRef = z.infer<typeof PaperRefSchema>;

export const ReportColumnSchema = z.object({
  key: z.string(),
  label: z.string(),
  dataset: z.string().optional(),
  backbone: z.string().optional(),
  protocol: z.string().optional(),
  phase: z.string().optional().describe("timing only: 'train', 'test' or 'teacher'"),
  synthetic: z.boolean(),
});
export type ReportColumn = z.infer<typeof ReportColumnSchema>;

export const ReportRowSchema = z.object({
  key: z.string(),
  label: z.string(),
  method: z.string(),
  direction: z.string().optional(),
  dataset: z.string().optional().describe('timing only: the dataset of the row'),
  variant: JsonObjectSchema.optional().describe(
    "options (and training settings) that set this row apart from the method's other rows",
  ),
});
export type ReportRow = z.infer<typeof ReportRowSchema>;

const optionalNumber = (description: string) => z.number().nullable().optional().describe(description);

export const ReportCellSchema = z.object({
  value: z
    .number()
    .nullable()
    .describe('percent accuracy, seconds, or (significance) the BH-adjusted p-value; null when no fold has one'),
  std: z.number().nullable().describe('sample standard deviation over folds; null below two folds'),
  n: z.number().int().describe('folds behind the value (significance: pairs)'),
  expected: z.number().int().describe('folds the column has for this row: n < expected is an incomplete cell'),
  missing: z.array(z.string()).describe('fold keys the column has and this cell lacks'),
  failed: z.number().int().describe("failed attempts stored for this cell's folds"),
  seeds: z.number().int().describe('the most seeds any of its folds has'),
  marked: z.boolean().describe('best of its column, or p < 0.05 (significance)'),
  paper: PaperRefSchema.nullable(),
  seedsPerFold: z.record(z.string(), z.number().int()).optional(),
  pValue: optionalNumber('significance only: the raw p-value'),
  statistic: optionalNumber('the test statistic: t, or the Wilcoxon rank sum'),
  meanDifference: optionalNumber('mean of reference − row over the pairs, percentage points'),
  ciLow: optionalNumber('two-sided 95% CI of the mean difference, low end'),
  ciHigh: optionalNumber('two-sided 95% CI of the mean difference, high end'),
  dz: optionalNumber("Cohen's d_z"),
  significant: z.enum(['gain', 'loss']).nullable().optional(),
  family: z.string().optional().describe("the BH family's key"),
  m: z.number().int().optional().describe("the BH family's size"),
  note: z.string().optional(),
});
export type ReportCell = z.infer<typeof ReportCellSchema>;

export const SignificanceFamilySchema = z.object({
  key: z.string(),
  kind: z.enum(['baselines', 'variants']),
  column: z.string().nullable().describe('the column it belongs to; null for a whole-table family'),
  m: z.number().int(),
});

export const SignificanceTestSchema = z.object({
  test: z.enum(['t', 'wilcoxon']),
  alternative: z.enum(['two-sided', 'greater', 'less']),
  reference: z.string(),
  family: z.enum(['column', 'table']),
  families: z.array(SignificanceFamilySchema),
});
export type SignificanceTest = z.infer<typeof SignificanceTestSchema>;

/** A setting with every value the table's folds have (more than one: the folds differ in it). */
export const ProvenanceSettingSchema = z.object({ label: z.string(), values: z.array(JsonValueSchema) });

export const TableProvenanceSchema = z.object({
  folds: z.number().int().describe('done fold runs (one per fold and seed) behind the table'),
  budget: z.record(z.string(), ProvenanceSettingSchema).describe('keyed as `student.epochs`, `teacher.epochs`, …'),
  options: z
    .record(z.string(), z.record(z.string(), ProvenanceSettingSchema))
    .describe('per method: K (`negatives`) and the loss weight (`weight`)'),
  seeds: z.array(z.number().int()),
  backends: z.array(z.string()),
  revisions: z.array(z.string()),
  differing: z.array(z.string()),
});
export type TableProvenance = z.infer<typeof TableProvenanceSchema>;

export const ReportTableSchema = z.object({
  table: TableKindSchema,
  title: z.string(),
  unit: z.enum(['accuracy (%)', 'BH-adjusted p', 'seconds per fold']),
  scope: z
    .object({
      protocol: z.string().optional(),
      direction: z.string().optional(),
      backbone: z.string().optional(),
      variant: z.string().optional(),
    })
    .describe('what the table holds; absent keys vary across its columns or rows'),
  protocol: ProtocolFlagsSchema,
  columns: z.array(ReportColumnSchema),
  rows: z.array(ReportRowSchema),
  cells: z.array(z.array(ReportCellSchema.nullable())).describe('cells[row][column]; null where the cell does not apply'),
  notes: z.array(z.string()),
  provenance: TableProvenanceSchema,
  significance: SignificanceTestSchema.optional(),
});
export type ReportTable = z.infer<typeof ReportTableSchema>;

export const ReportSchema = z.object({
  report: TableKindSchema,
  tables: z.array(ReportTableSchema).describe('one per scope: protocol, direction, backbone, protocol options'),
});
export type Report = z.infer<typeof ReportSchema>;

/** One column of a comparison table opened up: each row's accuracy on each fold. */
export const CellFoldsSchema = z.object({
  dataset: z.string(),
  protocol: z.string(),
  backbone: z.string(),
  direction: z.string(),
  protocolFlags: ProtocolFlagsSchema.nullable(),
  foldKeys: z.array(z.string()),
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      method: z.string(),
      direction: z.string(),
      folds: z
        .record(z.string(), z.object({ accuracy: z.number(), seeds: z.number().int(), foldId: z.number().int() }))
        .describe('per fold key: the accuracy (%, seeds averaged), how many seeds, and a fold id'),
    }),
  ),
});
export type CellFolds = z.infer<typeof CellFoldsSchema>;
