import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { errorJson } from '../errors.js';
import { ExperimentPageSchema, ExperimentStatusSchema, ExperimentWithSpecSchema } from '../contract/index.js';
import { IdParam, Pagination, errorResponse, jsonResponse } from '../schemas.js';
import { experimentJson } from '../serialize.js';
import { nextUrl } from './paging.js';

/** Experiments are sweeps: their status and progress (starting and cancelling them: experiment-mutations.ts). */
export function registerExperimentRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  const experiments = () =>
    cached(ctx, 'experiments', () => {
      const counts = ctx.store.sweepCounts();
      return ctx.store.listSweeps().map((s) => ({ row: s, counts: counts.get(s.id) }));
    });
  const toJson = (e: ReturnType<typeof experiments>[number]) =>
    experimentJson(e.row, e.counts, ctx.sweeps.startedHere(e.row.id));

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/experiments',
      summary: 'Experiments (sweeps), newest first, with their progress',
      request: {
        query: z
          .object({ ...Pagination, status: ExperimentStatusSchema.optional() })
          .strict(),
      },
      responses: {
        200: jsonResponse(ExperimentPageSchema, 'a page of experiments'),
        400: errorResponse('a parameter is invalid'),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const all = experiments()
        .filter((e) => q.status === undefined || e.row.status === q.status)
        .reverse();
      const items = all.slice(q.offset, q.offset + q.limit).map(toJson);
      return c.json(
        {
          items,
          total: all.length,
          limit: q.limit,
          offset: q.offset,
          next: nextUrl(c.req.url, q.offset, q.limit, all.length),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/experiments/{id}',
      summary: 'One experiment with its sweep file',
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ExperimentWithSpecSchema, 'the experiment'),
        400: errorResponse('a parameter is invalid'),
        404: errorResponse('no such experiment'),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const e = experiments().find((x) => x.row.id === id);
      if (!e)
        return errorJson(c, 404, {
          error: 'not found',
          message: `no experiment ${id}`,
          parameter: 'id',
          in: 'param',
        });
      return c.json({ ...toJson(e), spec: e.row.spec }, 200);
    },
  );
}
