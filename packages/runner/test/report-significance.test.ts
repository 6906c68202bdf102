import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type ReportCell, type ReportOptions, type ReportTable, buildReport, formatReport } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';
import { CMCRD_DEFAULTS, type FixtureFold, fixtureRow, insertFolds } from '@cmcrd/store/testing';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-significance-'));
after(() => rmSync(work, { recursive: true, force: true }));
let stores = 0;

function report(folds: FixtureFold[], o: ReportOptions = {}): ReportTable[] {
  const store = Store.open(join(work, `s${++stores}.sqlite`));
  try {
    insertFolds(store, folds.map(fixtureRow));
    return buildReport(store, 'significance', o);
  } finally {
    store.close();
  }
}

const SYN = 'synthetic-seed-iv';
const COL = `${SYN} / dnn`;
const fold = (
  method: string,
  i: number,
  accuracy: number,
  options: Record<string, unknown>,
): FixtureFold => ({
  dataset: SYN,
  protocol: 'within-subject',
  backbone: 'dnn',
  direction: 'em->eeg',
  foldKey: `subject-0${i + 1}`,
  method,
  accuracy,
  options,
});
const many = (method: string, values: number[], options: Record<string, unknown> = { weight: 1 }) =>
  values.map((a, i) => fold(method, i, a, options));

// Reference values (scipy 1.10, statsmodels 0.13), cmcrd c = [.60, .70, .65, .72, .68]:
//   kd  [.70, .785, .74, .83, .755]: ttest_rel(c, kd).pvalue = 0.00010844314259654098, mean −9.2 pp,
//       confidence_interval() = [−10.877395692463331, −7.522604307536669] pp, d_z = −6.81014553381797,
//       alternative='greater' p = 0.9999457784287017, wilcoxon(c, kd) = (0.0, 0.0625)
//   sp  [.50, .61, .57, .60, .555]: p = 0.0002788275333789877, mean +10.3 pp, d_z = 5.354715022573379,
//       alternative='greater' p = 0.00013941376668949386, wilcoxon = (0.0, 0.0625)
//   crd [.58, .72, .66, .70, .69]: p = 0.999999999999998; wilcoxon(method='approx', tied |d|) p = 0.8907458009320663
//   multipletests([kd, sp, crd], 'fdr_bh'): [0.00032532942778962297, 0.0004182413000684816, 0.999999999999998]
//   the same on the Wilcoxon p-values: [0.09375, 0.09375, 0.8907458009320663]
const folds: FixtureFold[] = [
  ...many('cmcrd', [0.6, 0.7, 0.65, 0.72, 0.68], CMCRD_DEFAULTS),
  ...many('kd', [0.7, 0.785, 0.74, 0.83, 0.755]),
  ...many('sp', [0.5, 0.61, 0.57, 0.6, 0.555]),
  ...many('crd', [0.58, 0.72, 0.66, 0.7, 0.69]),
  // A CMCRD option variant: hidden by default, tested in a family of its own with --variants all.
  ...many('cmcrd', [0.5, 0.52, 0.51, 0.5, 0.49], { ...CMCRD_DEFAULTS, mcc: false }),
];

function cell(t: ReportTable, row: string): ReportCell {
  const i = t.rows.findIndex((r) => r.label === row);
  assert.ok(i >= 0, `no row ${row} in ${t.rows.map((r) => r.label)}`);
  return t.cells[i][t.columns.findIndex((c) => c.label === COL)]!;
}

const close = (a: number | null | undefined, b: number, tol = 1e-10) => {
  assert.ok(a !== null && a !== undefined, `expected ${b}, got ${a}`);
  assert.ok(Math.abs(a - b) <= tol * Math.max(1, Math.abs(b)), `${a} vs ${b}`);
};

test('every significance cell carries the mean difference, its 95% CI, d_z, p and q (scipy to 1e-10)', () => {
  const [t] = report(folds);
  const kd = cell(t, 'kd');
  close(kd.pValue, 0.00010844314259654098);
  close(kd.value, 0.00032532942778962297);
  close(kd.meanDifference, -9.2);
  close(kd.ciLow, -10.877395692463331);
  close(kd.ciHigh, -7.522604307536669);
  close(kd.dz, -6.81014553381797);
  const sp = cell(t, 'sp');
  close(sp.value, 0.0004182413000684816);
  close(sp.dz, 5.354715022573379);
  close(cell(t, 'crd').value, 0.999999999999998);
  assert.equal(t.significance?.test, 't');
  assert.equal(t.significance?.alternative, 'two-sided');
});

test('a significant loss is marked apart from a significant gain, in every format', () => {
  const [t] = report(folds);
  assert.deepEqual(
    ['kd', 'sp', 'crd'].map((r) => cell(t, r).significant),
    ['loss', 'gain', null],
  );
  const text = formatReport('significance', [t], 'text');
  assert.match(text, /Δ −9\.20 \[−10\.88, −7\.52\] · d_z −6\.81 · p 0\.0001 · q 0\.0003 \(n=5\) ▼/);
  assert.match(text, /Δ \+10\.30 \[\+7\.91, \+12\.69\] · d_z 5\.35 · p 0\.0003 · q 0\.0004 \(n=5\) ▲/);
  assert.match(text, /▲ a significant gain \(CMCRD ahead.*▼ a significant loss \(CMCRD behind/);
  const md = formatReport('significance', [t], 'md');
  assert.match(md, /\| kd \| _Δ −9\.20 [^|]*_ ▼ \(n=5\)/);
  assert.match(md, /\| sp \| \*\*Δ \+10\.30 [^|]*\*\* ▲ \(n=5\)/);
  const tex = formatReport('significance', [t], 'latex');
  assert.match(tex, /^KD & .*\\textit\{\$\\Delta\$ \$-\$9\.20 .*\\blacktriangledown/m);
  assert.match(tex, /^SP & .*\\textbf\{\$\\Delta\$ \+10\.30 .*\\blacktriangle\$/m);
  const csv = formatReport('significance', [t], 'csv');
  assert.match(csv, /,loss,t,two-sided,/);
  const json = JSON.parse(formatReport('significance', [t], 'json'));
  const kd = json.tables[0].cells[0][0];
  assert.deepEqual([kd.significant, kd.family, kd.m], ['loss', `baselines · ${COL}`, 3]);
});

test("variants are tested in a BH family of their own: adding them does not move the baselines' q", () => {
  const [plain] = report(folds);
  const [all] = report(folds, { variants: 'all' });
  for (const row of ['kd', 'sp', 'crd']) assert.equal(cell(all, row).value, cell(plain, row).value);
  const variant = cell(all, 'cmcrd (mcc=false)');
  assert.equal(variant.m, 1);
  assert.equal(variant.family, `variants · ${COL}`);
  // One comparison in its family: q = p.
  assert.equal(variant.value, variant.pValue);
  assert.deepEqual(
    all.significance?.families.map((f) => [f.kind, f.m]),
    [
      ['baselines', 3],
      ['variants', 1],
    ],
  );
  assert.ok(
    all.notes.some((n) =>
      /BH family: the paper's baselines .* within each column, m = 3 in every column/.test(n),
    ),
  );
  assert.ok(
    all.notes.some((n) => /a BH family of their own within each column, m = 1 in every column/.test(n)),
  );
  assert.ok(plain.notes.every((n) => !/family of their own/.test(n)));
});

test('--test wilcoxon and --alternative are checked against scipy and stated in the notes', () => {
  const [w] = report(folds, { test: 'wilcoxon' });
  close(cell(w, 'kd').pValue, 0.0625);
  close(cell(w, 'kd').statistic, 0);
  close(cell(w, 'crd').pValue, 0.8907458009320663);
  close(cell(w, 'kd').value, 0.09375);
  // The effect stays the paired mean difference and its t-based interval.
  close(cell(w, 'kd').ciLow, -10.877395692463331);
  assert.match(w.title, /Wilcoxon signed-rank p and q, BH-adjusted per column/);
  assert.ok(w.notes.some((n) => /the Wilcoxon signed-rank test \(two-sided; scipy\.stats\.wilcoxon/.test(n)));
  const [g] = report(folds, { alternative: 'greater' });
  close(cell(g, 'kd').pValue, 0.9999457784287017);
  close(cell(g, 'sp').pValue, 0.00013941376668949386);
  assert.ok(
    g.notes.some((n) => /one-sided, the alternative being CMCRD − baseline > 0/.test(n)),
    g.notes.join('\n'),
  );
  const [two] = report(folds);
  assert.ok(
    two.notes.some((n) =>
      /our reading of the paper's .*the paired t-test \(two-sided; .*subjects \(folds\) as the pairs/.test(n),
    ),
  );
});

test('bad test or alternative names are refused with a clear error', () => {
  assert.throws(() => report(folds, { test: 'z' as 't' }), /test must be one of t, wilcoxon, got 'z'/);
  assert.throws(
    () => report(folds, { alternative: 'up' as 'less' }),
    /alternative must be one of two-sided, greater, less, got 'up'/,
  );
});
