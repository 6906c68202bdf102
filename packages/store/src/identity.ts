import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** Canonical JSON: keys sorted at every level, so equal configurations hash equally. */
export function canonicalJson(value: unknown): string {
  const s = stringify(value);
  if (s === undefined) throw new Error('canonicalJson: value is not serialisable');
  return s;
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}
