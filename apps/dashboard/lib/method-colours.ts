/**
 * One colour per method on every page. The eleven built-in methods have fixed, distinct colours;
 * any other name (an outside plugin) gets one derived from its name, so it is the same on every
 * page and every visit.
 */
export const METHOD_COLOURS: Readonly<Record<string, string>> = {
  'eeg-only': '#1f77b4',
  'em-only': '#ff7f0e',
  fusion: '#8c564b',
  kd: '#2ca02c',
  fitnet: '#d62728',
  nst: '#9467bd',
  sp: '#e377c2',
  rkd: '#7f7f7f',
  pkt: '#bcbd22',
  crd: '#17becf',
  cmcrd: '#0b2e6f',
};

/** FNV-1a: a small, stable hash of a name. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function methodColour(method: string): string {
  const fixed = METHOD_COLOURS[method];
  if (fixed) return fixed;
  const h = hash(method);
  // Hue from the name; saturation and lightness kept in a band that reads on white.
  return `hsl(${h % 360}, ${55 + (h >>> 9) % 20}%, ${38 + (h >>> 17) % 14}%)`;
}
