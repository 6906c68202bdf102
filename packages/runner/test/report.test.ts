import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { sql } from 'drizzle-orm';
import { type ReportCell, type ReportOptions, type ReportTable, type TableKind, buildReport, cellFolds, formatReport } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';
import { main } from '../src/index.js';
import { schema } from '@cmcrd/store';
import {
  CMCRD_DEFAULTS,
  DEFAULT_PROTOCOL,
  type FixtureFold,
  fixtureRow,
  goldenFolds,
  insertFolds,
} from '@cmcrd/store/testing';

const { folds: schemaFolds } = schema;

const work = mkdtempSync(join(tmpdir(), 'cmcrd-report-'));
after(() => rmSync(work, { recursive: true, force: true }));
let stores = 0;

/** A store in a temporary file holding exactly these folds. */
function storeOf(folds: FixtureFold[]): Store {
  const store = Store.open(join(work, `s${++stores}.sqlite`));
  insertFolds(store, folds.map(fixtureRow));
  return store;
}

function report(kind: TableKind, folds: FixtureFold[], o: ReportOptions = {}): ReportTable[] {
  const store = storeOf(folds);
  try {
    return buildReport(store, kind, o);
  } finally {
    store.close();
  }
}

function cellOf(t: ReportTable, row: string, column: string): ReportCell | null {
  const i = t.rows.findIndex((r) => r.label === row);
  const j = t.columns.findIndex((c) => c.label === column);
  assert.ok(i >= 0, `no row '${row}' in ${t.rows.map((r) => r.label).join(', ')}`);
  assert.ok(j >= 0, `no column '${column}' in ${t.columns.map((c) => c.label).join(', ')}`);
  return t.cells[i][j];
}

/** The rows that have folds (run or failed); the paper's rows not run are there too, empty (issue 19). */
function ran(t: ReportTable): string[] {
  return t.rows.filter((_, i) => t.cells[i].some((c) => c && (c.n > 0 || c.failed > 0))).map((r) => r.label);
}

const close = (a: number | null | undefined, b: number, tol = 1e-12) => {
  assert.ok(a !== null && a !== undefined, `expected ${b}, got ${a}`);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
};

const SYN = 'synthetic-seed-iv';
const base = { dataset: SYN, protocol: 'within-subject', backbone: 'dnn' };
/** A unimodal fold of the synthetic SEED-IV within-subject DNN column. */
const uni = (
  method: string,
  foldKey: string,
  accuracy: number,
  more: Partial<FixtureFold> = {},
): FixtureFold => ({
  ...base,
  method,
  direction: 'none',
  foldKey,
  accuracy,
  ...more,
});
/** The same for a distiller, EM-guided EEG, with its options. */
const dist = (
  method: string,
  foldKey: string,
  accuracy: number,
  more: Partial<FixtureFold> = {},
): FixtureFold =>
  uni(method, foldKey, accuracy, {
    direction: 'em->eeg',
    options: method === 'cmcrd' ? CMCRD_DEFAULTS : { weight: 1 },
    ...more,
  });

test("a cell is the mean over folds of each fold's seed mean, ± the sample std over folds", () => {
  const [t] = report('comparison', [
    uni('eeg-only', 'subject-01', 0.6, { seed: 1 }),
    uni('eeg-only', 'subject-01', 0.8, { seed: 2 }),
    uni('eeg-only', 'subject-02', 0.5, { seed: 1 }),
  ]);
  const c = cellOf(t, 'eeg-only', `${SYN} / dnn`)!;
  // By hand: fold means 0.7 and 0.5 → 60 %; std √((0.1² + 0.1²)/1) = 0.141421356… → 14.14 %.
  // (Pooling the three runs would give 63.33 %.)
  close(c.value, 60);
  close(c.std, 100 * Math.sqrt(0.02));
  assert.deepEqual([c.n, c.expected, c.seeds, c.failed, c.missing], [2, 2, 2, 0, []]);
  assert.equal(t.table, 'comparison');
  assert.equal(t.scope.direction, 'none');
  // subject-01 has two seeds and subject-02 one: the cell is shown with its seeds per fold (issue 19).
  assert.match(formatReport('comparison', [t], 'text'), /60\.00 ± 14\.14 \(n=2; seeds 2\/1\)/);
});

test('a single fold has no std; the seed filter keeps one seed', () => {
  const folds = [
    uni('eeg-only', 'subject-01', 0.6, { seed: 1 }),
    uni('eeg-only', 'subject-01', 0.8, { seed: 2 }),
  ];
  const [t] = report('comparison', folds, { seed: 2 });
  const c = cellOf(t, 'eeg-only', `${SYN} / dnn`)!;
  close(c.value, 80);
  assert.equal(c.std, null);
  assert.match(formatReport('comparison', [t], 'text'), /80\.00 \(n=1\)/);
});

test('incomplete cells say how many folds they have and are never ranked', () => {
  const keys = ['subject-01', 'subject-02', 'subject-03'];
  const [t] = report('comparison', [
    ...keys.map((k, i) => uni('eeg-only', k, 0.5 + 0.1 * i)),
    ...keys.map((k) => dist('cmcrd', k, 0.9)),
    // kd: the best mean of the column, but its third fold failed.
    dist('kd', 'subject-01', 0.95),
    dist('kd', 'subject-02', 0.97),
    dist('kd', 'subject-03', 0, { status: 'failed' }),
    // crd: the third fold never ran.
    dist('crd', 'subject-01', 0.4),
    dist('crd', 'subject-02', 0.6),
    // fitnet ran on DGCNN only: its DNN cell is empty, and says so.
    dist('fitnet', 'subject-01', 0.7, { backbone: 'dgcnn' }),
  ]);
  const col = `${SYN} / dnn`;
  const kd = cellOf(t, 'kd', col)!;
  close(kd.value, 96);
  assert.deepEqual([kd.n, kd.expected, kd.failed, kd.missing, kd.marked], [2, 3, 1, ['subject-03'], false]);
  const crd = cellOf(t, 'crd', col)!;
  close(crd.value, 50);
  assert.deepEqual([crd.n, crd.expected, crd.failed, crd.missing], [2, 3, 0, ['subject-03']]);
  const fitnet = cellOf(t, 'fitnet', col)!;
  assert.deepEqual([fitnet.value, fitnet.n, fitnet.expected], [null, 0, 3]);
  // The best complete cell is CMCRD's 90 %, not kd's incomplete 96 %.
  assert.equal(cellOf(t, 'cmcrd', col)!.marked, true);
  assert.equal(cellOf(t, 'eeg-only', col)!.marked, false);
  // DGCNN's column has one fold, which fitnet has: complete there.
  const fitnetDgcnn = cellOf(t, 'fitnet', `${SYN} / dgcnn`)!;
  assert.deepEqual([fitnetDgcnn.n, fitnetDgcnn.expected, fitnetDgcnn.marked], [1, 1, true]);
  for (const format of ['text', 'md', 'latex'] as const) {
    const out = formatReport('comparison', [t], format);
    const pm = format === 'latex' ? '\\$\\\\pm\\$' : '±';
    assert.match(out, new RegExp(`96\\.00 ${pm} 1\\.41 .{0,20}n=2/3`), format);
    assert.match(out, new RegExp(`50\\.00 ${pm} 14\\.14 .{0,20}n=2/3`), format);
    assert.match(out, new RegExp(`${format === 'latex' ? '---' : '—'} .{0,20}n=0/3`), format);
  }
  assert.match(formatReport('comparison', [t], 'text'), /1 failed fold attempt\(s\)/);
  const csv = parse(formatReport('comparison', [t], 'csv'), { columns: true }) as Record<string, string>[];
  const kdLine = csv.find((r) => r.row === 'kd' && r.backbone === 'dnn')!;
  assert.deepEqual(
    [kdLine.n, kdLine.expected, kdLine.complete, kdLine.missing, kdLine.failed, kdLine.value],
    ['2', '3', 'false', 'subject-03', '1', '96'],
  );
});

// Expected p-values computed with Debian's scipy 1.10 (ttest_rel) and statsmodels 0.13
// (multipletests, method='fdr_bh') on the same per-fold accuracies:
//   ttest_rel([.60,.70,.65,.72], [.55,.66,.66,.70]).pvalue = 0.15518171532879493   (cmcrd vs kd, dnn)
//   ttest_rel([.60,.70,.65,.72], [.50,.60,.55,.61]).pvalue = 3.192933548127684e-05 (cmcrd vs sp, dnn)
//   ttest_rel([.70,.80,.75], [.60,.70,.72]).pvalue        = 0.08146847659449745   (cmcrd vs kd, dgcnn, 3 pairs)
//   BH per column (dnn): [0.15518171532879493, 6.385867096255368e-05]
//   BH over the table:   [0.15518171532879493, 9.578800644383052e-05, 0.12220271489174618]
const s = (i: number) => `subject-0${i}`;
const significanceFolds: FixtureFold[] = [
  // cmcrd on subject-01 has two seeds (0.58, 0.62): the fold counts once, as their mean 0.60.
  dist('cmcrd', s(1), 0.58, { seed: 1 }),
  dist('cmcrd', s(1), 0.62, { seed: 2 }),
  ...[0.7, 0.65, 0.72].map((a, i) => dist('cmcrd', s(i + 2), a)),
  ...[0.55, 0.66, 0.66, 0.7].map((a, i) => dist('kd', s(i + 1), a)),
  ...[0.5, 0.6, 0.55, 0.61].map((a, i) => dist('sp', s(i + 1), a)),
  // fitnet ties cmcrd on every fold: the test is undefined and must not blank its family.
  ...[0.6, 0.7, 0.65, 0.72].map((a, i) => dist('fitnet', s(i + 1), a)),
  // dgcnn: cmcrd lacks subject-04, so only 3 of kd's 4 folds pair; sp's one dgcnn fold failed.
  ...[0.7, 0.8, 0.75].map((a, i) => dist('cmcrd', s(i + 1), a, { backbone: 'dgcnn' })),
  ...[0.6, 0.7, 0.72, 0.9].map((a, i) => dist('kd', s(i + 1), a, { backbone: 'dgcnn' })),
  dist('sp', s(1), 0, { backbone: 'dgcnn', status: 'failed' }),
  // The unimodal models are not in Table 3's family.
  ...[0.5, 0.5, 0.6, 0.6].map((a, i) => uni('eeg-only', s(i + 1), a)),
];

test('significance: CMCRD against each distiller, paired by fold, seeds averaged, BH within each column', () => {
  const [t] = report('significance', significanceFolds);
  assert.equal(t.table, 'significance');
  assert.deepEqual(
    t.columns.map((c) => c.label),
    [`${SYN} / dnn`, `${SYN} / dgcnn`],
  );
  assert.deepEqual(ran(t), ['kd', 'fitnet', 'sp']);
  // The paper's other baselines have their rows, empty, as the ablation's combinations.
  assert.deepEqual(
    t.rows.map((r) => r.label),
    ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd'],
  );
  assert.match(formatReport('significance', [t], 'text'), /— \(n=0\/4; no nst folds in this column\)/);
  const kd = cellOf(t, 'kd', `${SYN} / dnn`)!;
  close(kd.pValue, 0.15518171532879493);
  close(kd.value, 0.15518171532879493);
  close(kd.meanDifference, 100 * ((0.05 + 0.04 - 0.01 + 0.02) / 4));
  assert.deepEqual([kd.n, kd.expected, kd.marked, kd.seeds], [4, 4, false, 2]);
  const sp = cellOf(t, 'sp', `${SYN} / dnn`)!;
  close(sp.pValue, 3.192933548127684e-5);
  close(sp.value, 6.385867096255368e-5);
  assert.equal(sp.marked, true);
  const fitnet = cellOf(t, 'fitnet', `${SYN} / dnn`)!;
  assert.deepEqual([fitnet.pValue, fitnet.value, fitnet.note], [null, null, 'all differences are zero']);
  // Incomplete: 3 pairs of 4 folds, said so, and the test is on the 3.
  const kdDgcnn = cellOf(t, 'kd', `${SYN} / dgcnn`)!;
  assert.deepEqual([kdDgcnn.n, kdDgcnn.expected, kdDgcnn.missing], [3, 4, [s(4)]]);
  close(kdDgcnn.pValue, 0.08146847659449745);
  close(kdDgcnn.value, 0.08146847659449745);
  const spDgcnn = cellOf(t, 'sp', `${SYN} / dgcnn`)!;
  assert.deepEqual(
    [spDgcnn.value, spDgcnn.n, spDgcnn.failed, spDgcnn.note],
    [null, 0, 1, 'no sp folds in this column'],
  );
  const text = formatReport('significance', [t], 'text');
  assert.match(text, /q 6\.4e-5 \(n=4\) ▲/);
  assert.match(text, /— \(n=0\/3; no fitnet folds in this column\)/);
  assert.match(text, /q 0\.0815 \(n=3\/4\)/);
  assert.match(text, /Δ \+0\.00 \[\+0\.00, \+0\.00\] \(n=4; all differences are zero\)/);
});

test('significance: the family can be the whole table, and the reference any row', () => {
  const [t] = report('significance', significanceFolds, { family: 'table' });
  close(cellOf(t, 'kd', `${SYN} / dnn`)!.value, 0.15518171532879493);
  close(cellOf(t, 'sp', `${SYN} / dnn`)!.value, 9.578800644383052e-5);
  close(cellOf(t, 'kd', `${SYN} / dgcnn`)!.value, 0.12220271489174618);
  assert.match(t.title, /BH-adjusted per table/);
  const [k] = report('significance', significanceFolds, { reference: 'kd' });
  assert.deepEqual(ran(k), ['fitnet', 'sp', 'cmcrd']);
  // scipy: ttest_rel([.55,.66,.66,.70], [.60,.70,.65,.72]) is the kd–cmcrd test with the sign flipped; same p.
  close(cellOf(k, 'cmcrd', `${SYN} / dnn`)!.pValue, 0.15518171532879493);
  assert.deepEqual(report('significance', significanceFolds, { reference: 'nst' }), []);
});

test("option variants: the default keeps the method's name, the others are labelled by what differs and hidden unless asked for", () => {
  const folds = [
    dist('cmcrd', s(1), 0.7, { backbone: 'dgcnn' }),
    dist('cmcrd', s(1), 0.6, { backbone: 'dgcnn', options: { ...CMCRD_DEFAULTS, mcc: false } }),
    dist('cmcrd', s(1), 0.5, { backbone: 'dgcnn', options: { ...CMCRD_DEFAULTS, mcc: false, us: false } }),
    // The DNN column has only the default: one row, under the same name.
    dist('cmcrd', s(1), 0.8, { options: { ...CMCRD_DEFAULTS, negatives: 900 } }),
    // A method whose defaults are unknown here (not registered): both variants labelled, both shown.
    dist('outside', s(1), 0.3, { options: { gamma: 1 } }),
    dist('outside', s(1), 0.4, { options: { gamma: 2 } }),
  ];
  const [shown] = report('comparison', folds);
  assert.deepEqual(ran(shown), ['outside (gamma=1)', 'outside (gamma=2)', 'cmcrd']);
  close(cellOf(shown, 'cmcrd', `${SYN} / dgcnn`)!.value, 70);
  close(cellOf(shown, 'cmcrd', `${SYN} / dnn`)!.value, 80);
  assert.ok(shown.notes.some((n) => n.startsWith('2 row(s) of non-default method options hidden')));
  const [all] = report('comparison', folds, { variants: 'all' });
  assert.deepEqual(ran(all), [
    'outside (gamma=1)',
    'outside (gamma=2)',
    'cmcrd',
    'cmcrd (mcc=false)',
    'cmcrd (mcc=false, us=false)',
  ]);
  assert.deepEqual(all.rows.find((r) => r.label === 'cmcrd (mcc=false, us=false)')!.variant, { mcc: false, us: false });
  close(cellOf(all, 'cmcrd (mcc=false, us=false)', `${SYN} / dgcnn`)!.value, 50);
  // Different training settings are different rows too, named by the setting.
  const [epochs] = report('comparison', [
    uni('eeg-only', s(1), 0.5),
    uni('eeg-only', s(1), 0.6, { student: { epochs: 10 } }),
  ]);
  assert.deepEqual(ran(epochs), ['eeg-only (student.epochs=10)', 'eeg-only (student.epochs=40)']);
  // A unimodal table lists the other unimodal model, not run; eeg-only keeps its two rows only.
  assert.deepEqual(
    epochs.rows.map((r) => r.label),
    ['eeg-only (student.epochs=10)', 'eeg-only (student.epochs=40)', 'em-only'],
  );
});

/** The paper's cell, read straight from the project's copy of the transcription (not through the code under test's lookups). */
function reported(table: string, match: Record<string, unknown>): Record<string, number> {
  const json = JSON.parse(readFileSync(new URL('../../reports/paper/reported.json', import.meta.url), 'utf8'));
  const found = json.tables[table].cells.find((c: Record<string, unknown>) =>
    Object.entries(match).every(([k, v]) => c[k] === v),
  );
  assert.ok(found, `no ${table} cell ${JSON.stringify(match)}`);
  return found;
}

test("the paper's values beside ours: deltas on the real releases, 'synthetic — not comparable' on the presets", () => {
  const real = { dataset: 'seed-iv' };
  const folds = [
    uni('eeg-only', s(1), 0.6, real),
    uni('eeg-only', s(2), 0.7, real),
    uni('eeg-only', s(1), 0.6),
    dist('kd', s(1), 0.65, { ...real, direction: 'eeg->em' }),
    dist('cmcrd', s(1), 0.6, { ...real, options: { ...CMCRD_DEFAULTS, iew: false } }),
    dist('cmcrd', s(1), 0.7, real),
  ];
  const [emToEeg] = report('comparison', folds, { direction: 'em->eeg', variants: 'all' });
  const paper = reported('t1', { method: 'EEG', dataset: 'SEED-IV', backbone: 'DNN' });
  const c = cellOf(emToEeg, 'eeg-only', 'seed-iv / dnn')!;
  const { delta, ...rest } = c.paper as { delta: number };
  assert.deepEqual(rest, {
    comparable: true,
    table: 't1',
    line: paper.line,
    value: paper.mean,
    std: paper.std,
  });
  close(delta, 65 - paper.mean, 1e-9);
  assert.deepEqual(cellOf(emToEeg, 'eeg-only', `${SYN} / dnn`)!.paper, {
    comparable: false,
    note: 'synthetic — not comparable',
  });
  // A non-default variant is not the paper's CMCRD.
  assert.equal(cellOf(emToEeg, 'cmcrd (iew=false)', 'seed-iv / dnn')!.paper, null);
  const t1Cmcrd = reported('t1', { method: 'CMCRD', dataset: 'SEED-IV', backbone: 'DNN' });
  close((cellOf(emToEeg, 'cmcrd', 'seed-iv / dnn')!.paper as { delta: number }).delta, 70 - t1Cmcrd.mean);
  assert.match(
    formatReport('comparison', [emToEeg], 'text'),
    new RegExp(
      `paper: ${paper.mean.toFixed(2)} \\(Δ ${65 - paper.mean < 0 ? '−' : '\\+'}${Math.abs(65 - paper.mean).toFixed(2)}\\)`,
    ),
  );
  // Table 4 for the other direction.
  const [eegToEm] = report('comparison', folds, { direction: 'eeg->em' });
  const t4 = reported('t4', { method: 'KD', dataset: 'SEED-IV', backbone: 'DNN', setting: 'within' });
  assert.equal((cellOf(eegToEm, 'kd', 'seed-iv / dnn')!.paper as { value: number }).value, t4.mean);
  assert.equal((cellOf(eegToEm, 'kd', 'seed-iv / dnn')!.paper as { table: string }).table, 't4');
  // --no-paper
  const [bare] = report('comparison', folds, { direction: 'em->eeg', paper: false });
  assert.ok(bare.cells.flat().every((x) => x === null || x.paper === null));
  assert.doesNotMatch(formatReport('comparison', [bare], 'text'), /paper:/);
});

test("Table 7's illegible cells say so, and the ablation table has the paper's 8 rows", () => {
  const real = { dataset: 'seed', backbone: 'dgcnn' };
  const folds = [
    dist('cmcrd', s(1), 0.8, real),
    dist('cmcrd', s(2), 0.9, real),
    dist('cmcrd', s(1), 0.7, { ...real, options: { ...CMCRD_DEFAULTS, mcc: false, us: false } }),
    dist('cmcrd', s(1), 0.6, { ...real, options: { ...CMCRD_DEFAULTS, mcc: false, us: false, iew: false } }),
  ];
  const [t] = report('ablation', folds);
  assert.equal(t.rows.length, 8);
  assert.deepEqual(t.rows[0].variant, { mcc: false, us: false, iew: false });
  assert.equal(t.rows[7].label, 'MCC ✓ · US ✓ · IEW ✓');
  assert.deepEqual(
    t.columns.map((c) => c.label),
    ['within-subject · seed'],
  );
  const full = t.cells[7][0]!;
  close(full.value, 85);
  assert.deepEqual([full.n, full.expected, full.marked], [2, 2, true]);
  const iewOnly = cellOf(t, 'MCC × · US × · IEW ✓', 'within-subject · seed')!;
  assert.deepEqual([iewOnly.n, iewOnly.expected], [1, 2]);
  assert.deepEqual(iewOnly.paper, {
    comparable: false,
    note: 'illegible in the paper',
    table: 't7',
    line: 361,
  });
  const none = cellOf(t, 'MCC × · US × · IEW ×', 'within-subject · seed')!;
  const t7 = reported('t7', { mcc: false, us: false, iew: false, setting: 'within', dataset: 'SEED' });
  assert.equal((none.paper as { value: number }).value, t7.accuracy);
  const absent = cellOf(t, 'MCC ✓ · US × · IEW ×', 'within-subject · seed')!;
  assert.deepEqual([absent.value, absent.n, absent.expected], [null, 0, 2]);
  // One combination is not an ablation.
  assert.deepEqual(report('ablation', [dist('cmcrd', s(1), 0.8, real)]), []);
});

test('timing: seconds per fold to train, to test and to train the teacher', () => {
  const real = { dataset: 'seed-iv' };
  const [t] = report('timing', [
    uni('fusion', s(1), 0.7, { ...real, trainMs: 10_000, testMs: 30 }),
    uni('fusion', s(2), 0.7, { ...real, trainMs: 14_000, testMs: 50 }),
    dist('cmcrd', s(1), 0.7, { ...real, trainMs: 20_000, testMs: 10, teacherMs: 6_000 }),
    dist('cmcrd', s(1), 0.7, {
      ...real,
      direction: 'eeg->em',
      trainMs: 21_000,
      testMs: 10,
      teacherMs: 7_000,
      seed: 1,
    }),
    dist('cmcrd', s(1), 0.7, {
      ...real,
      direction: 'eeg->em',
      trainMs: 23_000,
      testMs: 20,
      teacherMs: 7_000,
      seed: 2,
    }),
  ]);
  assert.equal(t.title, 'Seconds per fold — dnn');
  const fusionTrain = cellOf(t, 'seed-iv · EM+EEG', 'within-subject · train')!;
  close(fusionTrain.value, 12);
  close(fusionTrain.std, Math.sqrt(8));
  assert.equal(cellOf(t, 'seed-iv · EM+EEG', 'within-subject · teacher'), null);
  close(cellOf(t, 'seed-iv · EM-guided EEG', 'within-subject · teacher')!.value, 6);
  close(cellOf(t, 'seed-iv · EEG-guided EM', 'within-subject · train')!.value, 22);
  close(cellOf(t, 'seed-iv · EEG-guided EM', 'within-subject · test')!.value, 0.015);
  // Only fusion has subject-02: the distilled rows have 1 of the 2 folds of their dataset and protocol.
  assert.deepEqual(
    [
      cellOf(t, 'seed-iv · EEG-guided EM', 'within-subject · train')!.n,
      cellOf(t, 'seed-iv · EEG-guided EM', 'within-subject · train')!.expected,
    ],
    [1, 2],
  );
  const t6 = reported('t6', { model: 'EM+EEG', dataset: 'SEED-IV', phase: 'train', setting: 'within' });
  const { delta, ...rest } = fusionTrain.paper as { delta: number };
  assert.deepEqual(rest, { comparable: true, table: 't6', line: t6.line, value: t6.seconds, std: null });
  close(delta, 12 - t6.seconds, 1e-9);
  assert.match(formatReport('timing', [t], 'text'), /0\.015 ± 0\.000 \(n=1\/2\)|0\.015 \(n=1\/2\)/);
});

test('fusion: the unimodal models, decision fusion and CMCRD in both directions', () => {
  const [t] = report('fusion', [
    uni('eeg-only', s(1), 0.6),
    uni('em-only', s(1), 0.5),
    uni('fusion', s(1), 0.65),
    dist('cmcrd', s(1), 0.7),
    dist('cmcrd', s(1), 0.55, { direction: 'eeg->em' }),
    dist('kd', s(1), 0.9),
  ]);
  assert.deepEqual(
    t.rows.map((r) => r.label),
    [
      'EEG (eeg-only)',
      'EM (em-only)',
      'EM+EEG (fusion)',
      'EM-guided EEG (cmcrd, em->eeg)',
      'EEG-guided EM (cmcrd, eeg->em)',
    ],
  );
  assert.equal(t.cells[3][0]!.marked, true);
  assert.deepEqual(report('fusion', [uni('eeg-only', s(1), 0.6)]), []);
});

test('filters and table keys: directions keep the unimodal rows, protocol options and data revisions split tables and columns', () => {
  const folds = [
    uni('eeg-only', s(1), 0.6),
    dist('kd', s(1), 0.6),
    dist('kd', s(1), 0.7, { direction: 'eeg->em' }),
    uni('eeg-only', s(1), 0.9, { protocolOptions: { ...DEFAULT_PROTOCOL, epochSelection: 'oracle-test' } }),
    uni('eeg-only', s(1), 0.5, { dataRevision: 3 }),
  ];
  const tables = report('comparison', folds);
  assert.equal(tables.length, 3);
  const [leakFree, , oracle] = tables;
  assert.deepEqual(
    leakFree.columns.map((c) => c.label),
    [`${SYN}@0 / dnn`, `${SYN}@3 / dnn`],
  );
  assert.equal(leakFree.scope.direction, 'em->eeg');
  assert.equal(tables[1].scope.direction, 'eeg->em');
  assert.deepEqual(ran(tables[1]), ['eeg-only', 'kd']);
  assert.equal(oracle.protocol.epochSelection, 'oracle-test');
  assert.ok(oracle.notes.some((n) => /OPTIMISTIC/.test(n)));
  for (const format of ['text', 'md', 'latex', 'csv', 'json'] as const) {
    assert.match(formatReport('comparison', [oracle], format), /oracle-test/, format);
  }
  const only = report('comparison', folds, { direction: 'eeg->em', dataset: SYN });
  assert.deepEqual(
    only.map((t) => t.scope.direction),
    ['eeg->em', 'none'],
  );
  assert.deepEqual(report('comparison', folds, { dataset: 'seed' }), []);
});

test('the migration derives variant and data revision from config exactly as the runner writes them', () => {
  const store = storeOf([
    dist('cmcrd', s(1), 0.7, { options: { ...CMCRD_DEFAULTS, mcc: false }, student: { lr: 0.0003 } }),
    uni('eeg-only', s(1), 0.6, { dataset: 'seed-iv', dataRevision: 'abcdef0123456789' }),
  ]);
  try {
    const written = store.db.select().from(schemaFolds).all();
    const migration = readFileSync(new URL('../../store/migrations/0002_report_columns.sql', import.meta.url), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((x) => x.includes('UPDATE'))!;
    store.db.run(sql.raw("UPDATE folds SET variant = '', data_revision = ''"));
    store.db.run(sql.raw(backfill));
    const derived = store.db.select().from(schemaFolds).all();
    assert.deepEqual(
      derived.map((r) => [r.variant, r.dataRevision]),
      written.map((r) => [r.variant, r.dataRevision]),
    );
    assert.equal(written[1].dataRevision, 'abcdef0123456789');
    assert.ok(written[0].variant.includes('"mcc":false'));
  } finally {
    store.close();
  }
});

const GOLDEN = new URL('./golden/report/', import.meta.url);
const EXT = { text: 'txt', md: 'md', latex: 'tex', csv: 'csv', json: 'json' } as const;

test('golden outputs: every table in every format on the small fixed store', () => {
  const store = storeOf(goldenFolds());
  try {
    for (const kind of ['comparison', 'significance', 'fusion', 'timing', 'ablation'] as const) {
      const tables = buildReport(store, kind);
      assert.ok(tables.length > 0, kind);
      for (const [format, ext] of Object.entries(EXT) as [keyof typeof EXT, string][]) {
        const out = formatReport(kind, tables, format);
        const file = new URL(`${kind}.${ext}`, GOLDEN);
        if (process.env.UPDATE_GOLDEN === '1') writeFileSync(file, out);
        assert.equal(
          out,
          readFileSync(file, 'utf8'),
          `${kind}.${ext} differs from the golden file (UPDATE_GOLDEN=1 rewrites it after review)`,
        );
      }
      const json = JSON.parse(formatReport(kind, tables, 'json'));
      assert.equal(json.tables.length, tables.length);
      assert.deepEqual(
        json.tables[0].cells.flat().map((c: ReportCell | null) => c && [c.n, c.expected]),
        tables[0].cells.flat().map((c) => c && [c.n, c.expected]),
      );
      const records = parse(formatReport(kind, tables, 'csv'), { columns: true }) as unknown[];
      assert.equal(
        records.length,
        tables.reduce((a, t) => a + t.cells.flat().filter((c) => c !== null).length, 0),
      );
    }
  } finally {
    store.close();
  }
});

test('LaTeX: booktabs rules, bold best, escaped names', () => {
  const [t] = report('comparison', [uni('eeg-only', s(1), 0.6), dist('k_d%', s(1), 0.7, { options: {} })]);
  const tex = formatReport('comparison', [t], 'latex');
  // Synthetic columns only: no paper column (the synthetic note is said once, in the notes).
  for (const rule of ['\\toprule', '\\midrule', '\\bottomrule', '\\begin{tabular}{lr}'])
    assert.ok(tex.includes(rule), rule);
  assert.match(tex, /\\textbf\{70\.00\}/);
  assert.ok(tex.includes('k\\_d\\%'));
  assert.ok(tex.includes('em$\\to$eeg'));
});

/** Runs the CLI, capturing what it writes. */
async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const error = console.error;
  // Text is the command's; the test runner's own messages to its parent are binary and pass through
  // (the command's actions load their modules as they run, which lets the runner write meanwhile).
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? out.push(s) > 0 : write(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? err.push(s) > 0 : writeErr(s, ...rest))) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  try {
    const code = await main(['node', 'cmcrd', ...argv]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    console.error = error;
  }
}

test('cmcrd report: formats, filters, and clear errors that touch nothing', async () => {
  const store = storeOf(significanceFolds);
  const db = store.path;
  store.close();
  const json = await cli(['report', 'comparison', '--db', db, '--format', 'json', '--backbone', 'dgcnn']);
  assert.equal(json.code, 0, json.err);
  const parsed = JSON.parse(json.out);
  assert.equal(parsed.report, 'comparison');
  assert.deepEqual(
    parsed.tables[0].columns.map((c: { backbone: string }) => c.backbone),
    ['dgcnn'],
  );
  const md = await cli(['report', 'significance', '--db', db, '--format', 'md', '--family', 'table']);
  assert.equal(md.code, 0, md.err);
  assert.match(md.out, /^#### CMCRD against each baseline/);
  assert.match(md.out, /\| kd \| Δ [^|]* · q 0\.1552 \(n=4\) \|/);
  const before = statSync(db).mtimeMs;
  const bogus = await cli(['report', 'bogus', '--db', db]);
  assert.equal(bogus.code, 2);
  assert.match(
    bogus.err,
    /unknown table 'bogus' \(known: comparison, significance, fusion, timing, ablation\)/,
  );
  const format = await cli(['report', 'comparison', '--db', db, '--format', 'xml']);
  assert.equal(format.code, 2);
  assert.match(format.err, /--format <format>' argument 'xml' is invalid/);
  const none = await cli(['report', 'ablation', '--db', db]);
  assert.equal(none.code, 1);
  assert.match(none.err, /no ablation table .* at least two MCC\/US\/IEW combinations/);
  assert.equal(statSync(db).mtimeMs, before);
  const notStore = join(work, 'notes.txt');
  writeFileSync(notStore, 'not a database');
  const refused = await cli(['report', 'comparison', '--db', notStore]);
  assert.equal(refused.code, 2);
  assert.match(refused.err, /not a CMCRD store/);
  assert.equal(readFileSync(notStore, 'utf8'), 'not a database');
});

test("a comparison column opened up: every row's accuracy per fold, seeds averaged, with the fold ids", () => {
  const store = storeOf([
    uni('eeg-only', s(1), 0.5),
    uni('eeg-only', s(2), 0.7),
    dist('cmcrd', s(1), 0.6, { seed: 1 }),
    dist('cmcrd', s(1), 0.8, { seed: 2 }),
    dist('cmcrd', s(2), 0.9),
    dist('cmcrd', s(2), 0.1, { options: { ...CMCRD_DEFAULTS, mcc: false } }),
    dist('kd', s(1), 0.4),
    dist('kd', s(2), 0, { status: 'failed' }),
    dist('kd', s(1), 0.99, { direction: 'eeg->em' }),
    uni('eeg-only', s(1), 0.3, { protocolOptions: { ...DEFAULT_PROTOCOL, epochSelection: 'oracle-test' } }),
  ]);
  try {
    const c = cellFolds(store, {
      dataset: SYN,
      protocol: 'within-subject',
      backbone: 'dnn',
      direction: 'em->eeg',
      protocolFlags: { epochSelection: 'last' },
    });
    assert.deepEqual(c.foldKeys, [s(1), s(2)]);
    assert.deepEqual(
      c.rows.map((r) => r.label),
      ['eeg-only', 'kd', 'cmcrd'],
    );
    const cmcrd = c.rows[2].folds;
    close(cmcrd[s(1)].accuracy, 70);
    assert.equal(cmcrd[s(1)].seeds, 2);
    const ids = store.db.select().from(schemaFolds).all();
    const seedOne = ids.find((r) => r.method === 'cmcrd' && r.foldKey === s(1) && r.seed === 1)!;
    assert.equal(cmcrd[s(1)].foldId, seedOne.id);
    assert.deepEqual(Object.keys(c.rows[1].folds), [s(1)], 'the failed kd fold has no accuracy');
    assert.equal(c.protocolFlags?.epochSelection, 'last');
    const all = cellFolds(store, {
      dataset: SYN,
      protocol: 'within-subject',
      backbone: 'dnn',
      direction: 'em->eeg',
      protocolFlags: { epochSelection: 'last' },
      variants: 'all',
    });
    assert.deepEqual(
      all.rows.map((r) => r.label),
      ['eeg-only', 'kd', 'cmcrd', 'cmcrd (mcc=false)'],
    );
  } finally {
    store.close();
  }
});
