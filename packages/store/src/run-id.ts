// A run's id (the folds of one configuration and seed, ReadStore.listRuns), shared by every reader of
// a store: the API's /api/runs, `cmcrd runs` and `cmcrd folds --run`. No Node built-in, so that it
// runs in a page too.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { RunRow } from './read-store.js';

/** What defines a run: everything that identifies a fold but its fold key. */
export type RunKey = Pick<
  RunRow,
  'dataset' | 'dataRevision' | 'protocol' | 'protocolOptions' | 'backbone' | 'method' | 'direction' | 'variant' | 'seed'
>;

/** A run's id: 16 hex digits of a hash of what defines it, so it is the same on every machine and after restarts. */
export function runIdOf(r: RunKey): string {
  // A pure-JS hash (the same hex as node:crypto's), so that this module also runs in a page.
  return bytesToHex(
    sha256(
      utf8ToBytes(
        JSON.stringify([r.dataset, r.dataRevision, r.protocol, r.protocolOptions, r.backbone, r.method, r.direction, r.variant, r.seed]),
      ),
    ),
  ).slice(0, 16);
}
