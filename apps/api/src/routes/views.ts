import { cellFolds } from '@cmcrd/reports';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { CellFoldsSchema, FacetsSchema } from '../contract/index.js';
import { errorResponse, jsonResponse } from '../schemas.js';

const text = (description: string) => z.string().min(1).max(200).openapi({ description });

const CellQuery = z
  .object({
    dataset: text('dataset'),
    protocol: text('protocol'),
    backbone: text('backbone'),
    direction: text("the table's direction ('em->eeg', 'eeg->em', or 'none' for the unimodal rows only)"),
    normalisation: z.string().max(50).optional(),
    mccSource: z.string().max(50).optional(),
    epochSelection: z.string().max(50).optional(),
    variants: z.enum(['default', 'all']).optional(),
  })
  .strict();

/** What the dashboard's menus and drill-downs need beyond the tables: the store's facets and one column opened up. */
export function registerViewRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/facets',
      summary:
        'What the store holds: its datasets (and whether synthetic), protocols, directions, backbones and methods',
      responses: {
        200: jsonResponse(FacetsSchema, 'the distinct values'),
      },
    }),
    (c) =>
      c.json(
        cached(ctx, 'facets', () => ctx.store.facets()),
        200,
      ),
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/cell',
      summary:
        "One column of a comparison table opened up: each row's accuracy on each fold (subject), seeds averaged, with the fold ids",
      request: { query: CellQuery },
      responses: {
        200: jsonResponse(CellFoldsSchema, 'rows × folds'),
        400: errorResponse('a parameter is invalid'),
      },
    }),
    (c) => {
      const { normalisation, mccSource, epochSelection, ...q } = c.req.valid('query');
      const protocolFlags = Object.fromEntries(
        Object.entries({ normalisation, mccSource, epochSelection }).filter(([, v]) => v !== undefined),
      );
      const key = `cell:${JSON.stringify([q, protocolFlags])}`;
      return c.json(
        cached(ctx, key, () => cellFolds(ctx.store, { ...q, protocolFlags })),
        200,
      );
    },
  );
}
