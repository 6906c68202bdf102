import { benjaminiHochberg, pairedTTest } from '../stats.js';
import type { FoldFact } from '../store/store.js';
import { byCodePoint, byMethodOrder, groupBy, perFoldMeans } from './facts.js';
import type { Grid } from './grid.js';
import type { ReportCell, ReportColumn, ReportRow } from './model.js';
import { paperSignificance } from './paper.js';

export interface SignificanceSpec {
  /** Row key of the method tested against every other row. */
  reference: string;
  family: 'column' | 'table';
  rowOf: (f: FoldFact) => ReportRow;
  columnOf: (f: FoldFact) => ReportColumn;
  columnOrder: (a: ReportColumn, b: ReportColumn) => number;
  paper: boolean;
  protocol: string;
  direction: string;
}

const SIGNIFICANT = 0.05;

/**
 * Table 3: the reference against every other row, per column, by a two-sided paired t-test over
 * the folds both have (fold keys matched; seeds averaged within a fold first); p-values adjusted
 * by Benjamini–Hochberg within each column (`family: 'column'`, the paper's reading) or over the
 * whole table. A comparison whose test is undefined (all differences zero, fewer than two pairs)
 * keeps its note and is left out of its family rather than blanking the others. Null when the
 * reference has no folds at all.
 */
export function significanceGrid(facts: readonly FoldFact[], s: SignificanceSpec): Grid | null {
  const rowsByKey = new Map<string, ReportRow>();
  const columnsByKey = new Map<string, ReportColumn>();
  const placed = facts.map((f) => {
    const row = s.rowOf(f);
    const column = s.columnOf(f);
    if (!rowsByKey.has(row.key)) rowsByKey.set(row.key, row);
    if (!columnsByKey.has(column.key)) columnsByKey.set(column.key, column);
    return { f, row: row.key, column: column.key };
  });
  if (!rowsByKey.has(s.reference)) return null;
  const byCell = groupBy(placed, (p) => `${p.row}\u0000${p.column}`);
  const factsOf = (row: string, column: string) =>
    (byCell.get(`${row}\u0000${column}`) ?? []).map((p) => p.f);
  const rows = [...rowsByKey.values()]
    .filter((r) => r.key !== s.reference)
    .sort((a, b) => byMethodOrder(a.method, b.method) || byCodePoint(a.label, b.label));
  const columns = [...columnsByKey.values()].sort(s.columnOrder);
  const cells: ReportCell[][] = rows.map((row) =>
    columns.map((column) => {
      const refFacts = factsOf(s.reference, column.key);
      const baseFacts = factsOf(row.key, column.key);
      const ref = perFoldMeans(refFacts, (f) => f.accuracy);
      const base = perFoldMeans(baseFacts, (f) => f.accuracy);
      const keys = [...ref.keys()].filter((k) => base.has(k)).sort();
      const paired = new Set(keys);
      const expected = new Set([...refFacts, ...baseFacts].map((f) => f.foldKey));
      const t = pairedTTest(
        keys.map((k) => ref.get(k)!),
        keys.map((k) => base.get(k)!),
      );
      const seeds = Math.max(
        0,
        ...[...refFacts, ...baseFacts].filter((f) => f.status === 'done').map((f) => f.seeds),
      );
      const note =
        ref.size === 0
          ? `no ${s.reference} folds in this column`
          : base.size === 0
            ? `no ${row.key} folds in this column`
            : t.note;
      return {
        value: null,
        std: null,
        n: keys.length,
        expected: expected.size,
        missing: [...expected].filter((k) => !paired.has(k)).sort(),
        failed: [...refFacts, ...baseFacts]
          .filter((f) => f.status === 'failed')
          .reduce((a, f) => a + f.runs, 0),
        seeds,
        marked: false,
        paper: null,
        pValue: Number.isNaN(t.pValue) ? null : t.pValue,
        meanDifference: Number.isNaN(t.meanDifference) ? null : 100 * t.meanDifference,
        ...(note ? { note } : {}),
      };
    }),
  );
  const families: ReportCell[][] =
    s.family === 'table' ? [cells.flat()] : columns.map((_, j) => cells.map((row) => row[j]));
  for (const members of families) {
    const tested = members.filter((c) => c.pValue !== null && c.pValue !== undefined);
    benjaminiHochberg(tested.map((c) => c.pValue!)).forEach((q, i) => {
      tested[i].value = q;
      tested[i].marked = q < SIGNIFICANT;
    });
  }
  if (s.paper) {
    for (const [i, row] of rows.entries()) {
      for (const [j, column] of columns.entries()) {
        cells[i][j].paper = row.variant
          ? null
          : paperSignificance(
              {
                protocol: s.protocol,
                direction: s.direction,
                baseline: row.method,
                dataset: column.dataset!,
                backbone: column.backbone!,
              },
              { synthetic: column.synthetic, ours: cells[i][j].value },
            );
      }
    }
  }
  return { rows, columns, cells };
}
