import type { FoldFact } from '@cmcrd/store/read';
import { groupBy } from './facts.js';
import type { ReportCell, ReportColumn, ReportRow } from './model.js';

export interface GridSpec {
  rowOf: (f: FoldFact) => ReportRow | null;
  columnOf: (f: FoldFact) => ReportColumn | null;
  rowOrder: (a: ReportRow, b: ReportRow) => number;
  columnOrder: (a: ReportColumn, b: ReportColumn) => number;
  /** Rows that exist even without folds (e.g. the 8 ablation combinations). */
  fixedRows?: ReportRow[];
  /** Which facts define the fold keys a cell is expected to have; default: its column. */
  universeKey?: (row: ReportRow, column: ReportColumn) => string;
  universeKeyOfFact?: (f: FoldFact, row: ReportRow, column: ReportColumn) => string;
  cell: (
    facts: FoldFact[],
    universe: ReadonlySet<string>,
    row: ReportRow,
    column: ReportColumn,
  ) => ReportCell | null;
}

export interface Grid {
  rows: ReportRow[];
  columns: ReportColumn[];
  cells: (ReportCell | null)[][];
}

/** Lays facts out as rows × columns and asks `cell` for each intersection, with its column's fold keys. */
export function buildGrid(facts: readonly FoldFact[], spec: GridSpec): Grid {
  const rows = new Map<string, ReportRow>();
  const columns = new Map<string, ReportColumn>();
  for (const r of spec.fixedRows ?? []) rows.set(r.key, r);
  const placed: { f: FoldFact; row: ReportRow; column: ReportColumn }[] = [];
  for (const f of facts) {
    const row = spec.rowOf(f);
    const column = row && spec.columnOf(f);
    if (!row || !column) continue;
    if (!rows.has(row.key)) rows.set(row.key, row);
    if (!columns.has(column.key)) columns.set(column.key, column);
    placed.push({ f, row: rows.get(row.key)!, column: columns.get(column.key)! });
  }
  const universeKey = spec.universeKey ?? ((_r: ReportRow, c: ReportColumn) => c.key);
  const universeOfFact =
    spec.universeKeyOfFact ?? ((_f: FoldFact, r: ReportRow, c: ReportColumn) => universeKey(r, c));
  const universes = new Map<string, Set<string>>();
  for (const p of placed) {
    const k = universeOfFact(p.f, p.row, p.column);
    const u = universes.get(k) ?? new Set<string>();
    u.add(p.f.foldKey);
    universes.set(k, u);
  }
  const byCell = groupBy(placed, (p) => `${p.row.key}\u0000${p.column.key}`);
  const rowList = [...rows.values()].sort(spec.rowOrder);
  const columnList = [...columns.values()].sort(spec.columnOrder);
  const cells = rowList.map((row) =>
    columnList.map((column) => {
      const here = (byCell.get(`${row.key}\u0000${column.key}`) ?? []).map((p) => p.f);
      return spec.cell(here, universes.get(universeKey(row, column)) ?? new Set(), row, column);
    }),
  );
  return { rows: rowList, columns: columnList, cells };
}
