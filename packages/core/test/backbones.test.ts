import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { before, describe, test } from 'node:test';
import { MONTAGE } from '@cmcrd/data';
import {
  BIHDM_STREAMS,
  type Backbone,
  createRandom,
  getBackbone,
  listBackbones,
  type Modality,
  selectBackend,
  tf,
} from '../src/index.js';
import type { Tensor2D } from '../src/tf.js';
import { referenceTests } from './backbones-shared.js';
import { flat } from './helpers.js';

before(async () => {
  await selectBackend('cpu');
});

const BACKBONES = ['dnn', 'dgcnn', 'bihdm'] as const;
/** The inputs of the three datasets: EEG 62×5; eye movements 33 (SEED, SEED-V) or 31 (SEED-IV). */
const INPUTS: { modality: Modality; dim: number }[] = [
  { modality: 'eeg', dim: 310 },
  { modality: 'em', dim: 33 },
  { modality: 'em', dim: 31 },
];

function create(name: string, modality: Modality, dim: number, classes = 4, seed = 1): Backbone {
  return getBackbone(name).create({ inputDim: dim, numClasses: classes, modality, random: createRandom(seed) });
}

function randomInput(rows: number, dim: number, seed: number): Tensor2D {
  const r = createRandom(seed);
  return tf.tensor2d(Float32Array.from({ length: rows * dim }, () => r.normal()), [rows, dim]);
}

describe('backbone registry', () => {
  test('dnn, dgcnn and bihdm are selectable by name', () => {
    assert.deepEqual([...listBackbones()].sort(), ['bihdm', 'dgcnn', 'dnn']);
  });
});

describe('shapes', () => {
  for (const name of BACKBONES) {
    for (const { modality, dim } of INPUTS) {
      test(`${name} on ${modality} (${dim} inputs): logits [n, c] and taps of the declared sizes, shallow → deep`, () => {
        const model = create(name, modality, dim, 5);
        for (const training of [true, false]) {
          const out = model.apply(randomInput(7, dim, 3), training);
          assert.deepEqual(out.logits.shape, [7, 5]);
          assert.ok(out.features.length >= 2, 'at least two taps');
          assert.deepEqual(
            out.features.map((f) => f.shape),
            model.featureDims.map((d) => [7, d]),
          );
          assert.ok(flat(out.logits).every(Number.isFinite));
        }
        model.dispose();
      });
    }
  }

  test('the last taps match the reference projection sizes (DESIGN.md §4)', () => {
    const last = (name: string, modality: Modality, dim: number) => {
      const m = create(name, modality, dim);
      const d = m.featureDims[m.featureDims.length - 1];
      m.dispose();
      return d;
    };
    assert.equal(last('dnn', 'eeg', 310), 128);
    assert.equal(last('dgcnn', 'eeg', 310), 992);
    assert.equal(last('dgcnn', 'em', 33), 528);
    assert.equal(last('bihdm', 'eeg', 310), 96);
    assert.equal(last('bihdm', 'em', 33), 48);
  });

  test('EEG backbones refuse an input that is not 62 electrodes × 5 bands, naming both', () => {
    for (const name of ['dgcnn', 'bihdm']) {
      assert.throws(() => create(name, 'eeg', 300), new RegExp(`${name} on EEG needs 62 electrodes × 5 bands = 310 inputs, got 300`));
    }
  });
});

referenceTests('cpu');

/** Gradients of a cross-entropy on random labels with respect to every trainable variable. */
function gradients(model: Backbone, x: Tensor2D, seed = 5): Map<string, Float32Array> {
  const r = createRandom(seed);
  const labels = tf.oneHot(
    tf.tensor1d(Int32Array.from({ length: x.shape[0] }, () => r.int(model.numClasses)), 'int32'),
    model.numClasses,
  );
  const { grads } = tf.variableGrads(
    () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, true).logits) as tf.Scalar,
    model.trainableVariables,
  );
  return new Map(model.trainableVariables.map((v) => [v.name, flat(grads[v.name])]));
}

const nonZero = (a: Float32Array | undefined) => !!a && a.some((v) => v !== 0);

describe('gradients', () => {
  test('DGCNN: the learnable adjacency receives gradient, on EEG and on eye movements', () => {
    for (const { modality, dim } of INPUTS) {
      const model = create('dgcnn', modality, dim);
      const g = gradients(model, randomInput(16, dim, 4));
      const adjacency = model.trainableVariables.find((v) => v.name.endsWith('/adjacency'))!;
      assert.deepEqual(adjacency.shape, modality === 'eeg' ? [62, 62] : [dim, dim]);
      assert.ok(nonZero(g.get(adjacency.name)), `${modality}: adjacency gradient is all zero`);
      for (const v of model.trainableVariables) assert.ok(nonZero(g.get(v.name)), `${v.name} has no gradient`);
      model.dispose();
    }
  });

  /** Values of stream/direction `index` of a variable stacked on its first axis. */
  const block = (values: Float32Array, count: number, index: number) => {
    const size = values.length / count;
    return values.subarray(index * size, (index + 1) * size);
  };

  test('BiHDM: the vertical stream\'s parameters (both hemispheres, local and global) receive non-zero gradient', () => {
    const model = create('bihdm', 'eeg', 310);
    const g = gradients(model, randomInput(16, 310, 6));
    const byName = (suffix: string) => g.get(model.trainableVariables.find((v) => v.name.endsWith(suffix))!.name)!;
    // Local streams are stacked [left-h, left-v, right-h, right-v]; global ones [horizontal, vertical].
    for (const [name, count] of [['/local/w', 4], ['/local/u', 4], ['/local/b', 4]] as const) {
      for (const stream of [1, 3]) assert.ok(nonZero(block(byName(name), count, stream)), `${name} stream ${stream}`);
      for (const stream of [0, 2]) assert.ok(nonZero(block(byName(name), count, stream)), `${name} stream ${stream}`);
    }
    for (const name of ['/global/w', '/global/u', '/global/b', '/positions', '/out_map']) {
      assert.ok(nonZero(block(byName(name), 2, 1)), `${name}: vertical block has no gradient`);
      assert.ok(nonZero(block(byName(name), 2, 0)), `${name}: horizontal block has no gradient`);
    }
    model.dispose();
  });

  test('BiHDM: the output depends on the vertical stream (its weights zeroed change the logits)', () => {
    const model = create('bihdm', 'eeg', 310);
    const x = randomInput(8, 310, 7);
    const before = flat(model.apply(x, false).logits).slice();
    const outMap = model.trainableVariables.find((v) => v.name.endsWith('/out_map'))!;
    const values = flat(outMap).slice();
    values.fill(0, values.length / 2); // the vertical direction's map
    outMap.assign(tf.tensor(values, outMap.shape));
    const after = flat(model.apply(x, false).logits);
    assert.ok(before.some((v, i) => Math.abs(v - after[i]) > 1e-4), 'logits did not change');
    model.dispose();
  });
});

describe('BiHDM electrode index lists', () => {
  const electrode = (i: number) => MONTAGE[i];
  const pairs = (left: readonly number[], right: readonly number[]) =>
    left.map((l, i) => [l, right[i]] as const);

  test('the SEED montage has 62 electrodes in the released order', () => {
    assert.equal(MONTAGE.length, 62);
    assert.equal(MONTAGE[0].name, 'FP1');
    assert.equal(MONTAGE[61].name, 'CB2');
  });

  test('each list has 25 distinct electrodes; left lists lie on the left hemisphere, right lists on the right', () => {
    for (const [name, list] of Object.entries(BIHDM_STREAMS)) {
      assert.equal(list.length, 25, name);
      assert.equal(new Set(list).size, 25, `${name} repeats an electrode`);
      const left = name.startsWith('left');
      for (const i of list) {
        const e = electrode(i);
        assert.ok(left ? e.x < 0 : e.x > 0, `${name}: ${e.name} is not on the ${left ? 'left' : 'right'}`);
        // 10-20 naming: odd numbers on the left, even on the right, z on the midline.
        assert.match(e.name, left ? /[13579]$/ : /[2468]$/, `${name}: ${e.name}`);
      }
    }
  });

  test('position i of the left and right lists are mirror images (same row, opposite side, mirrored name)', () => {
    const mirrorName = (n: string) => n.replace(/\d$/, (d) => String(Number(d) + 1));
    for (const [l, r] of [
      ...pairs(BIHDM_STREAMS.leftHorizontal, BIHDM_STREAMS.rightHorizontal),
      ...pairs(BIHDM_STREAMS.leftVertical, BIHDM_STREAMS.rightVertical),
    ]) {
      const a = electrode(l);
      const b = electrode(r);
      assert.equal(b.name, mirrorName(a.name), `${a.name} is paired with ${b.name}`);
      assert.equal(a.y, b.y, `${a.name}/${b.name} rows differ`);
      assert.ok(Math.abs(a.x + b.x) < 1e-9, `${a.name}/${b.name} are not mirrored`);
    }
  });

  test('the vertical lists are the same 25 pairs as the horizontal ones, in another order', () => {
    const key = ([l, r]: readonly [number, number]) => `${l}-${r}`;
    const h = pairs(BIHDM_STREAMS.leftHorizontal, BIHDM_STREAMS.rightHorizontal).map(key).sort();
    const v = pairs(BIHDM_STREAMS.leftVertical, BIHDM_STREAMS.rightVertical).map(key).sort();
    assert.deepEqual(v, h);
    assert.notDeepEqual(BIHDM_STREAMS.leftVertical, BIHDM_STREAMS.leftHorizontal);
  });

  test('the horizontal order runs front to back, row by row', () => {
    const ys = BIHDM_STREAMS.leftHorizontal.map((i) => electrode(i).y);
    for (let i = 1; i < ys.length; i++) assert.ok(ys[i] <= ys[i - 1], `row order breaks at position ${i}`);
  });
});

describe('parameter counts', () => {
  /** The table in docs/backbones.md, whose counts were worked out by hand from DESIGN.md §4. */
  const documented = readFileSync(new URL('../../../docs/backbones.md', import.meta.url), 'utf8')
    .split('\n')
    .map((line) => line.match(/^\|\s*(dnn|dgcnn|bihdm)\s*\|\s*(eeg|em)\s*\|\s*(\d+)\s*\|\s*(\d+)\s*\|\s*([\d,]+)\s*\|/))
    .filter((m): m is RegExpMatchArray => m !== null);

  test('docs/backbones.md lists every backbone × modality × dataset (3 × 2 × 3 rows)', () => {
    assert.equal(documented.length, 18);
  });

  test('every documented count equals the model\'s trainable parameter count', () => {
    for (const [, name, modality, dim, classes, count] of documented) {
      const model = create(name, modality as Modality, Number(dim), Number(classes));
      assert.equal(model.parameterCount(), Number(count.replace(/,/g, '')), `${name} ${modality} ${dim} inputs ${classes} classes`);
      model.dispose();
    }
  });
});

describe('state', () => {
  for (const name of BACKBONES) {
    test(`${name}: snapshot → restore into a fresh model reproduces the outputs exactly`, () => {
      const a = create(name, 'eeg', 310, 3, 1);
      const x = randomInput(6, 310, 9);
      a.apply(x, true);
      a.commitBatchStats();
      const b = create(name, 'eeg', 310, 3, 2);
      assert.notDeepEqual(flat(b.apply(x, false).logits), flat(a.apply(x, false).logits));
      b.restore(a.snapshot());
      assert.deepEqual(flat(b.apply(x, false).logits), flat(a.apply(x, false).logits));
      assert.throws(() => b.restore(a.snapshot().slice(1)), /snapshot has/);
      a.dispose();
      b.dispose();
    });
  }

  test('no tensors leak from a training forward and backward pass', () => {
    for (const name of BACKBONES) {
      const model = create(name, 'eeg', 310);
      const x = randomInput(8, 310, 2);
      gradients(model, x); // warm-up: first-call constants
      model.commitBatchStats();
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        gradients(model, x);
      });
      model.commitBatchStats();
      assert.equal(tf.memory().numTensors, before, `${name} leaks tensors`);
      model.dispose();
    }
  });
});
