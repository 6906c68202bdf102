import type { Store } from '@cmcrd/store';
import type { SweepController } from './sweep-control.js';
import type { StampCache } from './stamp-cache.js';

/** What every route needs: the store, the caches keyed on its change stamp, the sweep controller. */
export interface ApiContext {
  store: Store;
  sweeps: SweepController;
  token: string | null;
  cache: StampCache<unknown>;
  /** How often the progress stream looks at the store. */
  progressIntervalMs: number;
}

/** A value computed once per change of the store. */
export function cached<V>(ctx: ApiContext, key: string, compute: () => V): V {
  return ctx.cache.get(ctx.store.changeStamp(), key, compute) as V;
}
