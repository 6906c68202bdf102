import { type FoldFact, decodeVariant, encodeVariant } from '@cmcrd/store/read';
import {
  PROTOCOL_ORDER,
  byCodePoint,
  byMethodOrder,
  byProtocolOrder,
  groupBy,
  leakyFlags,
  markBest,
  protocolFlagsOf,
  summaryCell,
  type Variant,
  variantNamer,
} from './facts.js';
import { seedImbalance } from './format/cells.js';
import { provenanceNotes, provenanceOf } from './provenance.js';
import { buildGrid, type Grid } from './grid.js';
import {
  type ProtocolFlags,
  type ReportCell,
  type ReportColumn,
  type ReportOptions,
  type ReportRow,
  type ReportTable,
  type SignificanceFamily,
  SYNTHETIC_NOTE,
} from './model.js';
import { crossModalModel, paperAblation, paperComparison, paperFusion, paperTiming } from './paper.js';
import { SIGNIFICANT, significanceGrid } from './significance.js';
import { displayName } from './display.js';

const BACKBONE_ORDER = ['dnn', 'dgcnn', 'bihdm'];
const DIRECTION_ORDER = ['em->eeg', 'eeg->em', 'none'];

function rankIn(order: string[], v: string | undefined): number {
  const i = order.indexOf(v ?? '');
  return i < 0 ? order.length : i;
}

/** A sort key that puts the paper's order first and anything else after it, by name. */
const ranked = (order: string[], v: string) => `${String(rankIn(order, v)).padStart(2, '0')}${v}`;

/** The Δ footnote, only where a Δ is shown (a comparable paper value beside one of our cells). */
function deltaNote(cells: (ReportCell | null)[][], text: string): string[] {
  const shown = cells.some((row) => row.some((c) => c?.paper?.comparable === true && c.paper.delta !== null));
  return shown ? [text] : [];
}

/** The notes of an accuracy table: the common ones, what its rows are, the ranking mark and the Δ. */
function accuracyNotes(
  protocol: ProtocolFlags,
  grid: { columns: ReportColumn[]; cells: (ReportCell | null)[][] },
  o: ReportOptions,
  about: string[],
  hidden?: number,
): string[] {
  return [
    ...commonNotes({ protocol, cells: grid.cells, hidden, paper: o.paper !== false, synthetic: syntheticLabels(grid.columns) }, 'mean'),
    ...about,
    'best complete cell of each column marked (* in text and CSV, bold in Markdown and LaTeX)',
    ...deltaNote(grid.cells, 'Δ = ours − paper, in percentage points'),
  ];
}

export function byColumnOrder(a: ReportColumn, b: ReportColumn): number {
  return (
    byProtocolOrder(a.protocol ?? '', b.protocol ?? '') ||
    (a.dataset ?? '').localeCompare(b.dataset ?? '') ||
    rankIn(BACKBONE_ORDER, a.backbone) - rankIn(BACKBONE_ORDER, b.backbone) ||
    (a.backbone ?? '').localeCompare(b.backbone ?? '') ||
    rankIn(['train', 'test', 'teacher'], a.phase) - rankIn(['train', 'test', 'teacher'], b.phase) ||
    a.key.localeCompare(b.key)
  );
}

/**
 * Datasets by name, or by name and data revision when the selection holds folds of two
 * revisions of one dataset (two synthetic data seeds, or a release re-imported with other files):
 * those are different data and never share a column.
 */
export function datasetNaming(facts: readonly FoldFact[]): (f: FoldFact) => string {
  const revisions = new Map<string, Set<string>>();
  for (const f of facts) {
    const s = revisions.get(f.dataset) ?? new Set();
    s.add(f.dataRevision);
    revisions.set(f.dataset, s);
  }
  return (f) =>
    (revisions.get(f.dataset)?.size ?? 0) > 1 ? `${f.dataset}@${f.dataRevision.slice(0, 8)}` : f.dataset;
}

/**
 * How every accuracy table names its columns' datasets and its rows' variants: a variant is told
 * apart by what differs within one (protocol, options, direction, dataset, backbone) column.
 */
export function tableNaming(facts: readonly FoldFact[]): {
  named: (f: FoldFact) => string;
  variantOf: (f: FoldFact) => Variant;
} {
  const named = datasetNaming(facts);
  return { named, variantOf: variantNamer(facts, (f) => columnKeyOf(named, f)) };
}

function columnKeyOf(named: (f: FoldFact) => string, f: FoldFact): string {
  return `${f.protocol}|${f.protocolOptions}|${f.direction}|${named(f)}|${f.backbone}`;
}

const accuracyOf = (f: FoldFact) => f.accuracy;

function directionLabel(direction: string): string {
  if (direction === 'em->eeg') return 'EM-guided EEG (em->eeg)';
  if (direction === 'eeg->em') return 'EEG-guided EM (eeg->em)';
  return 'unimodal models only';
}

function syntheticTag(columns: ReportColumn[]): string {
  const n = columns.filter((c) => c.synthetic).length;
  if (n === 0) return '';
  return n === columns.length ? ' — SYNTHETIC data' : ' — some columns SYNTHETIC';
}

/** The methods of the paper's Tables 1, 2 and 4, in its order. */
const PAPER_ROWS = ['eeg-only', 'em-only', 'kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];
const UNIMODAL = new Set(['eeg-only', 'em-only', 'fusion']);

/** Rows for the paper's methods that have no fold in the table (a method with folds keeps its own rows). */
export function missingPaperRows(
  facts: readonly FoldFact[],
  direction: string,
  methods: readonly string[] = PAPER_ROWS,
): ReportRow[] {
  const present = new Set(facts.map((f) => f.method));
  return methods
    .filter((m) => !present.has(m) && (direction !== 'none' || UNIMODAL.has(m)))
    .map((m) => ({ key: m, label: m, method: m, direction: UNIMODAL.has(m) ? 'none' : direction }));
}

/** A table with its provenance, stated in its notes too (every format prints those). */
function withProvenance(facts: readonly FoldFact[], t: Omit<ReportTable, 'provenance'>): ReportTable {
  const provenance = provenanceOf(facts);
  return { ...t, provenance, notes: [...t.notes, ...provenanceNotes(provenance)] };
}

function syntheticLabels(columns: readonly ReportColumn[]): string[] {
  return columns.filter((c) => c.synthetic).map((c) => c.label);
}

function commonNotes(
  t: {
    protocol: ProtocolFlags;
    cells: (ReportCell | null)[][];
    hidden?: number;
    paper: boolean;
    /** The synthetic columns (or rows' datasets), named once in the notes instead of in every paper cell. */
    synthetic?: string[];
  },
  kind: 'mean' | 'p',
): string[] {
  const notes: string[] = [];
  const f = t.protocol;
  notes.push(
    `protocol: normalisation=${f.normalisation}, mccSource=${f.mccSource}, epochSelection=${f.epochSelection}`,
  );
  for (const leak of leakyFlags(f)) notes.push(`WARNING: ${leak}`);
  if (kind === 'mean') {
    notes.push(
      "mean ± sample std over folds; each fold's seeds are averaged first. (n=k): folds behind the cell",
    );
  }
  notes.push(
    kind === 'mean'
      ? 'n=a/b: the cell has a of the b folds its column holds (the others are missing or failed); it is not ranked'
      : 'n=a/b: a pairs of the b folds either method has in the column (the others are missing, failed or unpaired)',
  );
  const all = t.cells.flat().filter((c): c is ReportCell => c !== null);
  const seeds = all.flatMap((c) => Object.values(c.seedsPerFold ?? {}));
  if (seeds.length) {
    const lo = Math.min(...seeds);
    const hi = Math.max(...seeds);
    notes.push(
      `seeds per fold: ${lo === hi ? lo : `${lo}–${hi}`}${
        all.some((c) => seedImbalance(c))
          ? `; a ${kind === 'mean' ? 'cell' : 'comparison'} whose folds have unequal seeds is incomplete${kind === 'mean' ? ' and not ranked' : ''} (seeds a/b/…: per fold, in fold order)`
          : ''
      }`,
    );
  }
  const failed = all.reduce((a, c) => a + c.failed, 0);
  if (failed) notes.push(`${failed} failed fold attempt(s) are stored with their errors and not counted`);
  if (t.hidden)
    notes.push(
      `${t.hidden} row(s) of non-default method options hidden (--variants all shows them; \`cmcrd report ablation\` compares CMCRD's)`,
    );
  const paperTables = [
    ...new Set(all.flatMap((c) => (c.paper && 'table' in c.paper && c.paper.table ? [c.paper.table] : []))),
  ].sort();
  if (t.paper && paperTables.length) {
    notes.push(
      `paper: Kan et al., ${paperTables.map((x) => `Table ${x.slice(1)}`).join(', ')} (paper/reported.json, with source lines)`,
    );
  }
  if (t.paper && t.synthetic?.length)
    notes.push(
      `synthetic data (${t.synthetic.join(', ')}): not comparable with the paper, so no paper value or Δ is given there`,
    );
  return notes;
}

interface Scoped {
  facts: FoldFact[];
  protocol: ProtocolFlags;
}

/** One group per recorded set of protocol options, plus the keys given. */
function scopes(facts: readonly FoldFact[], keyOf: (f: FoldFact) => string): Map<string, Scoped> {
  const out = new Map<string, Scoped>();
  const groups = groupBy(facts, (f) => `${keyOf(f)}\u0000${f.protocolOptions}`);
  for (const [k, list] of [...groups].sort(([a], [b]) => a.localeCompare(b)))
    out.set(k, { facts: list, protocol: protocolFlagsOf(list[0].protocolOptions) });
  return out;
}

function datasetColumn(named: (f: FoldFact) => string, f: FoldFact): ReportColumn {
  const dataset = named(f);
  return {
    key: `${dataset}|${f.backbone}`,
    label: `${dataset} / ${f.backbone}`,
    dataset,
    backbone: f.backbone,
    synthetic: f.synthetic,
  };
}

function methodRow(v: Variant, f: FoldFact): ReportRow {
  return {
    key: v.key,
    label: v.label,
    method: f.method,
    direction: f.direction,
    ...(Object.keys(v.settings).length ? { variant: v.settings } : {}),
  };
}

function withPaper(
  grid: Grid,
  o: ReportOptions,
  lookup: (row: ReportRow, column: ReportColumn, cell: ReportCell) => ReportCell['paper'],
): void {
  if (o.paper === false) return;
  for (const [i, row] of grid.rows.entries()) {
    for (const [j, column] of grid.columns.entries()) {
      const cell = grid.cells[i][j];
      if (cell) cell.paper = lookup(row, column, cell);
    }
  }
}

/** Tables 1, 2 and 4: methods × (dataset, backbone), one table per protocol, direction and protocol options. */
export function comparisonReport(facts: readonly FoldFact[], o: ReportOptions): ReportTable[] {
  const { named, variantOf } = tableNaming(facts);
  const tables: ReportTable[] = [];
  for (const scope of scopes(facts, (f) => ranked(PROTOCOL_ORDER, f.protocol)).values()) {
    const present = [...new Set(scope.facts.map((f) => f.direction))].filter((d) => d !== 'none');
    let directions = present.length ? present : ['none'];
    // A scope with only unimodal folds belongs to every direction, so a direction filter keeps it.
    if (o.direction && present.length) directions = directions.filter((d) => d === o.direction);
    for (const direction of directions.sort(
      (a, b) => rankIn(DIRECTION_ORDER, a) - rankIn(DIRECTION_ORDER, b),
    )) {
      const inTable = scope.facts.filter((f) => f.direction === direction || f.direction === 'none');
      const shown = inTable.filter((f) => o.variants === 'all' || variantOf(f).isDefault);
      const hidden = new Set(
        inTable.filter((f) => o.variants !== 'all' && !variantOf(f).isDefault).map((f) => variantOf(f).key),
      ).size;
      if (shown.length === 0) continue;
      const protocol = shown[0].protocol;
      const grid = buildGrid(shown, {
        rowOf: (f) => methodRow(variantOf(f), f),
        // The paper's rows are there, run or not (as the ablation's combinations): `— (n=0/b)`.
        fixedRows: missingPaperRows(shown, direction),
        columnOf: (f) => datasetColumn(named, f),
        rowOrder: (a, b) => byMethodOrder(a.method, b.method) || byCodePoint(a.label, b.label),
        columnOrder: byColumnOrder,
        cell: (here, universe) => summaryCell(here, universe, accuracyOf, 100),
      });
      markBest(grid.cells);
      withPaper(grid, o, (row, column, cell) =>
        row.variant
          ? column.synthetic
            ? { comparable: false, note: SYNTHETIC_NOTE }
            : null
          : paperComparison(
              {
                protocol,
                direction,
                method: row.method,
                dataset: column.dataset!,
                backbone: column.backbone!,
              },
              { synthetic: column.synthetic, ours: cell.value },
            ),
      );
      tables.push(
        withProvenance(shown, {
          table: 'comparison',
          title: `Accuracy (%) — ${protocol}, ${directionLabel(direction)}${syntheticTag(grid.columns)}`,
          unit: 'accuracy (%)',
          scope: { protocol, direction },
          protocol: scope.protocol,
          ...grid,
          notes: [
            ...accuracyNotes(scope.protocol, grid, o, [], hidden),
          ],
        }),
      );
    }
  }
  return tables;
}

/** What a significance table's numbers mean, how it tested, and its BH families with their sizes. */
function significanceNotes(
  reference: string,
  test: 't' | 'wilcoxon',
  alternative: 'two-sided' | 'greater' | 'less',
  family: 'column' | 'table',
  families: readonly SignificanceFamily[],
): string[] {
  const ref = displayName(reference);
  const hypothesis =
    alternative === 'two-sided'
      ? 'two-sided'
      : `one-sided, the alternative being ${ref} − baseline ${alternative === 'greater' ? '>' : '<'} 0`;
  const how =
    test === 'wilcoxon'
      ? `the Wilcoxon signed-rank test (${hypothesis}; scipy.stats.wilcoxon's defaults: zero differences dropped; exact for up to 50 pairs without ties or zeros, else the normal approximation)`
      : `the paired t-test (${hypothesis}; scipy.stats.ttest_rel)`;
  const sizes = (kind: SignificanceFamily['kind']) => {
    const of = families.filter((f) => f.kind === kind);
    const ms = [...new Set(of.map((f) => f.m))];
    if (family === 'table') return `m = ${of[0]?.m ?? 0}`;
    return ms.length === 1
      ? `m = ${ms[0]} in every column`
      : of.map((f) => `m = ${f.m} in ${f.column}`).join(', ');
  };
  const where = family === 'column' ? 'within each column' : 'over the whole table';
  const familyNotes = [
    `BH family: the paper's baselines (its seven distillers and CMCRD at their default options, less the reference) ${where}, ${sizes('baselines')}`,
  ];
  if (families.some((f) => f.kind === 'variants'))
    familyNotes.push(
      `option variants and outside methods are tested in a BH family of their own ${where}, ${sizes('variants')}; adding them does not move the baselines' q`,
    );
  return [
    `Δ: mean of ${ref} − baseline over the paired folds, percentage points, with its two-sided 95% confidence interval [low, high] (t-based); d_z: Cohen's d_z, Δ over the standard deviation of the differences`,
    `our reading of the paper's "paired t-tests … adjusted by Benjamini–Hochberg": ${how}, with the subjects (folds) as the pairs — fold keys matched, each fold's seeds averaged first; q: p adjusted by Benjamini–Hochberg (statsmodels' fdr_bh); (n=k): pairs`,
    ...familyNotes,
    `q < ${SIGNIFICANT} marked: ▲ a significant gain (${ref} ahead; bold in Markdown and LaTeX), ▼ a significant loss (${ref} behind; italic)`,
  ];
}

/** Table 3: the reference method against each baseline, BH-adjusted, per direction and protocol options. */
export function significanceReport(facts: readonly FoldFact[], o: ReportOptions): ReportTable[] {
  const { named, variantOf } = tableNaming(facts);
  const reference = o.reference ?? 'cmcrd';
  const family = o.family ?? 'column';
  const test = o.test ?? 't';
  const alternative = o.alternative ?? 'two-sided';
  const testName = test === 'wilcoxon' ? 'Wilcoxon signed-rank' : 'paired t-test';
  const tables: ReportTable[] = [];
  const distilled = facts.filter(
    (f) => f.direction !== 'none' && (!o.direction || f.direction === o.direction),
  );
  for (const scope of scopes(
    distilled,
    (f) => `${ranked(PROTOCOL_ORDER, f.protocol)}\u0000${ranked(DIRECTION_ORDER, f.direction)}`,
  ).values()) {
    const { direction, protocol } = scope.facts[0];
    const keep = (f: FoldFact) =>
      o.variants === 'all' || variantOf(f).isDefault || variantOf(f).key === reference;
    const shown = scope.facts.filter(keep);
    const hidden = new Set(scope.facts.filter((f) => !keep(f)).map((f) => variantOf(f).key)).size;
    const grid = significanceGrid(shown, {
      reference,
      fixedRows: missingPaperRows(
        shown,
        direction,
        PAPER_ROWS.filter((m) => !UNIMODAL.has(m) && m !== reference),
      ),
      family,
      rowOf: (f) => methodRow(variantOf(f), f),
      columnOf: (f) => datasetColumn(named, f),
      columnOrder: byColumnOrder,
      paper: o.paper !== false,
      protocol,
      direction,
      test,
      alternative,
    });
    if (!grid) continue;
    const { families, ...cellsGrid } = grid;
    tables.push(
      withProvenance(shown, {
        table: 'significance',
        title: `${displayName(reference)} against each baseline: mean difference (pp) with 95% CI, d_z, ${testName} p and q, BH-adjusted per ${family === 'column' ? 'column' : 'table'} — ${protocol}, ${directionLabel(direction)}${syntheticTag(grid.columns)}`,
        unit: 'BH-adjusted p',
        scope: { protocol, direction },
        protocol: scope.protocol,
        ...cellsGrid,
        notes: [
          ...commonNotes(
            {
              protocol: scope.protocol,
              cells: grid.cells,
              hidden,
              paper: o.paper !== false,
              synthetic: syntheticLabels(grid.columns),
            },
            'p',
          ),
          ...significanceNotes(reference, test, alternative, family, families),
        ],
        significance: { test, alternative, reference, family, families },
      }),
    );
  }
  return tables;
}

/** Tables 5 and 6's models, in the paper's order. */
const MODEL_ORDER = ['EEG', 'EM', 'EM+EEG', 'EM-guided EEG', 'EEG-guided EM'];

/** The folds of Tables 5 and 6: the unimodal models, fusion and CMCRD (its default options) in the asked direction. */
function crossModalFacts(facts: readonly FoldFact[], o: ReportOptions) {
  const { named, variantOf } = tableNaming(facts);
  const models = facts.filter(
    (f) =>
      crossModalModel(f.method, f.direction) !== undefined &&
      (f.direction === 'none' || !o.direction || f.direction === o.direction) &&
      variantOf(f).isDefault,
  );
  return { named, models };
}

/** Tables 5 and 6's models as (method, direction). */
const CROSS_MODAL: [string, string][] = [
  ['eeg-only', 'none'],
  ['em-only', 'none'],
  ['fusion', 'none'],
  ['cmcrd', 'em->eeg'],
  ['cmcrd', 'eeg->em'],
];

function fusionRow(method: string, direction: string): ReportRow {
  const model = crossModalModel(method, direction)!;
  return {
    key: model,
    label: `${model} (${method}${direction === 'none' ? '' : `, ${direction}`})`,
    method,
    direction,
  };
}

/** Table 5: EEG, EM, EM+EEG fusion and CMCRD in both directions, per protocol. */
export function fusionReport(facts: readonly FoldFact[], o: ReportOptions): ReportTable[] {
  const { named, models } = crossModalFacts(facts, o);
  const tables: ReportTable[] = [];
  for (const scope of scopes(models, (f) => ranked(PROTOCOL_ORDER, f.protocol)).values()) {
    const protocol = scope.facts[0].protocol;
    const grid = buildGrid(scope.facts, {
      rowOf: (f) => fusionRow(f.method, f.direction),
      // Every model of Table 5 has its row, run or not (as the ablation's combinations): `— (n=0/b)`.
      fixedRows: CROSS_MODAL.filter(([, d]) => d === 'none' || !o.direction || d === o.direction).map(
        ([m, d]) => fusionRow(m, d),
      ),
      columnOf: (f) => datasetColumn(named, f),
      rowOrder: (a, b) => MODEL_ORDER.indexOf(a.key) - MODEL_ORDER.indexOf(b.key),
      columnOrder: byColumnOrder,
      cell: (here, universe) => summaryCell(here, universe, accuracyOf, 100),
    });
    if (!scope.facts.some((f) => f.method === 'fusion' || f.method === 'cmcrd')) continue;
    markBest(grid.cells);
    withPaper(grid, o, (row, column, cell) =>
      paperFusion(
        { protocol, model: row.key, dataset: column.dataset!, backbone: column.backbone! },
        { synthetic: column.synthetic, ours: cell.value },
      ),
    );
    tables.push(
      withProvenance(scope.facts, {
        table: 'fusion',
        title: `Unimodal, fusion (EM+EEG) and cross-modal accuracy (%) — ${protocol}${syntheticTag(grid.columns)}`,
        unit: 'accuracy (%)',
        scope: { protocol },
        protocol: scope.protocol,
        ...grid,
        notes: [
          ...accuracyNotes(scope.protocol, grid, o, ["EM+EEG averages the two unimodal models' class probabilities; the cross-modal models are CMCRD with its default options"]),
        ],
      }),
    );
  }
  return tables;
}

const PHASES = ['train', 'test', 'teacher'] as const;

/** Table 6: seconds per fold to train and to test each model, per backbone. */
export function timingReport(facts: readonly FoldFact[], o: ReportOptions): ReportTable[] {
  const { named, models } = crossModalFacts(facts, o);
  const tables: ReportTable[] = [];
  for (const scope of scopes(models, (f) => ranked(BACKBONE_ORDER, f.backbone)).values()) {
    const backbone = scope.facts[0].backbone;
    // Each fact is placed once per phase: the grid sees (fact, phase) pairs through a phase-tagged copy.
    const tagged = scope.facts.flatMap((f) => PHASES.map((phase) => ({ ...f, phase })));
    const phaseOf = (f: FoldFact) => (f as FoldFact & { phase: (typeof PHASES)[number] }).phase;
    const timingRow = (method: string, direction: string, dataset: string): ReportRow => {
      const model = crossModalModel(method, direction)!;
      return { key: `${dataset}|${model}`, label: `${dataset} · ${model}`, method, direction, dataset };
    };
    const modelOf = (row: ReportRow) => crossModalModel(row.method, row.direction!)!;
    const datasets = [...new Set(scope.facts.map(named))];
    const grid = buildGrid(tagged, {
      rowOf: (f) => timingRow(f.method, f.direction, named(f)),
      fixedRows: datasets.flatMap((dataset) =>
        CROSS_MODAL.filter(([, d]) => d === 'none' || !o.direction || d === o.direction).map(([m, d]) =>
          timingRow(m, d, dataset),
        ),
      ),
      columnOf: (f) => ({
        key: `${f.protocol}|${phaseOf(f)}`,
        label: `${f.protocol} · ${phaseOf(f)}`,
        protocol: f.protocol,
        phase: phaseOf(f),
        synthetic: f.synthetic,
      }),
      rowOrder: (a, b) =>
        a.dataset!.localeCompare(b.dataset!) || MODEL_ORDER.indexOf(modelOf(a)) - MODEL_ORDER.indexOf(modelOf(b)),
      columnOrder: byColumnOrder,
      universeKey: (row, column) => `${row.dataset}|${column.protocol}`,
      universeKeyOfFact: (f) => `${named(f)}|${f.protocol}`,
      cell: (here, universe, row, column) => {
        if (column.phase === 'teacher' && row.method !== 'cmcrd') return null;
        const ms =
          column.phase === 'train'
            ? (f: FoldFact) => f.trainMs
            : column.phase === 'test'
              ? (f: FoldFact) => f.testMs
              : (f: FoldFact) => f.teacherMs;
        return summaryCell(here, universe, ms, 1 / 1000);
      },
    });
    const synthetic = scope.facts.some((f) => f.synthetic);
    withPaper(grid, o, (row, column, cell) =>
      column.phase === 'teacher'
        ? null
        : paperTiming(
            {
              protocol: column.protocol!,
              model: modelOf(row),
              dataset: row.dataset!,
              backbone,
              phase: column.phase!,
            },
            {
              synthetic: scope.facts.some((f) => f.synthetic && named(f) === row.dataset),
              ours: cell.value,
            },
          ),
    );
    tables.push(
      withProvenance(scope.facts, {
        table: 'timing',
        title: `Seconds per fold — ${backbone}${synthetic ? (scope.facts.every((f) => f.synthetic) ? ' — SYNTHETIC data' : ' — some rows SYNTHETIC') : ''}`,
        unit: 'seconds per fold',
        scope: { backbone },
        protocol: scope.protocol,
        ...grid,
        notes: [
          ...commonNotes(
            {
              protocol: scope.protocol,
              cells: grid.cells,
              paper: o.paper !== false,
              synthetic: [...new Set(scope.facts.filter((f) => f.synthetic).map(named))].sort(),
            },
            'mean',
          ),
          "train: the model's own training (EM+EEG: both unimodal models); teacher: training the teacher that guided the student, once per fold and shared by every method of the fold; test: predicting the test split",
          "measured on this project's backends (wasm or cpu, one thread per worker), not comparable with the paper's GPU",
          ...deltaNote(grid.cells, "Δ = ours − paper, in seconds (the paper's on an RTX 3090)"),
        ],
      }),
    );
  }
  return tables;
}

const ABLATION_FLAGS = ['mcc', 'us', 'iew'] as const;
/** The paper's row order of Table 7. */
const ABLATION_ROWS: [boolean, boolean, boolean][] = [
  [false, false, false],
  [true, false, false],
  [false, true, false],
  [false, false, true],
  [true, true, false],
  [true, false, true],
  [false, true, true],
  [true, true, true],
];

function ablationRow([mcc, us, iew]: [boolean, boolean, boolean]): ReportRow {
  const mark = (b: boolean) => (b ? '✓' : '×');
  return {
    key: `${mcc}|${us}|${iew}`,
    label: `MCC ${mark(mcc)} · US ${mark(us)} · IEW ${mark(iew)}`,
    method: 'cmcrd',
    variant: { mcc, us, iew },
  };
}

/** Table 7: CMCRD's 8 MCC/US/IEW combinations, per backbone, direction and protocol options. */
export function ablationReport(facts: readonly FoldFact[], o: ReportOptions): ReportTable[] {
  const named = datasetNaming(facts);
  const cmcrd = facts.filter((f) => f.method === 'cmcrd' && (!o.direction || f.direction === o.direction));
  const flagsOf = new Map<string, [boolean, boolean, boolean]>();
  const withoutFlags = (f: FoldFact): FoldFact => {
    const v = decodeVariant(f.variant);
    if (!flagsOf.has(f.variant)) flagsOf.set(f.variant, [v.options.mcc !== false, v.options.us !== false, v.options.iew !== false]);
    const options = { ...v.options };
    for (const k of ABLATION_FLAGS) delete options[k];
    return { ...f, variant: encodeVariant({ ...v, options }) };
  };
  const stripped = cmcrd.map(withoutFlags);
  const restOf = variantNamer(stripped, (f) => columnKeyOf(named, f));
  const tables: ReportTable[] = [];
  const groups = scopes(
    stripped.map((f, i) => ({ ...f, original: cmcrd[i] })),
    (f) =>
      `${ranked(BACKBONE_ORDER, f.backbone)}\u0000${ranked(DIRECTION_ORDER, f.direction)}\u0000${restOf(f).label}`,
  );
  for (const scope of groups.values()) {
    const originals = scope.facts.map((f) => (f as FoldFact & { original: FoldFact }).original);
    const combos = new Set(originals.map((f) => flagsOf.get(f.variant)!.join('|')));
    if (combos.size < 2) continue;
    const { backbone, direction } = originals[0];
    const rest = restOf(scope.facts[0]);
    const grid = buildGrid(originals, {
      rowOf: (f) => ablationRow(flagsOf.get(f.variant)!),
      columnOf: (f) => ({
        key: `${f.protocol}|${named(f)}`,
        label: `${f.protocol} · ${named(f)}`,
        protocol: f.protocol,
        dataset: named(f),
        synthetic: f.synthetic,
      }),
      fixedRows: ABLATION_ROWS.map(ablationRow),
      rowOrder: (a, b) =>
        ABLATION_ROWS.findIndex((r) => ablationRow(r).key === a.key) -
        ABLATION_ROWS.findIndex((r) => ablationRow(r).key === b.key),
      columnOrder: byColumnOrder,
      cell: (here, universe) => summaryCell(here, universe, accuracyOf, 100),
    });
    markBest(grid.cells);
    withPaper(grid, o, (row, column, cell) =>
      paperAblation(
        {
          protocol: column.protocol!,
          backbone,
          direction,
          dataset: column.dataset!,
          ...(row.variant as { mcc: boolean; us: boolean; iew: boolean }),
        },
        { synthetic: column.synthetic, ours: cell.value },
      ),
    );
    const restLabel = rest.label === 'cmcrd' ? '' : ` — ${rest.label}`;
    tables.push(
      withProvenance(originals, {
        table: 'ablation',
        title: `CMCRD ablation, accuracy (%) — ${backbone}, ${directionLabel(direction)}${restLabel}${syntheticTag(grid.columns)}`,
        unit: 'accuracy (%)',
        scope: { backbone, direction, ...(restLabel ? { variant: rest.label } : {}) },
        protocol: scope.protocol,
        ...grid,
        notes: [
          ...accuracyNotes(scope.protocol, grid, o, ['MCC: minimum class confusion when training the teacher; US: unimodal supervision; IEW: information-entropy weighting (both in the student)']),
        ],
      }),
    );
  }
  return tables;
}
