import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  entropyWeights,
  gateRowGradients,
  mccLoss,
  selectBackend,
  stopGradient,
  type Tensor1D,
  type Tensor2D,
  tf,
  unimodalSupervision,
} from '../src/index.js';
import { assertClose, flat, loadReference, zeroRows } from './helpers.js';

const ref = loadReference();

function oneHotOf(labels: number[], c: number): Tensor2D {
  return tf.oneHot(tf.tensor1d(labels, 'int32'), c).toFloat() as Tensor2D;
}

before(async () => {
  await selectBackend('cpu');
});

describe('mccLoss', () => {
  // Expected: reference.json "mcc" (compute_reference.py, numpy float64, DESIGN.md §2 formula).
  for (const [i, c] of ref.mcc.entries()) {
    test(`matches the numpy reference (case ${i}, ${c.logits.length}×${c.logits[0].length})`, () => {
      const loss = tf.tidy(() => mccLoss(tf.tensor2d(c.logits), c.temperature).dataSync()[0]);
      assertClose(loss, c.expected, { rtol: 1e-4, what: 'L_mcc' });
    });
  }

  for (const [i, c] of ref.mcc.entries()) {
    test(`gradient holds the entropy weights constant (case ${i})`, () => {
      // Expected: reference.json "mcc[i].expectedGradWeightsDetached" (compute_reference.py: central
      // finite differences, h = 1e-6, float64, with w computed at z and held fixed).
      const g = tf.grad((x) => mccLoss(x as Tensor2D, c.temperature))(tf.tensor2d(c.logits));
      const expected = c.expectedGradWeightsDetached.flat();
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(flat(g), expected, { rtol: 1e-3, atol: 1e-4 * scale, what: 'dL_mcc/dz' });
    });
  }
});

describe('entropyWeights (IEW, T = 1)', () => {
  test('matches the numpy reference and has mean 1', () => {
    // Expected: reference.json "entropyWeights" (compute_reference.py, numpy float64).
    const e = ref.entropyWeights;
    const w = tf.tidy(() => Array.from(flat(entropyWeights(tf.tensor2d(e.teacherLogits), e.temperature))));
    assertClose(w, e.expected, { rtol: 1e-5, what: 'w' });
    // By hand: Σ w_i = n by construction.
    assertClose(
      w.reduce((a, b) => a + b, 0),
      w.length,
      { rtol: 1e-6, what: 'Σw' },
    );
  });
});

describe('unimodalSupervision', () => {
  test('signs and keep masks on a batch covering all four right/wrong combinations', () => {
    // Expected: reference.json "us.mixed" (compute_reference.py). By hand, per sample (S, T):
    // RR RW WR WW RR WR RW WW → signs + − + − + + − −, keepStudent 1 0 1 1 1 1 0 1, keepTeacher 1 1 0 1 1 0 1 1.
    const u = ref.us.mixed;
    const out = tf.tidy(() => {
      const us = unimodalSupervision(
        tf.tensor2d(u.studentLogits),
        tf.tensor2d(u.teacherLogits),
        oneHotOf(u.labels, 3),
      );
      return {
        signs: Array.from(flat(us.signs)),
        ks: Array.from(flat(us.keepStudent)),
        kt: Array.from(flat(us.keepTeacher)),
      };
    });
    assert.deepEqual(out.signs, u.expected.signs);
    assert.deepEqual(out.ks, u.expected.keepStudent);
    assert.deepEqual(out.kt, u.expected.keepTeacher);
    assert.deepEqual(u.expected.signs, [1, -1, 1, -1, 1, 1, -1, -1]);
    assert.deepEqual(u.expected.keepStudent, [1, 0, 1, 1, 1, 1, 0, 1]);
    assert.deepEqual(u.expected.keepTeacher, [1, 1, 0, 1, 1, 0, 1, 1]);
  });

  test('a batch where neither model is right anywhere detaches every embedding', () => {
    // Expected: reference.json "us.allWrong": signs all −1, every keep 0 (DESIGN.md §2.3).
    const u = ref.us.allWrong;
    const out = tf.tidy(() => {
      const us = unimodalSupervision(
        tf.tensor2d(u.studentLogits),
        tf.tensor2d(u.teacherLogits),
        oneHotOf(u.labels, 3),
      );
      return {
        signs: Array.from(flat(us.signs)),
        ks: Array.from(flat(us.keepStudent)),
        kt: Array.from(flat(us.keepTeacher)),
      };
    });
    assert.deepEqual(out.signs, [-1, -1, -1]);
    assert.deepEqual(out.ks, [0, 0, 0]);
    assert.deepEqual(out.kt, [0, 0, 0]);
    assert.deepEqual(u.expected.keepStudent, [0, 0, 0]);
  });

  test('the masks carry no gradient back into the logits', () => {
    // They are computed from the logits' values: the tape has no path from the logits to them.
    const u = ref.us.mixed;
    assert.throws(
      () =>
        tf.grad((zs) => {
          const us = unimodalSupervision(zs as Tensor2D, tf.tensor2d(u.teacherLogits), oneHotOf(u.labels, 3));
          return tf.sum(tf.add(us.keepStudent, us.signs));
        })(tf.tensor2d(u.studentLogits)),
      /Cannot compute gradient/,
    );
  });
});

describe('gradient routing', () => {
  test('gateRowGradients: same value, zero gradient rows exactly where keep is 0', () => {
    const x = tf.tensor2d([
      [1, 2, 3],
      [-1, 0.5, 2],
      [0.3, -0.7, 1.1],
      [2, 2, -2],
    ]);
    const y = tf.tensor2d([
      [0.5, -1, 2],
      [1, 1, 1],
      [-0.2, 0.4, 3],
      [1.5, -0.5, 0.25],
    ]);
    const keep = tf.tensor1d([1, 0, 1, 0]) as Tensor1D;
    assert.deepEqual(Array.from(flat(gateRowGradients(x, keep))), Array.from(flat(x)));
    const g = tf.grad((xx) => tf.sum(tf.mul(gateRowGradients(xx as Tensor2D, keep), y)))(x);
    // By hand: d/dx Σ x·y = y on kept rows, 0 on gated rows.
    assert.deepEqual(zeroRows(flat(g), 3), [false, true, false, true]);
    assert.deepEqual(
      Array.from(flat(g), (v) => v + 0), // + 0 turns −0 into 0
      [0.5, -1, 2, 0, 0, 0, -0.2, 0.4, 3, 0, 0, 0].map(Math.fround),
    );
  });

  test('stopGradient: same value, no gradient', () => {
    const x = tf.tensor1d([1, 2, 3]);
    assert.deepEqual(Array.from(flat(stopGradient(x))), [1, 2, 3]);
    const g = tf.grad((v) => tf.add(tf.sum(tf.square(stopGradient(v))), tf.sum(v)))(x);
    assert.deepEqual(Array.from(flat(g)), [1, 1, 1]); // by hand: only Σv contributes
  });
});
