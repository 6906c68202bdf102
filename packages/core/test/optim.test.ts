import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  AdamW,
  classificationMetrics,
  confusionMatrix,
  type FlatOptimizer,
  SgdMomentum,
  selectBackend,
  tf,
  type Variable,
  warmupCosine,
} from '../src/index.js';
import { assertClose, flat, loadReference } from './helpers.js';

const ref = loadReference().optimizers;
let names = 0; // tfjs variable names must be unique

before(async () => {
  await selectBackend('cpu');
});

/**
 * f(w) = 0.5 Σ a_i (w_i − b_i)² over two variables (sizes 2 and 1), which the flat optimizers
 * concatenate into one array. Returns w after each step.
 */
function run(make: (vars: Variable[]) => FlatOptimizer): number[][] {
  const v1 = tf.variable(tf.tensor1d(ref.w0.slice(0, 2)), true, `quad${names++}/v1`);
  const v2 = tf.variable(tf.tensor1d(ref.w0.slice(2)), true, `quad${names++}/v2`);
  const a = tf.tensor1d(ref.a);
  const b = tf.tensor1d(ref.b);
  const opt = make([v1, v2]);
  const out: number[][] = [];
  for (const lr of ref.lrs) {
    const loss = opt.minimize(() => {
      const w = tf.concat([v1, v2]);
      return tf.mul(0.5, tf.sum(tf.mul(a, tf.square(tf.sub(w, b))))) as tf.Scalar;
    }, lr);
    loss.dispose();
    out.push([...flat(v1), ...flat(v2)]);
  }
  tf.dispose([v1, v2, a, b]);
  return out;
}

describe('flat optimizers on a tiny quadratic', () => {
  // Quadratic: w0 = [1, −2, 0.5], a = [1, 3, 0.5], b = [0.5, 1, −1], learning rates 0.1, 0.05, 0.02.
  test('AdamW (wd 0.1, β = 0.9/0.999, ε = 1e-8) follows torch.optim.AdamW for 3 steps', () => {
    // Expected: reference.json "optimizers.adamw" (compute_reference.py, numpy float64, torch's
    // documented AdamW rule):
    //   step 1 [0.890000, −1.880000, 0.395000]  (by hand: g = [0.5, −9, 0.75]; w·(1 − 0.01) − 0.1·sign(g))
    //   step 2 [0.836247, −1.820664, 0.343152]
    //   step 3 [0.815120, −1.797072, 0.322564]
    const got = run((vars) => new AdamW(vars, { weightDecay: ref.adamw.weightDecay }));
    for (const [i, w] of got.entries())
      assertClose(w, ref.adamw.expected[i], { rtol: 1e-5, atol: 1e-6, what: `AdamW step ${i + 1}` });
    assertClose(ref.adamw.expected[0], [0.89, -1.88, 0.395], { rtol: 1e-6 });
  });

  test('SgdMomentum (μ 0.9, coupled wd 0.01) follows torch.optim.SGD for 3 steps', () => {
    // Expected: reference.json "optimizers.sgd" (compute_reference.py, numpy float64, torch's SGD rule):
    //   step 1 [0.949, −1.098, 0.4245]  (by hand: buf = g + 0.01·w = [0.51, −9.02, 0.755]; w − 0.1·buf)
    //   step 2 [0.9031255, −0.376851, 0.35470025]  (by hand: buf = 0.9·buf + g + 0.01·w)
    //   step 3 [0.87836754, −0.03455093, 0.31595440]
    const got = run(
      (vars) => new SgdMomentum(vars, { momentum: ref.sgd.momentum, weightDecay: ref.sgd.weightDecay }),
    );
    for (const [i, w] of got.entries())
      assertClose(w, ref.sgd.expected[i], { rtol: 1e-5, atol: 1e-6, what: `SGD step ${i + 1}` });
    assertClose(ref.sgd.expected[1], [0.9031255, -0.376851, 0.35470025], { rtol: 1e-7 });
  });

  test('a variable the loss does not reach gets a zero gradient, not a stale one', () => {
    // By hand: with g = 0 and weight decay 0, AdamW leaves the variable unchanged.
    const used = tf.variable(tf.tensor1d([1]), true, `used${names++}`);
    const unused = tf.variable(tf.tensor1d([3]), true, `unused${names++}`);
    const opt = new AdamW([used, unused], { weightDecay: 0 });
    for (let i = 0; i < 2; i++) opt.minimize(() => tf.sum(tf.square(used)) as tf.Scalar, 0.1).dispose();
    assert.deepEqual(Array.from(flat(unused)), [3]);
    tf.dispose([used, unused]);
  });
});

describe('warmupCosine', () => {
  test('linear warm-up then cosine to zero (by hand)', () => {
    // base 1e-3, 10 warm-up steps, 40 in total. By hand:
    //   step s < 10: 1e-3·(s + 1)/10; step 10: progress 0 → 1e-3; step 20: progress 1/3 →
    //   0.5·(1 + cos(π/3))·1e-3 = 7.5e-4; step 25: progress 1/2 → 5e-4; step 40 and beyond: 0.
    const lr = (s: number) => warmupCosine(s, 1e-3, 10, 40);
    assertClose(lr(0), 1e-4, { rtol: 1e-12 });
    assertClose(lr(4), 5e-4, { rtol: 1e-12 });
    assertClose(lr(9), 1e-3, { rtol: 1e-12 });
    assertClose(lr(10), 1e-3, { rtol: 1e-12 });
    assertClose(lr(20), 7.5e-4, { rtol: 1e-12 });
    assertClose(lr(25), 5e-4, { rtol: 1e-12 });
    assertClose(lr(40), 0, { atol: 1e-18 });
    assertClose(lr(55), 0, { atol: 1e-18 });
    // No warm-up: cosine from the first step (by hand: step 0 → base, step 5 of 10 → base/2).
    assertClose(warmupCosine(0, 0.1, 0, 10), 0.1, { rtol: 1e-12 });
    assertClose(warmupCosine(5, 0.1, 0, 10), 0.05, { rtol: 1e-12 });
  });
});

describe('classificationMetrics', () => {
  test('accuracy, balanced accuracy with a class missing from the labels, confusion (by hand)', () => {
    const labels = [0, 0, 1, 1, 1, 2, 2, 0];
    const preds = [0, 1, 1, 1, 3, 2, 0, 0];
    const m = classificationMetrics(labels, preds, 4);
    // By hand: confusion[true][pred]
    //   class 0 (rows 0, 1, 7) → preds 0, 1, 0; class 1 (2, 3, 4) → 1, 1, 3; class 2 (5, 6) → 2, 0; class 3: none.
    assert.deepEqual(m.confusion, [
      [2, 1, 0, 0],
      [0, 2, 0, 1],
      [1, 0, 1, 0],
      [0, 0, 0, 0],
    ]);
    assert.equal(m.n, 8);
    // By hand: 5 right of 8.
    assert.equal(m.accuracy, 5 / 8);
    // By hand: recalls 2/3, 2/3, 1/2 over the 3 classes present (class 3 is not averaged in) = 11/18.
    assertClose(m.balancedAccuracy, 11 / 18, { rtol: 1e-12 });
  });

  test('rejects mismatched lengths and out-of-range classes; an empty set gives NaN', () => {
    assert.throws(() => confusionMatrix([0, 1], [0], 2), /2 labels but 1 predictions/);
    assert.throws(() => confusionMatrix([0, 2], [0, 1], 2), /outside 0..1/);
    const empty = classificationMetrics([], [], 3);
    assert.ok(Number.isNaN(empty.accuracy) && Number.isNaN(empty.balancedAccuracy));
  });
});
