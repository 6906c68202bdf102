import { schema } from '@cmcrd/store/read';
import { TABLE_KINDS } from '@cmcrd/reports/model';
import { type OpenAPIHono, createRoute } from '@hono/zod-openapi';
import { count } from 'drizzle-orm';
import type { ApiContext } from '../context.js';
import { cached } from '../context.js';
import { VerifySchema } from '../contract/index.js';
import { jsonResponse } from '../schemas.js';

const { artifacts, epochs, folds, sweeps } = schema;

/** The Verify panel: which file the numbers come from, what it holds, and how to recompute them. */
export function registerVerifyRoute(app: OpenAPIHono, ctx: ApiContext): void {
  app.openapi(
    createRoute({
      method: 'get',
      path: '/api/verify',
      summary: "The store file behind every number (name, size, sha256), what it holds, its code revisions, and the `cmcrd report` commands that recompute each table from it",
      responses: { 200: jsonResponse(VerifySchema, 'the store and how to check it') },
    }),
    async (c) => {
      const identity = await ctx.identity();
      const body = cached(ctx, 'verify', () => {
        const db = ctx.store.db;
        const n = (rows: { n: number }[]) => rows[0]?.n ?? 0;
        const status = new Map(
          db.select({ status: folds.status, n: count() }).from(folds).groupBy(folds.status).all().map((r) => [r.status, r.n]),
        );
        const kinds = new Map(
          db.select({ kind: artifacts.kind, n: count() }).from(artifacts).groupBy(artifacts.kind).all().map((r) => [r.kind, r.n]),
        );
        const file = identity?.file ?? ctx.storeLabel;
        return {
          counts: {
            folds: (status.get('done') ?? 0) + (status.get('failed') ?? 0),
            done: status.get('done') ?? 0,
            failed: status.get('failed') ?? 0,
            epochs: n(db.select({ n: count() }).from(epochs).all()),
            embeddings: kinds.get('tsne') ?? 0,
            models: kinds.get('model') ?? 0,
            sweeps: n(db.select({ n: count() }).from(sweeps).all()),
          },
          datasets: db
            .select({ name: folds.dataset, synthetic: folds.synthetic, revision: folds.dataRevision, folds: count() })
            .from(folds)
            .groupBy(folds.dataset, folds.synthetic, folds.dataRevision)
            .orderBy(folds.dataset)
            .all(),
          codeRevisions: db
            .select({ revision: folds.codeRevision, folds: count() })
            .from(folds)
            .groupBy(folds.codeRevision)
            .orderBy(folds.codeRevision)
            .all(),
          commands: [
            { what: 'check the file is the one these pages read', command: `sha256sum ${file}` },
            ...TABLE_KINDS.map((kind) => ({
              what: `the ${kind} table, recomputed from the file`,
              command: `npx pnpm@10.34.8 -s cmcrd report ${kind} --db ${file} --format json`,
            })),
            { what: 'every table in every format, with provenance', command: `npx pnpm@10.34.8 -s cmcrd report all --db ${file} --out tables/` },
          ],
        };
      });
      return c.json(
        { store: { file: identity?.file ?? ctx.storeLabel, bytes: identity?.bytes ?? null, sha256: identity?.sha256 ?? null }, ...body },
        200,
      );
    },
  );
}
