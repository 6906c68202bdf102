import { benjaminiHochberg, pairedTTest } from './stats.js';
import type { FoldRow } from './store/schema.js';

/** One comparison of the reference method against a baseline in one column (dataset × backbone). */
export interface SignificanceCell {
  baseline: string;
  /** Folds that both methods have (the pairs of the test). */
  n: number;
  /** Folds that either method has in this column: a cell with n < expected is incomplete. */
  expected: number;
  /** Mean over the paired folds of reference − baseline accuracy. */
  meanDifference: number;
  pValue: number;
  /** Benjamini–Hochberg adjusted within the cell's family. */
  adjusted: number;
  note?: string;
}

export interface SignificanceTable {
  reference: string;
  family: 'column' | 'table';
  columns: { dataset: string; backbone: string }[];
  baselines: string[];
  /** cells[baseline][column]; null where either method has no fold. */
  cells: (SignificanceCell | null)[][];
}

/** Accuracy per fold key, each the mean over the fold's seeds. */
function perFold(rows: FoldRow[]): Map<string, number> {
  const sums = new Map<string, { s: number; k: number }>();
  for (const f of rows) {
    const e = sums.get(f.foldKey) ?? { s: 0, k: 0 };
    e.s += f.accuracy!;
    e.k++;
    sums.set(f.foldKey, e);
  }
  return new Map([...sums].map(([key, e]) => [key, e.s / e.k]));
}

/**
 * Table 3: the reference method (CMCRD) against every other method, per column, by a paired
 * t-test over the folds both have (fold keys matched; seeds averaged within a fold first), with
 * the p-values adjusted by Benjamini–Hochberg within each column (`family: 'column'`, the paper's
 * reading) or over the whole table (`'table'`). Give it the done folds of one protocol, direction
 * and set of protocol options. A cell with unpaired folds says so (n < expected); it never
 * silently tests fewer folds.
 */
export function significanceTable(folds: FoldRow[], o: { reference?: string; family?: 'column' | 'table' } = {}): SignificanceTable {
  const reference = o.reference ?? 'cmcrd';
  const family = o.family ?? 'column';
  const done = folds.filter((f) => f.status === 'done' && f.accuracy !== null);
  const colKey = (f: { dataset: string; backbone: string }) => `${f.dataset}|${f.backbone}`;
  const columns = [...new Set(done.map(colKey))].sort().map((k) => {
    const [dataset, backbone] = k.split('|');
    return { dataset, backbone };
  });
  const baselines = [...new Set(done.map((f) => f.method))].filter((m) => m !== reference).sort();
  const byCell = new Map<string, Map<string, number>>();
  for (const m of [reference, ...baselines]) {
    for (const c of columns) {
      byCell.set(`${m}|${colKey(c)}`, perFold(done.filter((f) => f.method === m && colKey(f) === colKey(c))));
    }
  }
  const cells: (SignificanceCell | null)[][] = baselines.map((baseline) =>
    columns.map((c) => {
      const ref = byCell.get(`${reference}|${colKey(c)}`)!;
      const base = byCell.get(`${baseline}|${colKey(c)}`)!;
      if (ref.size === 0 || base.size === 0) return null;
      const keys = [...ref.keys()].filter((k) => base.has(k)).sort();
      const t = pairedTTest(
        keys.map((k) => ref.get(k)!),
        keys.map((k) => base.get(k)!),
      );
      const expected = new Set([...ref.keys(), ...base.keys()]).size;
      return {
        baseline,
        n: keys.length,
        expected,
        meanDifference: t.meanDifference,
        pValue: t.pValue,
        adjusted: Number.NaN,
        ...(t.note ? { note: t.note } : {}),
      };
    }),
  );
  // A comparison whose test is undefined (NaN p) is left out of its family rather than blanking it.
  const families: SignificanceCell[][] =
    family === 'table'
      ? [cells.flat().filter((c): c is SignificanceCell => c !== null)]
      : columns.map((_, j) => cells.map((row) => row[j]).filter((c): c is SignificanceCell => c !== null));
  for (const members of families) {
    const tested = members.filter((c) => !Number.isNaN(c.pValue));
    benjaminiHochberg(tested.map((c) => c.pValue)).forEach((q, i) => {
      tested[i].adjusted = q;
    });
  }
  return { reference, family, columns, baselines, cells };
}
