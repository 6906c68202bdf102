import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildSplit, DATASET_NAMES, datasetSpec, listFolds, loadDataset, syntheticSplitSizes } from '../src/index.js';

test('syntheticSplitSizes equals the sizes of the splits buildSplit builds', () => {
  for (const name of DATASET_NAMES) {
    const spec = datasetSpec(name);
    const ds = loadDataset(name, { seed: 0 });
    for (const protocol of ['within-subject', 'cross-subject'] as const) {
      const folds = listFolds(spec, protocol);
      for (const foldKey of [folds[0], folds[folds.length - 1]]) {
        for (const epochSelection of ['last', 'best-val'] as const) {
          const options = { normalisation: 'train', mccSource: 'train', epochSelection } as const;
          const split = buildSplit(ds, protocol, foldKey, options);
          const sizes = syntheticSplitSizes(spec, protocol, foldKey, options);
          assert.deepEqual(
            sizes,
            { train: split.train.n, val: split.val?.n ?? 0, test: split.test.n },
            `${name} ${protocol} ${foldKey} ${epochSelection}`,
          );
        }
      }
    }
  }
});

test('syntheticSplitSizes refuses a bad fold key like buildSplit', () => {
  assert.throws(
    () => syntheticSplitSizes(datasetSpec('synthetic-seed'), 'within-subject', 'subject-99', { normalisation: 'train', mccSource: 'train', epochSelection: 'last' }),
    /bad fold key/,
  );
});
