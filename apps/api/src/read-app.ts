import { OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { HTTPException } from 'hono/http-exception';
import {
  type HealthBody,
  HealthSchema,
  type InternalErrorBody,
  InternalErrorSchema,
  type NotFoundBody,
  NotFoundSchema,
  ProgressEventSchema,
} from './contract/index.js';
import type { ApiContext } from './context.js';
import { describeZodError, errorJson } from './errors.js';
import { nameContractSchemas } from './openapi-names.js';
import { registerBundleRoute } from './routes/bundle.js';
import { registerEmbeddingRoutes } from './routes/embeddings.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExperimentRoutes } from './routes/experiments.js';
import { registerFoldRoutes } from './routes/folds.js';
import { registerModelRoutes } from './routes/models.js';
import { registerRunListRoutes } from './routes/run-list.js';
import { registerTableRoutes } from './routes/tables.js';
import { registerVerifyRoute } from './routes/verify.js';
import { registerViewRoutes } from './routes/views.js';

export type { HealthBody, NotFoundBody };

export interface BuildOptions {
  version: string;
  /** Routes that change things (starting and cancelling sweeps): the Node server adds them; a published page does not. */
  mutations?(app: OpenAPIHono): void;
}

/**
 * The API's routes over a context, with no Node built-in anywhere below it: the same app answers in
 * `cmcrd serve` (better-sqlite3) and inside a page published by `cmcrd publish` (sql.js), so every
 * table has one implementation.
 */
export function buildApp(ctx: ApiContext, o: BuildOptions): OpenAPIHono {
  const app = new OpenAPIHono({
    defaultHook: (result, c) => {
      if (!result.success) return errorJson(c, 400, describeZodError(result.error, result.target));
    },
  });

  nameContractSchemas();
  // The store's file name only: an absolute path would tell a caller about the machine's layout.
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/health',
      summary: "The server's version, its store's file name, and whether it is read-only",
      responses: { 200: { content: { 'application/json': { schema: HealthSchema } }, description: 'up' } },
    }),
    (c) => c.json({ ok: true as const, version: o.version, store: ctx.storeLabel, readOnly: ctx.token === null }, 200),
  );
  registerFoldRoutes(app, ctx);
  registerEmbeddingRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerExperimentRoutes(app, ctx);
  o.mutations?.(app);
  registerTableRoutes(app, ctx);
  registerBundleRoute(app, ctx);
  registerEventRoutes(app, ctx);
  registerViewRoutes(app, ctx);
  registerRunListRoutes(app, ctx);
  registerVerifyRoute(app, ctx);

  // Bodies no typed route declares (an unknown path, a failure, the progress stream's events):
  // listed so that a client finds their shapes in the document too. Registering needs
  // `.openapi()`, which a plain zod schema made before @hono/zod-openapi loaded lacks: the same
  // shape is wrapped in an object made here.
  for (const [name, schema] of [
    ['NotFound', NotFoundSchema],
    ['InternalError', InternalErrorSchema],
    ['ProgressEvent', ProgressEventSchema],
  ] as const)
    app.openAPIRegistry.register(name, z.object(schema.shape));
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'CMCRD_API_TOKEN',
  });
  app.doc31('/api/openapi.json', {
    openapi: '3.1.0',
    info: {
      title: 'CMCRD Lab API',
      version: o.version,
      description:
        'Folds, runs and experiments of a CMCRD store, the report tables of the paper with its values beside ours, and live progress. Read-only unless the server has CMCRD_API_TOKEN; mutations need it as a bearer token.',
    },
  });

  app.notFound((c) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) {
      return c.json<NotFoundBody>(
        { error: 'not found', message: `no route ${c.req.method} ${path}`, path },
        404,
      );
    }
    return c.text('not found', 404);
  });

  app.onError((err, c) => {
    // Hono's own refusals (a body that is not JSON, …) keep their status, as JSON.
    if (err instanceof HTTPException && err.status < 500)
      return errorJson(c, err.status, {
        error: 'bad request',
        message: err.message || 'bad request',
        in: 'json',
      });
    console.error(`api: ${c.req.method} ${c.req.path} failed:`, err);
    return c.json<InternalErrorBody>(
      { error: 'internal error', message: 'the server failed; see its log', path: c.req.path },
      500,
    );
  });

  return app;
}
