// Types only from the report model: the dashboard bundles this file from source, and its bundler
// does not map a runtime '../model.js' import to model.ts.
import type { ReportCell, ReportTable } from '../model.js';

export const SYNTHETIC_NOTE = 'synthetic — not comparable';

/** A cell is complete when it has every fold of its column and its folds have equal seeds. */
export function isComplete(c: ReportCell): boolean {
  if (c.n !== c.expected) return false;
  const seeds = Object.values(c.seedsPerFold ?? {});
  return seeds.every((k) => k === seeds[0]);
}

/** Drops float noise (78.90000000000001) without losing small p-values. */
export function clean(x: number | null | undefined): number | null {
  return x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toPrecision(12));
}

export function formatP(p: number): string {
  return p >= 1e-4 ? p.toFixed(4) : p.toExponential(1);
}

export function signed(x: number): string {
  const s = Math.abs(x).toFixed(2);
  return x < 0 && s !== '0.00' ? `−${s}` : `+${s}`;
}

const finite = (x: number | null | undefined): x is number => typeof x === 'number' && Number.isFinite(x);

/** A significance cell's numbers: `Δ +1.23 [−0.50, +2.96]`, then `d_z 0.45 · p 0.0123 · q 0.0456`. */
export function effectParts(c: ReportCell): { effect: string; test: string } {
  const effect = finite(c.meanDifference)
    ? `Δ ${signed(c.meanDifference)}${finite(c.ciLow) && finite(c.ciHigh) ? ` [${signed(c.ciLow)}, ${signed(c.ciHigh)}]` : ''}`
    : '';
  const test = [
    ...(c.dz !== null && c.dz !== undefined && !Number.isNaN(c.dz)
      ? [`d_z ${Number.isFinite(c.dz) ? c.dz.toFixed(2).replace('-', '−') : c.dz > 0 ? '+∞' : '−∞'}`]
      : []),
    ...(finite(c.pValue) ? [`p ${formatP(c.pValue)}`] : []),
    ...(finite(c.value) ? [`q ${formatP(c.value)}`] : []),
  ].join(' · ');
  return { effect, test };
}

/** The marker of a cell: ▲ / ▼ for a significant gain / loss, * for the best of its column. */
export function markText(c: ReportCell): string {
  if (c.significant === 'gain') return '▲';
  if (c.significant === 'loss') return '▼';
  return c.marked && c.significant === undefined ? '*' : '';
}

/** The value alone: `78.90 ± 6.57`, a significance cell's effect and p/q, or `—`. */
export function valueText(t: ReportTable, c: ReportCell): string {
  if (t.unit === 'BH-adjusted p') {
    const { effect, test } = effectParts(c);
    return [effect, test].filter(Boolean).join(' · ') || '—';
  }
  if (c.value === null) return '—';
  // Test times are fractions of a second: three decimals keep them readable.
  const digits = t.unit === 'seconds per fold' && c.value < 1 ? 3 : 2;
  return c.std === null ? c.value.toFixed(digits) : `${c.value.toFixed(digits)} ± ${c.std.toFixed(digits)}`;
}

/** The seeds of each fold, `2/2/1/2` in fold-key order, when they differ (else empty). */
export function seedImbalance(c: ReportCell): string {
  const per = c.seedsPerFold ? Object.entries(c.seedsPerFold).sort(([a], [b]) => (a < b ? -1 : 1)) : [];
  if (new Set(per.map(([, k]) => k)).size < 2) return '';
  return per.map(([, k]) => k).join('/');
}

/**
 * `n=15`, or `n=12/15` for a cell missing folds, then `seeds 2/2/1/…` when its folds have unequal
 * seeds (either makes it incomplete); a note (why there is no test) follows.
 */
export function countText(c: ReportCell): string {
  const n = c.n === c.expected ? `n=${c.n}` : `n=${c.n}/${c.expected}`;
  const seeds = seedImbalance(c);
  const parts = [n, ...(seeds ? [`seeds ${seeds}`] : []), ...(c.note ? [c.note] : [])];
  return parts.join('; ');
}

/** The paper's side of a cell: `78.90 (Δ −1.23)`, `0.0521`, the reason there is none, or `—`. */
export function paperText(t: ReportTable, c: ReportCell | null): string {
  const p = c?.paper;
  if (!p) return '—';
  // The synthetic columns are said once, in the table's notes.
  if (!p.comparable) return p.note === SYNTHETIC_NOTE ? '—' : p.note;
  const v = t.unit === 'BH-adjusted p' ? formatP(p.value) : p.value.toFixed(2);
  return p.delta === null ? v : `${v} (Δ ${signed(p.delta)})`;
}

/** Whether any cell of the table has something on the paper's side. */
export function hasPaper(t: ReportTable): boolean {
  return t.cells.some((row) =>
    row.some((c) => c?.paper && (c.paper.comparable || c.paper.note !== SYNTHETIC_NOTE)),
  );
}
