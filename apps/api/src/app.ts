import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_DB, Store, userPath } from '@cmcrd/store';
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
import { registerEmbeddingRoutes } from './routes/embeddings.js';
import { registerModelRoutes } from './routes/models.js';
import { registerEventRoutes } from './routes/events.js';
import { registerExperimentRoutes } from './routes/experiments.js';
import { registerFoldRoutes } from './routes/folds.js';
import { registerBundleRoute } from './routes/bundle.js';
import { registerRunListRoutes } from './routes/run-list.js';
import { registerTableRoutes } from './routes/tables.js';
import { registerViewRoutes } from './routes/views.js';
import { StampCache } from './stamp-cache.js';
import { SweepController, type SweepRunner, defaultWorkDir } from './sweep-control.js';

export interface AppOptions {
  /** An open store; otherwise `dbPath` is opened (default results/cmcrd.sqlite); it must exist: the API never creates one. */
  store?: Store;
  dbPath?: string;
  /** Bearer token for mutations; default $CMCRD_API_TOKEN; none (or empty) makes the API read-only. */
  token?: string | null;
  /** Where sweeps started through the API keep their files and logs (default: `api/` beside the store). */
  workDir?: string;
  /** Sweep files a request may name by `path` (default ./sweeps). */
  sweepFilesDir?: string;
  /** What starting sweeps needs from the runner (the `cmcrd` command passes it); without it, POST /api/experiments answers 503. */
  sweepRunner?: SweepRunner;
  /** How often the progress stream looks for changes (ms, default 1000). */
  progressIntervalMs?: number;
  /** Largest accepted request body (bytes, default 256 KiB). */
  maxBodyBytes?: number;
}

/** Version of this package, read once from its package.json (works from `src/` and `dist/`). */
export const version: string = readVersion();

function readVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: unknown;
    };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

export type { HealthBody, NotFoundBody };

export interface Api {
  app: OpenAPIHono;
  store: Store;
  sweeps: SweepController;
  /** Closes the store if this API opened it (sweeps it started keep running; see sweeps.cancelAll). */
  close(): void;
}

/** Builds the HTTP API over a store. No listening: mount `app.fetch` anywhere (see startServer). */
export function createApi(options: AppOptions = {}): Api {
  const owned = options.store === undefined;
  // A damaged store is refused here (StoreFaultError), not answered with a 500 on every read.
  const store = options.store ?? Store.openExisting(userPath(options.dbPath ?? DEFAULT_DB), { verify: true });
  const token = options.token === undefined ? process.env.CMCRD_API_TOKEN || null : options.token || null;
  const sweeps = new SweepController(
    store,
    options.workDir ?? defaultWorkDir(store.path),
    options.sweepFilesDir ?? userPath('sweeps'),
    options.sweepRunner,
  );
  const ctx: ApiContext = {
    store,
    sweeps,
    token,
    cache: new StampCache(),
    progressIntervalMs: options.progressIntervalMs ?? 1000,
  };

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
    (c) => c.json({ ok: true as const, version, store: basename(store.path), readOnly: token === null }, 200),
  );
  registerFoldRoutes(app, ctx);
  registerEmbeddingRoutes(app, ctx);
  registerModelRoutes(app, ctx);
  registerExperimentRoutes(app, ctx, options.maxBodyBytes ?? 256 * 1024);
  registerTableRoutes(app, ctx);
  registerBundleRoute(app, ctx);
  registerEventRoutes(app, ctx);
  registerViewRoutes(app, ctx);
  registerRunListRoutes(app, ctx);

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
      version,
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

  return {
    app,
    store,
    sweeps,
    close: () => {
      if (owned) store.close();
    },
  };
}

/** The Hono app alone, for mounting in another server (the dashboard); the store stays open. */
export function createApp(options: AppOptions = {}): OpenAPIHono {
  return createApi(options).app;
}
