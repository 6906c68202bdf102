import stringify from 'safe-stable-stringify';

/** Canonical JSON: keys sorted at every level, so equal configurations hash equally. */
export function canonicalJson(value: unknown): string {
  const s = stringify(value);
  if (s === undefined) throw new Error('canonicalJson: value is not serialisable');
  return s;
}
