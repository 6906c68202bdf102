import { createHash } from 'node:crypto';
import { createReadStream, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DEFAULT_DB, Store, userPath } from '@cmcrd/store';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ApiContext, StoreIdentity } from './context.js';
import { type HealthBody, type NotFoundBody, buildApp } from './read-app.js';
import { registerExperimentMutations } from './routes/experiment-mutations.js';
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

/** The store file's name, size and sha256, hashed once when first asked (the Verify panel). */
function fileIdentity(path: string): () => Promise<StoreIdentity | null> {
  let known: Promise<StoreIdentity | null> | undefined;
  return () => {
    known ??= new Promise((resolve) => {
      const hash = createHash('sha256');
      let bytes = 0;
      createReadStream(path)
        .on('data', (b) => {
          bytes += b.length;
          hash.update(b);
        })
        .on('end', () => resolve({ file: basename(path), bytes, sha256: hash.digest('hex') }))
        .on('error', () => resolve(null));
    });
    return known;
  };
}

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
    // The store's file name only: an absolute path would tell a caller about the machine's layout.
    storeLabel: basename(store.path),
    sweeps,
    token,
    cache: new StampCache(),
    progressIntervalMs: options.progressIntervalMs ?? 1000,
    identity: fileIdentity(store.path),
  };

  const app = buildApp(ctx, {
    version,
    mutations: (a) => registerExperimentMutations(a, { ...ctx, store, sweeps }, options.maxBodyBytes ?? 256 * 1024),
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
