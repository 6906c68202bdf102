import {
  type Alternative,
  benjaminiHochberg,
  type PairedTest,
  pairedEffect,
  pairedTTest,
  wilcoxonSignedRank,
} from './stats.js';
import type { FoldFact } from '@cmcrd/store/read';
import { byCodePoint, byMethodOrder, groupBy, perFoldMeans } from './facts.js';
import type { Grid } from './grid.js';
import type { ReportCell, ReportColumn, ReportRow, SignificanceFamily } from './model.js';
import { paperSignificance } from './paper.js';

export interface SignificanceSpec {
  /** Row key of the method tested against every other row. */
  reference: string;
  family: 'column' | 'table';
  /** Rows that exist without folds (the paper's baselines not run): `— (n=0/b)`. */
  fixedRows?: ReportRow[];
  test?: PairedTest;
  alternative?: Alternative;
  rowOf: (f: FoldFact) => ReportRow;
  columnOf: (f: FoldFact) => ReportColumn;
  columnOrder: (a: ReportColumn, b: ReportColumn) => number;
  paper: boolean;
  protocol: string;
  direction: string;
}

export const SIGNIFICANT = 0.05;

/** The paper's methods: their default rows make the main BH family; anything else is tested in a family of its own. */
const PAPER_METHODS = new Set(['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd']);

/** Which BH family a row belongs to: the paper's methods at their defaults, or the variants and outside methods. */
export function familyKind(row: ReportRow): SignificanceFamily['kind'] {
  return PAPER_METHODS.has(row.method) && !row.variant ? 'baselines' : 'variants';
}

/** The most seeds of each fold key among done facts. */
function seedsByFold(facts: readonly FoldFact[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const f of facts) if (f.status === 'done') out.set(f.foldKey, Math.max(out.get(f.foldKey) ?? 0, f.seeds));
  return out;
}

export interface SignificanceGrid extends Grid {
  families: SignificanceFamily[];
}

/**
 * Table 3: the reference against every other row, per column, by a paired test (t-test or
 * Wilcoxon signed-rank, two-sided unless asked) over the folds both have (fold keys matched; seeds
 * averaged within a fold first), with the effect (mean difference, its 95% CI, d_z); p-values
 * adjusted by Benjamini–Hochberg within each column (`family: 'column'`, the paper's reading) or
 * over the whole table, the paper's methods in one family and the variants and outside methods in
 * another. A comparison whose test is undefined (all differences zero, fewer than two pairs)
 * keeps its note and is left out of its family rather than blanking the others. Null when the
 * reference has no folds at all.
 */
export function significanceGrid(facts: readonly FoldFact[], s: SignificanceSpec): SignificanceGrid | null {
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
  for (const r of s.fixedRows ?? []) if (!rowsByKey.has(r.key)) rowsByKey.set(r.key, r);
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
      const a = keys.map((k) => ref.get(k)!);
      const b = keys.map((k) => base.get(k)!);
      const t =
        s.test === 'wilcoxon'
          ? wilcoxonSignedRank(a, b, { alternative: s.alternative })
          : pairedTTest(a, b, { alternative: s.alternative });
      const effect = pairedEffect(a, b);
      const done = [...refFacts, ...baseFacts].filter((f) => f.status === 'done' && paired.has(f.foldKey));
      // A pair counts the fewer seeds of its two sides: that is what the pair's balance rests on.
      const refSeeds = seedsByFold(refFacts);
      const baseSeeds = seedsByFold(baseFacts);
      const seedsPerFold: Record<string, number> = {};
      for (const k of keys) seedsPerFold[k] = Math.min(refSeeds.get(k) ?? 0, baseSeeds.get(k) ?? 0);
      const seeds = Math.max(0, ...done.map((f) => f.seeds));
      const pp = (x: number) => (Number.isFinite(x) ? 100 * x : null);
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
        seedsPerFold,
        pValue: Number.isNaN(t.pValue) ? null : t.pValue,
        statistic: Number.isNaN(t.statistic) ? null : t.statistic,
        meanDifference: pp(effect.meanDifference),
        ciLow: pp(effect.ciLow),
        ciHigh: pp(effect.ciHigh),
        dz: Number.isNaN(effect.dz) ? null : effect.dz,
        significant: null,
        ...(note ? { note } : {}),
      };
    }),
  );
  // BH families: the paper's methods apart from the variants and outside methods, per column
  // (the paper's reading) or over the whole table; m counts the comparisons with a p-value.
  const families: SignificanceFamily[] = [];
  const groups = new Map<string, { family: SignificanceFamily; members: ReportCell[] }>();
  for (const [i, row] of rows.entries()) {
    for (const [j, column] of columns.entries()) {
      const kind = familyKind(row);
      const key = s.family === 'table' ? `${kind} · whole table` : `${kind} · ${column.label}`;
      let g = groups.get(key);
      if (!g) {
        g = {
          family: { key, kind, column: s.family === 'table' ? null : column.label, m: 0 },
          members: [],
        };
        groups.set(key, g);
        families.push(g.family);
      }
      g.members.push(cells[i][j]);
      cells[i][j].family = key;
    }
  }
  for (const { family, members } of groups.values()) {
    const tested = members.filter((c) => c.pValue !== null && c.pValue !== undefined);
    family.m = tested.length;
    for (const c of members) c.m = tested.length;
    benjaminiHochberg(tested.map((c) => c.pValue!)).forEach((q, i) => {
      const c = tested[i];
      c.value = q;
      c.marked = q < SIGNIFICANT;
      c.significant = q < SIGNIFICANT ? ((c.meanDifference ?? 0) >= 0 ? 'gain' : 'loss') : null;
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
  return { rows, columns, cells, families };
}
