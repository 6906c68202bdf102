/**
 * One colour per method on every page. The eleven built-in methods have fixed, distinct colours;
 * any other name (an outside plugin) gets one of a second palette, chosen by a hash of its name,
 * so it is the same on every page and every visit. (Plugins declaring their own colour: issue 18.)
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

/** Colours for other methods (outside plugins): none of them close to a built-in method's. */
export const PLUGIN_COLOURS: readonly string[] = [
  '#b8860b',
  '#006d5b',
  '#c71585',
  '#4b0082',
  '#8fbc8f',
  '#ff1493',
  '#556b2f',
  '#00008b',
  '#cd853f',
  '#20b2aa',
  '#800000',
  '#6a5acd',
];

export function methodColour(method: string): string {
  return METHOD_COLOURS[method] ?? PLUGIN_COLOURS[hash(method) % PLUGIN_COLOURS.length];
}
