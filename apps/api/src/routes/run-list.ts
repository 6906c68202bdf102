import { cellSummaries, runList } from '@cmcrd/store';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { jsonResponse } from '../schemas.js';
import { variantParts } from '../serialize.js';

const RunListItemSchema = z
  .object({
    kind: z.enum(['sweep', 'run']).openapi({ description: "a sweep (the demo is one), or a run outside any sweep (`cmcrd run`)" }),
    id: z.string(),
    name: z.string(),
    status: z.enum(['running', 'finished', 'cancelled', 'stopped']),
    folds: z.number().int().openapi({ description: "folds asked for (a sweep's) or stored (a run's)" }),
    done: z.number().int(),
    failed: z.number().int(),
    backends: z.array(z.string()),
    startedAt: z.string(),
    finishedAt: z.string().nullable(),
  })
  .openapi('RunListItem');

const CellSummarySchema = z
  .object({
    dataset: z.string(),
    synthetic: z.boolean(),
    protocol: z.string(),
    backbone: z.string(),
    method: z.string(),
    direction: z.string(),
    options: z.record(z.string(), z.unknown()),
    training: z.record(z.string(), z.unknown()),
    seeds: z.number().int(),
    folds: z.number().int(),
    failed: z.number().int(),
    meanAccuracy: z.number().nullable(),
  })
  .openapi('CellSummary');

/** The dashboard's run list and cells table: every experiment, every cell, in one request each. */
export function registerRunListRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/run-list',
      summary: 'Every experiment — sweeps (the demo is one) and runs outside sweeps — newest first, with status, progress, backends and times',
      responses: { 200: jsonResponse(z.object({ items: z.array(RunListItemSchema) }), 'the run list') },
    }),
    (c) => c.json({ items: cached(ctx, 'run-list', () => runList(ctx.store)) }, 200),
  );
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/cells',
      summary: 'Every cell (dataset, protocol, backbone, method, direction, options): seeds, folds, failures, mean accuracy',
      responses: { 200: jsonResponse(z.object({ items: z.array(CellSummarySchema) }), 'the cells') },
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
