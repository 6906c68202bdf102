import { z } from 'zod';

/**
 * What the Verify panel shows: the store file every number is computed from (its sha256 as the
 * host computed it), what it holds, and the commands that recompute any table from that file.
 */
export const VerifySchema = z.object({
  store: z.object({
    file: z.string().describe("the store's file name"),
    bytes: z.number().int().nullable(),
    sha256: z.string().nullable().describe('of the file as served (null when the host cannot tell)'),
  }),
  counts: z.object({
    folds: z.number().int(),
    done: z.number().int(),
    failed: z.number().int(),
    epochs: z.number().int(),
    embeddings: z.number().int(),
    models: z.number().int(),
    sweeps: z.number().int(),
  }),
  datasets: z.array(
    z.object({
      name: z.string(),
      synthetic: z.boolean(),
      revision: z.string().describe('the synthetic data seed, or the imported release content digest'),
      folds: z.number().int(),
    }),
  ),
  codeRevisions: z.array(z.object({ revision: z.string(), folds: z.number().int() })),
  commands: z.array(z.object({ what: z.string(), command: z.string() })),
});
export type VerifyBody = z.infer<typeof VerifySchema>;
