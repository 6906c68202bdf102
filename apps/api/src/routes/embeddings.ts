import { type OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { errorJson } from '../errors.js';
import { FoldEmbeddingSchema } from '../contract/index.js';
import { IdParam, errorResponse, jsonResponse } from '../schemas.js';

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
        200: jsonResponse(FoldEmbeddingSchema, 'the embedding'),
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
