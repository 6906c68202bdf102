// A fold identity's hash (folds.config_hash), computed where folds are written: in Node, with
// node:crypto, whose sha256 is 5× a pure-JS one's speed (2 µs against 11 µs for a fold identity, and
// a sweep hashes every fold of its grid). Nothing on the read side hashes identities, so
// canonical.ts, which it does need, is a module of its own.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical.js';

export { canonicalJson } from './canonical.js';

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
