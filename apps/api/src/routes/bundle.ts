import { reportBundle } from '@cmcrd/reports';
import { type OpenAPIHono, createRoute, z } from '@hono/zod-openapi';
import { strToU8, zipSync } from 'fflate';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { TableQuery, errorResponse } from '../schemas.js';

const BundleQuery = TableQuery.omit({ format: true });

/** The reviewer's bundle (`cmcrd report all`) as one zip: every table in every format, tables.tex, provenance.json, the sweep files. */
export function registerBundleRoute(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/report-bundle',
      summary:
        'Every report table in every format, one LaTeX document including them all, provenance.json and the sweep files, as a zip (what `cmcrd report all --out DIR` writes)',
      request: { query: BundleQuery },
      responses: {
        200: { content: { 'application/zip': { schema: z.string() } }, description: 'the zip' },
        400: errorResponse('a parameter is invalid'),
      },
    }),
    (c) => {
      const q = c.req.valid('query');
      const zip = cached(ctx, `bundle:${JSON.stringify(q)}`, () => {
        // The server's own path stays on the server: the bundle names the store by its file name.
        const files = reportBundle(ctx.store, q, { storeLabel: ctx.storeLabel });
        return zipSync(Object.fromEntries(files.map((f) => [`cmcrd-report/${f.path}`, strToU8(f.content)])), {
          level: 6,
          mtime: new Date('2000-01-01T00:00:00Z'),
        });
      });
      return c.body(zip.slice().buffer as ArrayBuffer, 200, {
        'content-type': 'application/zip',
        'content-disposition': 'attachment; filename="cmcrd-report.zip"',
      });
    },
  );
}
