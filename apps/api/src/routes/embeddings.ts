import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { errorJson } from '../errors.js';
import { IdParam, errorResponse, jsonResponse } from '../schemas.js';

/** The stored `tsne` artifact of a fold (TsneArtifact in @cmcrd/store), with the fold's id. */
export const EmbeddingSchema = z
  .object({
    fold: z.number().int(),
    points: z
      .array(z.tuple([z.number(), z.number()]))
      .openapi({ description: '[x, y] per point, in the order of `indices`' }),
    labels: z.array(z.number().int()).openapi({ description: 'true class of each point' }),
    predicted: z
      .array(z.number().int())
      .openapi({ description: "the fold's model's prediction for each point" }),
    indices: z.array(z.number().int()).openapi({ description: "rows of the fold's test split (ascending)" }),
    perplexity: z.number(),
    iterations: z.number().int(),
    seed: z
      .number()
      .int()
      .openapi({ description: 'seed of the subsample and of the initial layout (the fold’s training seed)' }),
    features: z
      .string()
      .openapi({
        description: 'which feature tap was embedded and its dimension',
        example: 'dnn features[1] of 2 (penultimate), 128-d',
      }),
    ms: z.number().openapi({ description: 'time it took on the machine that ran the fold' }),
  })
  .openapi('FoldEmbedding');

/** A fold's 2-D t-SNE of its test-set features (stored by `cmcrd run`, `demo`, `sweep --embeddings`). */
export function registerEmbeddingRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}/embedding',
      summary:
        "A fold's 2-D t-SNE of the final model's test-set features (at most 400 points, stratified by label)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(EmbeddingSchema, 'the embedding'),
        400: errorResponse('a parameter is invalid (named in the body)'),
        404: errorResponse('no such fold, or the fold has no embedding'),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      if (!ctx.store.getFold(id))
        return errorJson(c, 404, {
          error: 'not found',
          message: `no fold ${id}`,
          parameter: 'id',
          in: 'param',
        });
      const data = ctx.store.artifactOf(id, 'tsne');
      if (!data) {
        return errorJson(c, 404, {
          error: 'not found',
          message: `fold ${id} has no embedding (computed by cmcrd run and cmcrd demo; by cmcrd sweep with --embeddings)`,
          parameter: 'id',
          in: 'param',
        });
      }
      return c.json({ fold: id, ...data }, 200);
    },
  );
}
