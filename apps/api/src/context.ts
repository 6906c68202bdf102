import type { ReadStore } from '@cmcrd/store';
import type { StampCache } from './stamp-cache.js';

/** What the read routes need of the sweeps: whether this server started one (the Node server's SweepController). */
export interface SweepView {
  startedHere(id: number): boolean;
}

/** The store file behind the answers, for the Verify panel: its name, size and sha256, as its host computed them. */
export interface StoreIdentity {
  file: string;
  bytes: number;
  sha256: string;
}

/**
 * What every route needs: the store (read through either driver: better-sqlite3 in Node, sql.js in
 * a published page), the caches keyed on its change stamp, what the sweeps are doing.
 */
export interface ApiContext {
  store: ReadStore;
  /** The store's file name as the API shows it (never an absolute path). */
  storeLabel: string;
  sweeps: SweepView;
  token: string | null;
  cache: StampCache<unknown>;
  /** How often the progress stream looks at the store. */
  progressIntervalMs: number;
  /** Computed when first asked (hashing a large store takes a while); null when the host cannot tell. */
  identity(): Promise<StoreIdentity | null>;
}

/** A value computed once per change of the store. */
export function cached<V>(ctx: ApiContext, key: string, compute: () => V): V {
  return ctx.cache.get(ctx.store.changeStamp(), key, compute) as V;
}
