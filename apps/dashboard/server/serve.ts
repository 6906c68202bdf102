import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Api, type ServerHandle, type StartServerOptions, startServer } from '@cmcrd/api';
import { serveStatic } from '@hono/node-server/serve-static';
import { Hono } from 'hono';

/** The static export of the dashboard (`next build` writes it). */
export const DASHBOARD_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'out');

export class DashboardNotBuiltError extends Error {}

/** Builds the dashboard if it has never been built here (a fresh clone); about a minute. */
export function ensureBuilt(log: (s: string) => void = (s) => process.stderr.write(s)): void {
  if (existsSync(join(DASHBOARD_DIR, 'index.html'))) return;
  log('cmcrd serve: the dashboard has not been built here yet; building it (next build, about a minute) …\n');
  const r = spawnSync(
    process.execPath,
    [join(dirname(fileURLToPath(import.meta.resolve('next/package.json'))), 'dist/bin/next'), 'build'],
    {
      cwd: join(DASHBOARD_DIR, '..'),
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    },
  );
  if (r.status !== 0 || !existsSync(join(DASHBOARD_DIR, 'index.html'))) {
    throw new DashboardNotBuiltError(
      `building the dashboard failed (exit ${r.status}); run \`npx pnpm@10.34.8 build\` and see its errors, or serve the API alone with --api-only`,
    );
  }
}

/**
 * One Hono app for both: /api/* goes to the API (its own routes, errors and 404s), everything
 * else is the dashboard's static pages; a page path without its trailing slash is redirected.
 */
export function dashboardApp(api: Api, dir = DASHBOARD_DIR): Hono {
  const app = new Hono();
  // A path that does not decode (`/%E0`) or holds a NUL (`/%00`) names no file: 400, before the
  // static files' lookup (which would throw on it).
  app.use('*', async (c, next) => {
    const raw = new URL(c.req.url).pathname;
    let decoded: string;
    try {
      decoded = decodeURIComponent(raw);
    } catch {
      return c.text('bad request: the path is not valid percent-encoding', 400);
    }
    if (decoded.includes('\0')) return c.text('bad request: the path holds a NUL byte', 400);
    await next();
  });
  app.all('/api', (c) => api.app.fetch(c.req.raw));
  app.all('/api/*', (c) => api.app.fetch(c.req.raw));
  app.use('*', async (c, next) => {
    const path = c.req.path;
    if (!path.endsWith('/') && !/\.[a-z0-9]+$/i.test(path)) {
      // `//evil.example/x` (or `/\evil.example`) as a Location would be another site: the
      // redirect keeps one leading slash, so it stays on this server.
      const local = `/${path.replace(/^[/\\]+/, '')}`;
      return c.redirect(`${local}/${new URL(c.req.url).search}`, 308);
    }
    await next();
  });
  // serveStatic takes a root relative to the working directory.
  const root = relative(process.cwd(), dir) || '.';
  app.use(
    '/_next/static/*',
    serveStatic({
      root,
      onFound: (_p, c) => c.header('Cache-Control', 'public, max-age=31536000, immutable'),
    }),
  );
  app.use('*', serveStatic({ root }));
  app.notFound(async (c) => {
    const page = join(dir, '404.html');
    if (existsSync(page)) {
      const { readFile } = await import('node:fs/promises');
      return c.html(await readFile(page, 'utf8'), 404);
    }
    return c.text('not found', 404);
  });
  return app;
}

/** The dashboard and the API on one port (127.0.0.1 unless told otherwise); `apiOnly` serves the API alone. */
export function startDashboard(options: StartServerOptions & { apiOnly?: boolean }): Promise<ServerHandle> {
  const { apiOnly = false, ...serverOptions } = options;
  if (!apiOnly) ensureBuilt();
  return startServer({
    ...serverOptions,
    ...(apiOnly ? {} : { fetchFor: (api: Api) => dashboardApp(api).fetch }),
  });
}
