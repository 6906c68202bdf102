import { readFileSync } from 'node:fs';
import { Hono } from 'hono';

/** Options for {@link createApp}. The store is wired in once `@cmcrd/runner` exists. */
export interface AppOptions {
  /** Path of the SQLite store the API reads. Not used yet. */
  dbPath?: string;
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

export interface NotFoundBody {
  error: 'not found';
  path: string;
}

export interface HealthBody {
  ok: true;
  version: string;
}

/** Builds the HTTP API. Pure: no listening, no I/O beyond what the routes do. */
export function createApp(_options: AppOptions = {}): Hono {
  // `_options.dbPath` is read once the store (from @cmcrd/runner) is wired in.
  const app = new Hono();

  app.get('/api/health', (c) => c.json<HealthBody>({ ok: true, version }));

  app.notFound((c) => {
    const path = c.req.path;
    if (path === '/api' || path.startsWith('/api/')) {
      return c.json<NotFoundBody>({ error: 'not found', path }, 404);
    }
    return c.text('not found', 404);
  });

  app.onError((err, c) => {
    console.error(`api: ${c.req.method} ${c.req.path} failed:`, err);
    return c.json({ error: 'internal error', path: c.req.path }, 500);
  });

  return app;
}
