import type { ReadStore } from '@cmcrd/store';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { StoreIdentity } from './context.js';
import { buildApp } from './read-app.js';
import { StampCache } from './stamp-cache.js';

/**
 * The API inside a published page (`cmcrd publish`): the read routes over a store the page opened
 * with sql.js, answering the dashboard's `/api/*` requests without a server. No token, no sweeps,
 * no route that starts work.
 */
export function createPageApi(o: { store: ReadStore; identity: StoreIdentity; version: string }): OpenAPIHono {
  return buildApp(
    {
      store: o.store,
      storeLabel: o.identity.file,
      sweeps: { startedHere: () => false },
      token: null,
      cache: new StampCache(),
      progressIntervalMs: 1000,
      identity: async () => o.identity,
    },
    { version: o.version },
  );
}
