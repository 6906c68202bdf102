import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { errorJson } from '../errors.js';
import {
  FoldEpochsSchema,
  FoldPageSchema,
  FoldSchema,
  RunPageSchema,
  RunWithFoldsSchema,
} from '../contract/index.js';
import {
  decimalInt,
  FoldFilters,
  IdParam,
  Pagination,
  RunId,
  RunIdParam,
  errorResponse,
  jsonResponse,
} from '../schemas.js';
import { foldJson, foldSummaryJson, runJson } from '../serialize.js';
import { nextUrl } from './paging.js';

const notFound = errorResponse('no such item');
const invalid = errorResponse('a parameter is invalid (named in the body)');

const FoldListQuery = z
  .object({
    ...FoldFilters,
    ...Pagination,
    status: z.enum(['done', 'failed']).optional(),
    foldKey: z.string().min(1).max(200).optional().openapi({ description: 'e.g. subject-01 or loso-03' }),
    experiment: decimalInt(1)
      .optional()
      .openapi({ description: 'only the folds this experiment (sweep) ran', type: 'integer' }),
    run: RunId.optional().openapi({ description: 'only the folds of this run' }),
  })
  .strict();

const RunListQuery = z.object({ ...FoldFilters, ...Pagination }).strict();

/** Folds, a fold's epochs, and runs (a configuration and seed: its folds together). */
export function registerFoldRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  // Every run once per change of the store, in order and by id.
  const runs = () =>
    cached(ctx, 'runs', () => {
      const list = ctx.store.listRuns().map((r) => ({ row: r, json: runJson(r) }));
      return { list, byId: new Map(list.map((r) => [r.json.id, r])) };
    });
  const allRuns = () => runs().list;
  const runById = (id: string) => runs().byId.get(id);

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds',
      summary: 'Folds, oldest first, filtered and paginated',
      request: { query: FoldListQuery },
      responses: {
        200: jsonResponse(FoldPageSchema, 'a page of folds'),
        400: invalid,
        404: notFound,
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      let ids: number[] | undefined;
      if (q.run !== undefined) {
        const run = runById(q.run);
        if (!run)
          return errorJson(c, 404, {
            error: 'not found',
            message: `no run ${q.run}`,
            parameter: 'run',
            in: 'query',
          });
        ids = ctx.store.runFoldIds(run.row);
      }
      const { rows, total } = ctx.store.pageFolds(
        {
          dataset: q.dataset,
          protocol: q.protocol,
          backbone: q.backbone,
          method: q.method,
          direction: q.direction,
          seed: q.seed,
          status: q.status,
          foldKey: q.foldKey,
          sweepId: q.experiment,
          ids,
        },
        { limit: q.limit, offset: q.offset },
      );
      return c.json(
        {
          items: rows.map(foldSummaryJson),
          total,
          limit: q.limit,
          offset: q.offset,
          next: nextUrl(c.req.url, q.offset, q.limit, total),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}',
      summary: 'One fold: its configuration, metrics, confusion matrix and teacher',
      request: { params: IdParam },
      responses: { 200: jsonResponse(FoldSchema, 'the fold'), 400: invalid, 404: notFound },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const row = ctx.store.getFold(id);
      if (!row)
        return errorJson(c, 404, {
          error: 'not found',
          message: `no fold ${id}`,
          parameter: 'id',
          in: 'param',
        });
      return c.json(foldJson(row), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/folds/{id}/epochs',
      summary: "A fold's per-epoch record (loss parts, training, validation and test accuracy)",
      request: { params: IdParam },
      responses: {
        200: jsonResponse(FoldEpochsSchema, 'the epochs'),
        400: invalid,
        404: notFound,
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
      const epochs = ctx.store.epochsOf(id).map((e) => ({
        epoch: e.epoch,
        lr: e.lr,
        losses: JSON.parse(e.losses) as Record<string, number>,
        trainAccuracy: e.trainAccuracy,
        valAccuracy: e.valAccuracy,
        testAccuracy: e.testAccuracy,
      }));
      return c.json({ fold: id, epochs }, 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/runs',
      summary: 'Runs: the folds of one configuration and seed, counted, with their mean accuracy',
      request: { query: RunListQuery },
      responses: { 200: jsonResponse(RunPageSchema, 'a page of runs'), 400: invalid },
    }),
    (c) => {
      const q = c.req.valid('query');
      const matching = allRuns().filter(
        ({ row: r }) =>
          (q.dataset === undefined || r.dataset === q.dataset) &&
          (q.protocol === undefined || r.protocol === q.protocol) &&
          (q.backbone === undefined || r.backbone === q.backbone) &&
          (q.method === undefined || r.method === q.method) &&
          (q.direction === undefined || r.direction === q.direction) &&
          (q.seed === undefined || r.seed === q.seed),
      );
      const items = matching.slice(q.offset, q.offset + q.limit).map((r) => r.json);
      return c.json(
        {
          items,
          total: matching.length,
          limit: q.limit,
          offset: q.offset,
          next: nextUrl(c.req.url, q.offset, q.limit, matching.length),
        },
        200,
      );
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/runs/{id}',
      summary: 'One run and its folds',
      request: { params: RunIdParam },
      responses: {
        200: jsonResponse(RunWithFoldsSchema, 'the run with its folds'),
        400: invalid,
        404: notFound,
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      const run = runById(id);
      if (!run)
        return errorJson(c, 404, {
          error: 'not found',
          message: `no run ${id}`,
          parameter: 'id',
          in: 'param',
        });
      const ids = ctx.store.runFoldIds(run.row);
      const { rows } = ctx.store.pageFolds({ ids }, { limit: ids.length || 1, offset: 0 });
      return c.json({ ...run.json, folds: rows.map(foldSummaryJson) }, 200);
    },
  );
}
