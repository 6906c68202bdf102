/**
 * The shape every report table takes before it is formatted: columns, rows and one cell per
 * (row, column). Builders fill it from the folds in the store; formatters only print it.
 */

export const TABLE_KINDS = ['comparison', 'significance', 'fusion', 'timing', 'ablation'] as const;
export type TableKind = (typeof TABLE_KINDS)[number];

export const REPORT_FORMATS = ['text', 'md', 'latex', 'csv', 'json'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The protocol options every fold records (DESIGN.md §8); the ones that let test data in are flagged. */
export interface ProtocolFlags {
  normalisation: string;
  mccSource: string;
  epochSelection: string;
}

/**
 * The paper's value for a cell. `comparable: false` carries why no delta is given: synthetic
 * data, or a value that is illegible in the paper.
 */
export type PaperRef =
  | { comparable: true; table: string; line: number; value: number; std: number | null; delta: number | null }
  | { comparable: false; note: string; table?: string; line?: number };

// Defined beside the cell formatting, which the dashboard bundles: that module imports types only.
export { SYNTHETIC_NOTE, isComplete } from './format/cells.js';

export interface ReportColumn {
  key: string;
  label: string;
  dataset?: string;
  backbone?: string;
  protocol?: string;
  /** Timing only: 'train', 'test' or 'teacher'. */
  phase?: string;
  synthetic: boolean;
}

export interface ReportRow {
  key: string;
  label: string;
  method: string;
  direction?: string;
  /** Timing only: the dataset of the row. */
  dataset?: string;
  /** Options (and training settings) that set this row apart from the method's other rows. */
  variant?: Record<string, unknown>;
}

export interface ReportCell {
  /** Percent accuracy, seconds, or (significance) the BH-adjusted p-value; null when no fold has one. */
  value: number | null;
  /** Sample standard deviation over folds; null below two folds (and for p-values). */
  std: number | null;
  /** Folds behind the value (significance: pairs). */
  n: number;
  /** Folds the column has for this row's comparison: n < expected is an incomplete cell. */
  expected: number;
  /** Fold keys the column has and this cell lacks (missing or failed). */
  missing: string[];
  /** Failed attempts stored for this cell's folds. */
  failed: number;
  /** The most seeds any of its folds has (each fold's seeds are averaged first). */
  seeds: number;
  /** Best of its column (accuracy: highest complete mean), or p < 0.05 (significance). */
  marked: boolean;
  paper: PaperRef | null;
  /** Seeds behind each fold of the cell (done folds only); a cell whose folds differ here is not complete. */
  seedsPerFold?: Record<string, number>;
  /** Significance only: the raw p-value (value holds the BH-adjusted q). */
  pValue?: number | null;
  /** The test statistic: t, or the Wilcoxon rank sum (min(W+, W−) two-sided, W+ one-sided). */
  statistic?: number | null;
  /** Mean of reference − row over the pairs, percentage points, with its two-sided 95% CI. */
  meanDifference?: number | null;
  ciLow?: number | null;
  ciHigh?: number | null;
  /** Cohen's d_z: the mean difference over the differences' sample standard deviation. */
  dz?: number | null;
  /** q < 0.05: 'gain' when the reference is ahead, 'loss' when behind; null otherwise. */
  significant?: 'gain' | 'loss' | null;
  /** The BH family's key (SignificanceFamily.key) and its size. */
  family?: string;
  m?: number;
  note?: string;
}

/** One Benjamini–Hochberg family of a significance table. */
export interface SignificanceFamily {
  key: string;
  /** 'baselines': the paper's methods at their defaults; 'variants': option variants and outside methods. */
  kind: 'baselines' | 'variants';
  /** The column it belongs to; null for a whole-table family. */
  column: string | null;
  /** Comparisons adjusted together (those with a p-value). */
  m: number;
}

/** How a significance table tested: the test, the alternative, the BH families. */
export interface SignificanceTest {
  test: 't' | 'wilcoxon';
  alternative: 'two-sided' | 'greater' | 'less';
  reference: string;
  family: 'column' | 'table';
  families: SignificanceFamily[];
}

export interface ReportTable {
  table: TableKind;
  title: string;
  unit: 'accuracy (%)' | 'BH-adjusted p' | 'seconds per fold';
  /** What the table holds; absent keys vary across its columns or rows. */
  scope: { protocol?: string; direction?: string; backbone?: string; variant?: string };
  protocol: ProtocolFlags;
  columns: ReportColumn[];
  rows: ReportRow[];
  /** cells[row][column]; null where the cell does not apply (e.g. a teacher time for a model without one). */
  cells: (ReportCell | null)[][];
  notes: string[];
  /** What produced the table's folds: training budget, seeds, backends, code revisions. */
  provenance: TableProvenance;
  /** Significance only. */
  significance?: SignificanceTest;
}

/** A setting with every value the table's folds have (more than one: the folds differ in it). */
export interface ProvenanceSetting {
  label: string;
  values: unknown[];
}

export interface TableProvenance {
  /** Done fold runs (one per fold and seed) behind the table. */
  folds: number;
  /** Student and teacher training settings, keyed as `student.epochs`, `teacher.epochs`, …. */
  budget: Record<string, ProvenanceSetting>;
  /** Per method: K (`negatives`) and the loss weight (`weight`), where the method has them. */
  options: Record<string, Record<string, ProvenanceSetting>>;
  seeds: number[];
  backends: string[];
  /** Git commits (or package versions); '' for folds stored before revisions were recorded. */
  revisions: string[];
  /** The settings above in which the table's folds differ. */
  differing: string[];
}

export interface ReportFilter {
  dataset?: string;
  protocol?: string;
  direction?: string;
  backbone?: string;
  seed?: number;
}

export interface ReportOptions extends ReportFilter {
  /** Significance: the method tested against every baseline (default 'cmcrd'). */
  reference?: string;
  /** Significance: BH over each column's comparisons (the paper's reading) or over the whole table. */
  family?: 'column' | 'table';
  /** Significance: the paired t-test (default) or the Wilcoxon signed-rank test. */
  test?: 't' | 'wilcoxon';
  /** Significance: the alternative hypothesis about reference − baseline (default 'two-sided'). */
  alternative?: 'two-sided' | 'greater' | 'less';
  /** 'default' keeps each method's default options only; 'all' shows every option variant as a row. */
  variants?: 'default' | 'all';
  /** Put the paper's values (and deltas) beside ours; default true. */
  paper?: boolean;
}

