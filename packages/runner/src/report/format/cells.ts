import type { ReportCell, ReportTable } from '../model.js';

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

/** The value alone: `78.90 ± 6.57`, `0.0123`, or `—`. */
export function valueText(t: ReportTable, c: ReportCell): string {
  if (c.value === null) return '—';
  if (t.unit === 'BH-adjusted p') return formatP(c.value);
  // Test times are fractions of a second: three decimals keep them readable.
  const digits = t.unit === 'seconds per fold' && c.value < 1 ? 3 : 2;
  return c.std === null ? c.value.toFixed(digits) : `${c.value.toFixed(digits)} ± ${c.std.toFixed(digits)}`;
}

/** `n=15`, or `n=12/15` for an incomplete cell; a note (why there is no test) follows. */
export function countText(c: ReportCell): string {
  const n = c.n === c.expected ? `n=${c.n}` : `n=${c.n}/${c.expected}`;
  return c.note ? `${n}; ${c.note}` : n;
}

/** The paper's side of a cell: `78.90 (Δ −1.23)`, `0.0521`, the reason there is none, or `—`. */
export function paperText(t: ReportTable, c: ReportCell | null): string {
  const p = c?.paper;
  if (!p) return '—';
  if (!p.comparable) return p.note;
  const v = t.unit === 'BH-adjusted p' ? formatP(p.value) : p.value.toFixed(2);
  return p.delta === null ? v : `${v} (Δ ${signed(p.delta)})`;
}

/** Whether any cell of the table has something on the paper's side. */
export function hasPaper(t: ReportTable): boolean {
  return t.cells.some((row) => row.some((c) => c?.paper));
}
