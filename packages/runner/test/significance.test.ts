import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type SignificanceCell, significanceTable } from '../src/index.js';
import type { FoldRow } from '../src/store/schema.js';

// Expected p-values computed with Debian's scipy 1.10 (ttest_rel) and statsmodels 0.13
// (multipletests, method='fdr_bh') on the same per-fold accuracies:
//   ttest_rel([.60,.70,.65,.72], [.55,.66,.66,.70]).pvalue = 0.15518171532879493   (cmcrd vs kd, dnn)
//   ttest_rel([.60,.70,.65,.72], [.50,.60,.55,.61]).pvalue = 3.192933548127684e-05 (cmcrd vs sp, dnn)
//   ttest_rel([.70,.80,.75], [.60,.70,.72]).pvalue        = 0.08146847659449745   (cmcrd vs kd, dgcnn, 3 pairs)
//   BH per column (dnn): [0.15518171532879493, 6.385867096255368e-05]
//   BH over the table:   [0.15518171532879493, 9.578800644383052e-05, 0.12220271489174618]
const fold = (method: string, backbone: string, foldKey: string, accuracy: number, seed = 1) =>
  ({ method, backbone, foldKey, accuracy, seed, dataset: 'synthetic-seed-iv', status: 'done' }) as FoldRow;

const folds: FoldRow[] = [
  // cmcrd on subject-01 has two seeds (0.58, 0.62): the fold counts once, as their mean 0.60.
  fold('cmcrd', 'dnn', 's1', 0.58, 1),
  fold('cmcrd', 'dnn', 's1', 0.62, 2),
  ...[0.7, 0.65, 0.72].map((a, i) => fold('cmcrd', 'dnn', `s${i + 2}`, a)),
  ...[0.55, 0.66, 0.66, 0.7].map((a, i) => fold('kd', 'dnn', `s${i + 1}`, a)),
  ...[0.5, 0.6, 0.55, 0.61].map((a, i) => fold('sp', 'dnn', `s${i + 1}`, a)),
  // fitnet ties cmcrd on every fold: the test is undefined and must not blank its family.
  ...[0.6, 0.7, 0.65, 0.72].map((a, i) => fold('fitnet', 'dnn', `s${i + 1}`, a)),
  // dgcnn: cmcrd lacks subject-04, so only 3 of kd's 4 folds pair; sp has no dgcnn fold at all.
  ...[0.7, 0.8, 0.75].map((a, i) => fold('cmcrd', 'dgcnn', `s${i + 1}`, a)),
  ...[0.6, 0.7, 0.72, 0.9].map((a, i) => fold('kd', 'dgcnn', `s${i + 1}`, a)),
  { ...fold('sp', 'dgcnn', 's1', 0.1), status: 'failed' } as FoldRow,
];

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(b)), `${a} vs ${b}`);

test('CMCRD against each baseline: paired by fold, seeds averaged, BH within each column', () => {
  const t = significanceTable(folds);
  assert.deepEqual(t.columns, [
    { dataset: 'synthetic-seed-iv', backbone: 'dgcnn' },
    { dataset: 'synthetic-seed-iv', backbone: 'dnn' },
  ]);
  assert.deepEqual(t.baselines, ['fitnet', 'kd', 'sp']);
  const cell = (baseline: string, backbone: string) => t.cells[t.baselines.indexOf(baseline)][backbone === 'dgcnn' ? 0 : 1];
  const kdDnn = cell('kd', 'dnn') as SignificanceCell;
  close(kdDnn.pValue, 0.15518171532879493);
  close(kdDnn.adjusted, 0.15518171532879493);
  close(kdDnn.meanDifference, (0.05 + 0.04 - 0.01 + 0.02) / 4);
  assert.deepEqual([kdDnn.n, kdDnn.expected], [4, 4]);
  const spDnn = cell('sp', 'dnn') as SignificanceCell;
  close(spDnn.pValue, 3.192933548127684e-5);
  close(spDnn.adjusted, 6.385867096255368e-5);
  const fitnet = cell('fitnet', 'dnn') as SignificanceCell;
  assert.ok(Number.isNaN(fitnet.pValue) && Number.isNaN(fitnet.adjusted));
  assert.equal(fitnet.note, 'all differences are zero');
  // Incomplete: 3 pairs out of 4 folds, said so, and the test is on the 3.
  const kdDgcnn = cell('kd', 'dgcnn') as SignificanceCell;
  assert.deepEqual([kdDgcnn.n, kdDgcnn.expected], [3, 4]);
  close(kdDgcnn.pValue, 0.08146847659449745);
  close(kdDgcnn.adjusted, 0.08146847659449745);
  // No done sp fold on dgcnn (the failed one does not count).
  assert.equal(cell('sp', 'dgcnn'), null);
});

test('the family can be the whole table', () => {
  const t = significanceTable(folds, { family: 'table' });
  const at = (b: string, j: number) => t.cells[t.baselines.indexOf(b)][j] as SignificanceCell;
  close(at('kd', 1).adjusted, 0.15518171532879493);
  close(at('sp', 1).adjusted, 9.578800644383052e-5);
  close(at('kd', 0).adjusted, 0.12220271489174618);
});
