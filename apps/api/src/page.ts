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
export function createPageApi(o: {
  store: ReadStore;
  /** The store file's name as the pages show it. */
  file: string;
  /** Its size and sha256, computed by the page when the Verify panel first asks. */
  identify: () => Promise<StoreIdentity>;
  version: string;
}): OpenAPIHono {
  return buildApp(
    {
      store: o.store,
      storeLabel: o.file,
      sweeps: { startedHere: () => false },
      token: null,
      cache: new StampCache(),
      progressIntervalMs: 1000,
      identity: o.identify,
    },
    { version: o.version },
  );
}
