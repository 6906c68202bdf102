import { cellSummaries, runList } from '@cmcrd/store/read';
import { type OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { CellListSchema, RunListSchema } from '../contract/index.js';
import { jsonResponse } from '../schemas.js';
import { variantParts } from '../serialize.js';

/** The dashboard's run list and cells table: every experiment, every cell, in one request each. */
export function registerRunListRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/run-list',
      summary: 'Every experiment — sweeps (the demo is one) and runs outside sweeps — newest first, with status, progress, backends and times',
      responses: { 200: jsonResponse(RunListSchema, 'the run list') },
    }),
    (c) => c.json({ items: cached(ctx, 'run-list', () => runList(ctx.store)) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/cells',
      summary: 'Every cell (dataset, protocol, backbone, method, direction, options): seeds, folds, failures, mean accuracy',
      responses: { 200: jsonResponse(CellListSchema, 'the cells') },
    }),
    (c) =>
      c.json(
        {
          items: cached(ctx, 'cells', () =>
            cellSummaries(ctx.store).map(({ variant, ...cell }) => ({ ...cell, ...variantParts(variant) })),
          ),
        },
        200,
      ),
  );
}
