import { z } from '@hono/zod-openapi';
import { REPORT_FORMATS } from '@cmcrd/reports';
import { ErrorSchema, TABLE_KINDS } from './contract/index.js';

/** A free-text filter: bounded, so nobody sends a megabyte in a query string. */
const name = (description: string) => z.string().min(1).max(200).optional().openapi({ description });

/** A route's JSON response in the OpenAPI document. */
export const jsonResponse = <T extends z.ZodTypeAny>(schema: T, description: string) => ({
  content: { 'application/json': { schema } },
  description,
});

/** An error response (ErrorSchema) in the OpenAPI document. */
export const errorResponse = (description: string) => jsonResponse(ErrorSchema, description);

/**
 * A whole number in a query string or path, written in decimal digits: `0x10`, `1e3`, ` 5` and a
 * parameter given twice (`limit=1&limit=2`) are refused, where a plain coercion would read 16,
 * 1000, 5 and NaN.
 */
export const decimalInt = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string({
      error: (issue) =>
        Array.isArray(issue.input) ? 'given more than once; give it once' : 'expected a whole number',
    })
    .regex(/^-?\d{1,15}$/, 'expected a whole number in decimal digits')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    // The document shows what is accepted (an integer in range), not the string it is read from.
    .openapi({
      type: 'integer',
      ...(min > Number.MIN_SAFE_INTEGER ? { minimum: min } : {}),
      ...(max < Number.MAX_SAFE_INTEGER ? { maximum: max } : {}),
    });

export const Pagination = {
  limit: decimalInt(1, 500).default(50).openapi({ description: 'page size (1–500)', type: 'integer' }),
  offset: decimalInt(0).default(0).openapi({ description: 'items to skip', type: 'integer' }),
};

export const FoldFilters = {
  dataset: name('dataset, e.g. synthetic-seed-iv or seed-iv'),
  protocol: name('within-subject or cross-subject'),
  backbone: name('dnn, dgcnn or bihdm'),
  method: name('eeg-only, em-only, fusion or a distiller'),
  direction: name("'em->eeg', 'eeg->em' or 'none' (unimodal)"),
  seed: decimalInt(Number.MIN_SAFE_INTEGER).optional().openapi({ description: 'training seed', type: 'integer' }),
};

export const IdParam = z.object({
  id: decimalInt(1).openapi({ param: { name: 'id', in: 'path' }, example: 1, type: 'integer' }),
});

/** A run id: a hash of the run's definition (runIdOf in @cmcrd/store, as `cmcrd runs` shows it). */
export const RunId = z.string().regex(/^[0-9a-f]{16}$/, 'a run id is 16 hexadecimal digits');

export const RunIdParam = z.object({
  id: RunId.openapi({ param: { name: 'id', in: 'path' }, example: '0123456789abcdef' }),
});

export const TableKindParam = z.object({
  table: z.enum(TABLE_KINDS).openapi({ param: { name: 'table', in: 'path' }, example: 'comparison' }),
});

export const TableQuery = z
  .object({
    ...FoldFilters,
    format: z
      .enum(['json', ...REPORT_FORMATS.filter((f) => f !== 'json')] as [string, ...string[]])
      .default('json'),
    reference: name("significance: the row tested against the others (default 'cmcrd')"),
    family: z.enum(['column', 'table']).optional(),
    test: z.enum(['t', 'wilcoxon']).optional().openapi({ description: 'significance: the paired test' }),
    alternative: z
      .enum(['two-sided', 'greater', 'less'])
      .optional()
      .openapi({ description: 'significance: the alternative about reference − baseline' }),
    variants: z.enum(['default', 'all']).optional(),
    paper: z
      .enum(['true', 'false'])
      .default('true')
      .transform((v) => v === 'true')
      .openapi({ description: "the paper's values beside ours" }),
  })
  .strict();

export const StartSweepBody = z
  .object({
    spec: z.string().min(1).max(200_000).optional().openapi({ description: 'the sweep file (YAML text)' }),
    path: z
      .string()
      .min(1)
      .max(500)
      .optional()
      .openapi({ description: 'a sweep file under the server’s sweeps folder, e.g. paper.yaml' }),
    workers: z.number().int().min(1).max(64).optional(),
    retries: z.number().int().min(0).max(10).optional(),
    real: z.boolean().optional(),
    embeddings: z
      .boolean()
      .optional()
      .openapi({ description: "store each fold's t-SNE embedding of its test features" }),
    backend: z.enum(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).optional(),
  })
  .strict()
  .refine((b) => (b.spec === undefined) !== (b.path === undefined), {
    message: 'give exactly one of spec and path',
    path: ['spec'],
  });
