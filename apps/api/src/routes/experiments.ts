import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { requireToken } from '../auth.js';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { errorJson } from '../errors.js';
import { ExperimentPageSchema, ExperimentSchema, ExperimentStatusSchema, ExperimentWithSpecSchema } from '../contract/index.js';
import { IdParam, Pagination, StartSweepBody, errorResponse, jsonResponse } from '../schemas.js';
import { experimentJson } from '../serialize.js';
import { SweepRequestError } from '../sweep-control.js';
import { nextUrl } from './paging.js';

/** Experiments are sweeps: their status and progress; starting and cancelling them needs the token. */
export function registerExperimentRoutes(app: OpenAPIHono, ctx: ApiContext, maxBodyBytes: number): void {
  const experiments = () =>
    cached(ctx, 'experiments', () => {
      const counts = ctx.store.sweepCounts();
      return ctx.store.listSweeps().map((s) => ({ row: s, counts: counts.get(s.id) }));
    });
  const toJson = (e: ReturnType<typeof experiments>[number]) =>
    experimentJson(e.row, e.counts, ctx.sweeps.startedHere(e.row.id));
  const guard = [
    requireToken(ctx.token),
    bodyLimit({
      maxSize: maxBodyBytes,
      onError: (c) => {
        // The rest of the body is not read: the connection cannot carry another request.
        c.header('Connection', 'close');
        return errorJson(c, 413, {
          error: 'payload too large',
          message: `the body is over ${maxBodyBytes} bytes`,
          in: 'json',
        });
      },
    }),
  ];

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

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/experiments',
      summary:
        'Start a sweep from a sweep file (its YAML text, or a file under the server’s sweeps folder); needs the token',
      middleware: guard,
      security: [{ bearer: [] }],
      request: { body: { content: { 'application/json': { schema: StartSweepBody } }, required: true } },
      responses: {
        202: jsonResponse(ExperimentSchema, 'started; follow it at /api/events?experiment=<id>'),
        400: errorResponse('the body or the sweep file is invalid'),
        401: errorResponse('no or a wrong bearer token'),
        403: errorResponse('the server is read-only (no CMCRD_API_TOKEN)'),
        409: errorResponse('this sweep is already running here'),
        413: errorResponse('the body is too large'),
        503: errorResponse('this server cannot start sweeps (started without the runner)'),
      },
    }),
    async (c) => {
      const body = c.req.valid('json');
      try {
        const sweep = await ctx.sweeps.start(body);
        const counts = ctx.store.sweepCounts().get(sweep.id);
        return c.json(experimentJson(sweep, counts, true), 202);
      } catch (e) {
        if (e instanceof SweepRequestError) {
          const body = { message: e.message, parameter: e.parameter, in: 'json' };
          if (e.status === 503) return errorJson(c, 503, { error: 'unavailable', message: e.message });
          return e.status === 409
            ? errorJson(c, 409, { error: 'conflict', ...body })
            : errorJson(c, 400, { error: 'invalid sweep', ...body });
        }
        throw e;
      }
    },
  );

  app.openapi(
    createRoute({
      method: 'post',
      path: '/api/experiments/{id}/cancel',
      summary:
        'Cancel a sweep this server started (its processes are stopped; finished folds stay); needs the token',
      middleware: guard,
      security: [{ bearer: [] }],
      request: { params: IdParam },
      responses: {
        200: jsonResponse(ExperimentSchema, 'cancelled'),
        400: errorResponse('a parameter is invalid'),
        401: errorResponse('no or a wrong bearer token'),
        403: errorResponse('the server is read-only (no CMCRD_API_TOKEN)'),
        404: errorResponse('no such experiment'),
        409: errorResponse('not running, or not started by this server'),
      },
    }),
    (c) => {
      const { id } = c.req.valid('param');
      try {
        const sweep = ctx.sweeps.cancel(id);
        return c.json(experimentJson(sweep, ctx.store.sweepCounts().get(id), false), 200);
      } catch (e) {
        if (e instanceof SweepRequestError) {
          const body = { message: e.message, parameter: e.parameter, in: 'param' };
          return e.status === 404
            ? errorJson(c, 404, { error: 'not found', ...body })
            : errorJson(c, 409, { error: 'conflict', ...body });
        }
        throw e;
      }
    },
  );
}
