import { type OpenAPIHono, z } from '@hono/zod-openapi';
import { streamSSE } from 'hono/streaming';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { describeZodError, errorJson } from '../errors.js';
import type { ProgressEvent } from '../contract/index.js';
import { decimalInt, errorResponse } from '../schemas.js';
import { experimentJson, foldSummaryJson } from '../serialize.js';

const Query = z
  .object({
    experiment: decimalInt(1)
      .optional()
      .openapi({ description: 'follow one experiment (default: the whole store)', type: 'integer' }),
    latest: decimalInt(0, 200)
      .default(20)
      .openapi({ description: 'how many of the latest folds the first event carries', type: 'integer' }),
  })
  .strict();

const HEARTBEAT_MS = 15_000;
const LATEST = 200;

/**
 * Live progress as server-sent events: a `progress` event at once and then whenever the store
 * changes (any writer: a `cmcrd sweep` in another process, a sweep this server started):
 * counts, the running experiments, and the folds stored since the last event.
 */
export function registerEventRoutes(app: OpenAPIHono, ctx: ApiContext): void {
  app.openAPIRegistry.registerPath({
    method: 'get',
    path: '/api/events',
    summary: 'Live progress (text/event-stream): a `progress` event now and on every change of the store',
    request: { query: Query },
    responses: {
      200: {
        description:
          'event: progress, data: a ProgressEvent (components.schemas) as JSON: {folds: {done, failed}, experiments: [...], latest: [new folds]}',
        content: { 'text/event-stream': { schema: z.string() } },
      },
      400: errorResponse('a parameter is invalid'),
      404: errorResponse('no such experiment'),
    },
  });

  app.get('/api/events', (c) => {
    const parsed = Query.safeParse(c.req.query());
    if (!parsed.success) return errorJson(c, 400, describeZodError(parsed.error, 'query'));
    const { experiment, latest: firstLatest } = parsed.data;
    if (experiment !== undefined && !ctx.store.getSweep(experiment)) {
      return errorJson(c, 404, {
        error: 'not found',
        message: `no experiment ${experiment}`,
        parameter: 'experiment',
        in: 'query',
      });
    }
    return streamSSE(c, async (stream) => {
      let open = true;
      stream.onAbort(() => {
        open = false;
      });
      let lastStamp = '';
      let lastId = Math.max(0, ctx.store.lastFoldId() - firstLatest);
      let lastBeat = Date.now();
      let id = 0;
      while (open) {
        const stamp = ctx.store.changeStamp();
        if (stamp !== lastStamp) {
          lastStamp = stamp;
          const latest = ctx.store.foldsSince(lastId, LATEST, experiment);
          if (latest.length) lastId = latest[latest.length - 1].id;
          const counts = cached(ctx, 'sweep-counts', () => ctx.store.sweepCounts());
          const experiments = ctx.store
            .listSweeps()
            .filter((s) => (experiment === undefined ? s.status === 'running' : s.id === experiment))
            .map((s) => experimentJson(s, counts.get(s.id), ctx.sweeps.startedHere(s.id)));
          const folds =
            experiment === undefined
              ? cached(ctx, 'status-counts', () => ctx.store.statusCounts())
              : (counts.get(experiment) ?? { done: 0, failed: 0 });
          await stream.writeSSE({
            event: 'progress',
            id: String(++id),
            data: JSON.stringify({ folds, experiments, latest: latest.map(foldSummaryJson) } satisfies ProgressEvent),
          });
          lastBeat = Date.now();
        } else if (Date.now() - lastBeat >= HEARTBEAT_MS) {
          await stream.write(': keep-alive\n\n');
          lastBeat = Date.now();
        }
        await stream.sleep(ctx.progressIntervalMs);
      }
    });
  });
}
