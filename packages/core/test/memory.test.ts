// Tensor bookkeeping: a sweep trains thousands of folds in one long-lived worker process, so
// whatever a fold leaves allocated accumulates. Expected values are by hand: nothing may be left.
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  cmcrdPlugin,
  createRandom,
  DEFAULT_TEACHER_CONFIG,
  getBackbone,
  selectBackend,
  tf,
  trainTeacher,
} from '../src/index.js';
import { tinyPairedData } from './helpers.js';

before(async () => {
  await selectBackend('cpu');
});

async function leftover(f: () => void | Promise<void>): Promise<{ tensors: number; bytes: number }> {
  const m0 = tf.memory();
  await f();
  const m1 = tf.memory();
  return { tensors: m1.numTensors - m0.numTensors, bytes: m1.numBytes - m0.numBytes };
}

const dnn = () =>
  getBackbone('dnn').create({ inputDim: 10, numClasses: 4, modality: 'eeg', random: createRandom(1) });

describe('no tensor outlives its owner', () => {
  test('a backbone created and disposed leaves nothing allocated', async () => {
    const left = await leftover(() => dnn().dispose());
    assert.deepEqual(left, { tensors: 0, bytes: 0 });
  });

  test('restore() leaves nothing allocated beyond the model', async () => {
    const model = dnn();
    const state = model.snapshot();
    const left = await leftover(() => model.restore(state));
    model.dispose();
    assert.deepEqual(left, { tensors: 0, bytes: 0 });
  });

  test('a CMCRD distiller created and disposed leaves nothing allocated', async () => {
    const ctx = {
      student: { modality: 'eeg' as const, featureDims: [5, 6] },
      teacher: { modality: 'em' as const, featureDims: [4, 3] },
      numClasses: 3,
      train: { size: 9, labels: Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]) },
      random: createRandom(1),
    };
    const left = await leftover(() =>
      cmcrdPlugin.create(ctx, cmcrdPlugin.options.parse({ dim: 4, negatives: 6 })).dispose(),
    );
    assert.deepEqual(left, { tensors: 0, bytes: 0 });
  });

  test('the epoch loop leaves nothing behind per epoch', async () => {
    const data = tinyPairedData(3, 32, 4, { student: 10, teacher: 6 });
    const run = (epochs: number) =>
      leftover(async () => {
        (await trainTeacher({
          modality: 'em',
          config: { ...DEFAULT_TEACHER_CONFIG, epochs, batchSize: 16 },
          numClasses: 4,
          train: data.teacher,
          selection: 'last',
          random: createRandom(1),
        })).model.dispose();
      });
    // Whatever one run leaves (see the backbone test above), more epochs must not leave more.
    assert.equal((await run(3)).tensors - (await run(1)).tensors, 0);
  });
});
