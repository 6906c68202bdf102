import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  AdamW,
  createRandom,
  currentBackend,
  getBackbone,
  type Modality,
  selectBackend,
  tf,
} from '../src/index.js';
import { referenceTests } from './backbones-shared.js';
import { flat } from './helpers.js';

// Its own file (its own process under node --test) so that the backend can be wasm, whose patched
// Slice and BatchMatMul kernels the backbones lean on.
before(async () => {
  await selectBackend('wasm');
  assert.equal(currentBackend(), 'wasm');
});

referenceTests('wasm');

describe('wasm Slice (read in place rather than through a copy of the whole input)', () => {
  /** Row-major slice written out index by index. */
  function naiveSlice(values: Float32Array, shape: number[], begin: number[], size: number[]): number[] {
    const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
    const out: number[] = [];
    const total = size.reduce((a, b) => a * b, 1);
    for (let i = 0; i < total; i++) {
      let rest = i;
      let at = 0;
      for (let d = shape.length - 1; d >= 0; d--) {
        const idx = rest % size[d];
        rest = Math.floor(rest / size[d]);
        at += (begin[d] + idx) * strides[d];
      }
      out.push(values[at]);
    }
    return out;
  }

  test('random boxes of rank 1–5 equal an index-by-index slice, float32 and int32', () => {
    const r = createRandom(11);
    for (let trial = 0; trial < 200; trial++) {
      const rank = 1 + r.int(5);
      const shape = Array.from({ length: rank }, () => 1 + r.int(6));
      const begin = shape.map((s) => r.int(s));
      const size = shape.map((s, d) => (r.next() < 0.3 ? s - begin[d] : 1 + r.int(s - begin[d])));
      const n = shape.reduce((a, b) => a * b, 1);
      const values = Float32Array.from({ length: n }, (_, i) => i + 0.5);
      const x = tf.tensor(values, shape);
      const got = flat(tf.slice(x, begin, size));
      assert.deepEqual(Array.from(got), naiveSlice(values, shape, begin, size), `shape ${shape} begin ${begin} size ${size}`);
      const xi = tf.tensor(Int32Array.from(values, Math.floor), shape, 'int32');
      const gotInt = tf.slice(xi, begin, size).dataSync();
      assert.deepEqual(Array.from(gotInt), naiveSlice(Float32Array.from(values, Math.floor), shape, begin, size));
      tf.dispose([x, xi]);
    }
  });

  test('an empty box gives an empty tensor', () => {
    const x = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    assert.deepEqual(tf.slice(x, [1, 0], [0, 2]).shape, [0, 2]);
  });
});

describe('each backbone fits a small labelled batch', () => {
  const INPUTS: { modality: Modality; dim: number }[] = [
    { modality: 'eeg', dim: 310 },
    { modality: 'em', dim: 31 },
  ];
  const ROWS = 24;
  const CLASSES = 3;
  const MAX_STEPS = 300;

  for (const name of ['dnn', 'dgcnn', 'bihdm']) {
    for (const { modality, dim } of INPUTS) {
      test(`${name} on ${modality}: 100% training accuracy (evaluation mode) within ${MAX_STEPS} Adam steps`, () => {
        // Random inputs and random labels: fitting them is memorisation, which every backbone
        // should manage on 24 rows.
        const r = createRandom(3);
        const x = tf.tensor2d(Float32Array.from({ length: ROWS * dim }, () => r.normal()), [ROWS, dim]);
        const labels = Int32Array.from({ length: ROWS }, (_, i) => i % CLASSES);
        r.shuffle(labels);
        const oneHot = tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES);
        const model = getBackbone(name).create({ inputDim: dim, numClasses: CLASSES, modality, random: createRandom(4) });
        const optimizer = new AdamW(model.trainableVariables, { weightDecay: 0 });
        const accuracy = () =>
          tf.tidy(() => {
            const predicted = Array.from(tf.argMax(model.apply(x, false).logits, 1).dataSync());
            return predicted.filter((p, i) => p === labels[i]).length / ROWS;
          });
        let step = 0;
        let acc = accuracy();
        while (acc < 1 && step < MAX_STEPS) {
          tf.tidy(() => {
            optimizer
              .minimize(() => tf.losses.softmaxCrossEntropy(oneHot, model.apply(x, true).logits) as tf.Scalar, 1e-2)
              .dispose();
          });
          model.commitBatchStats();
          step++;
          if (step % 10 === 0) acc = accuracy();
        }
        assert.equal(acc, 1, `${name} (${modality}) reached ${acc} after ${step} steps`);
        model.dispose();
      });
    }
  }
});
