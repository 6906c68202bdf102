import { type OpenAPIHono, createRoute } from '@hono/zod-openapi';
import type { Store } from '@cmcrd/store';
import { bodyLimit } from 'hono/body-limit';
import { requireToken } from '../auth.js';
import type { ApiContext } from '../context.js';
import { errorJson } from '../errors.js';
import { ExperimentSchema } from '../contract/index.js';
import { IdParam, StartSweepBody, errorResponse, jsonResponse } from '../schemas.js';
import { experimentJson } from '../serialize.js';
import { type SweepController, SweepRequestError } from '../sweep-control.js';

/**
 * Starting and cancelling sweeps: the server's only mutations, behind the token. Registered by the
 * Node server only: a published site (cmcrd publish) has no route that could start work.
 */
export function registerExperimentMutations(
  app: OpenAPIHono,
  ctx: ApiContext & { store: Store; sweeps: SweepController },
  maxBodyBytes: number,
): void {
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
