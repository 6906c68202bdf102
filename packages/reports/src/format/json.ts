import type { ReportCell, ReportTable, TableKind } from '../model.js';
import { clean } from './cells.js';

function cleanCell(c: ReportCell | null): ReportCell | null {
  if (!c) return null;
  const out: ReportCell = { ...c, value: clean(c.value), std: clean(c.std) };
  if ('pValue' in c) out.pValue = clean(c.pValue);
  if ('meanDifference' in c) out.meanDifference = clean(c.meanDifference);
  for (const k of ['statistic', 'ciLow', 'ciHigh', 'dz'] as const) if (k in c) out[k] = clean(c[k]);
  if (c.paper?.comparable) out.paper = { ...c.paper, delta: clean(c.paper.delta) };
  return out;
}

/** The tables as built, numbers cleaned of float noise; what the API serves. */
export function reportJson(kind: TableKind, tables: readonly ReportTable[]) {
  return {
    report: kind,
    tables: tables.map((t) => ({ ...t, cells: t.cells.map((row) => row.map(cleanCell)) })),
  };
}

export function formatJson(kind: TableKind, tables: readonly ReportTable[]): string {
  return `${JSON.stringify(reportJson(kind, tables), null, 2)}\n`;
}
