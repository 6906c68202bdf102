import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  createRandom,
  type NceBatch,
  NegativeSampler,
  type NormalisationConstant,
  nceSideLoss,
  selectBackend,
  type Tensor2D,
  tf,
} from '../src/index.js';
import { assertClose, flat, loadReference, type NceCase } from './helpers.js';

const ref = loadReference();
const bankRows = ref.nce.bank;
const N = bankRows.length;
const d = bankRows[0].length;

before(async () => {
  await selectBackend('cpu');
});

function bank() {
  const rows = tf.tensor2d(bankRows) as Tensor2D;
  return { rows, transposed: tf.transpose(rows) as Tensor2D };
}

function batchOf(
  c: { positives: number[]; negatives: number[][]; temperature: number },
  extra: Partial<NceBatch> = {},
): NceBatch {
  return {
    positives: Int32Array.from(c.positives),
    negatives: Int32Array.from(c.negatives.flat()),
    k: c.negatives[0].length,
    dataSize: N,
    temperature: c.temperature,
    scoreWeights: null,
    termSigns: null,
    ...extra,
  };
}

function batchOfCase(c: NceCase): NceBatch {
  return batchOf(c, {
    scoreWeights: c.scoreWeights ? Float32Array.from(c.scoreWeights) : null,
    termSigns: c.termSigns ? Float32Array.from(c.termSigns) : null,
  });
}

describe('reference inputs', () => {
  test('cover what they are meant to cover', () => {
    const byName = new Map(ref.nce.cases.map((c) => [c.name, c]));
    // Sampling with replacement: some sample's negatives repeat a row.
    const dup = byName.get('duplicates')!;
    assert.ok(dup.negatives.some((row) => new Set(row).size < row.length));
    // Every negative is of another class than its positive.
    for (const c of ref.nce.cases)
      c.negatives.forEach((row, i) => {
        for (const j of row) assert.notEqual(ref.nce.bankLabels[j], ref.nce.bankLabels[c.positives[i]]);
      });
    // The switches change the reference value by much more than the tolerance used below.
    const rel = (a: string, b: string) =>
      Math.abs(byName.get(a)!.expected.loss - byName.get(b)!.expected.loss) /
      Math.abs(byName.get(b)!.expected.loss);
    assert.ok(rel('iew', 'plain') > 4e-4);
    assert.ok(rel('us', 'plain') > 1e-2);
    assert.ok(rel('iew tau=0.5', 'plain tau=0.5') > 1e-3);
  });
});

describe('nceSideLoss against the numpy reference', () => {
  // Expected loss, Z and dL/de: reference.json "nce.cases" (compute_reference.py, numpy float64,
  // textbook formula over explicitly gathered index sets; gradient analytic, checked there against
  // central finite differences h = 1e-6).
  for (const c of ref.nce.cases) {
    test(`${c.name}: value, Z from the first call, and gradient w.r.t. the embedding`, () => {
      const b = bank();
      const norm: NormalisationConstant = { z: null };
      const e = tf.tensor2d(c.embedding) as Tensor2D;
      const nb = batchOfCase(c);
      const loss = nceSideLoss(e, b, nb, norm).dataSync()[0];
      assert.notEqual(norm.z, null);
      assertClose(norm.z!, c.expected.z, { rtol: 1e-4, what: `${c.name} Z` });
      assertClose(loss, c.expected.loss, { rtol: 1e-4, what: `${c.name} loss` });

      // Gradient with Z now fixed (as in the reference: Z is a constant).
      const g = tf.grad((x) => nceSideLoss(x as Tensor2D, b, nb, norm))(e);
      const expected = c.expected.grad.flat();
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(flat(g), expected, { rtol: 1e-4, atol: 1e-4 * scale, what: `${c.name} dL/de` });
      tf.dispose([b.rows, b.transposed, e, g]);
    });
  }
});

describe('normalisation constant Z', () => {
  test('is set by the first call and kept by later ones', () => {
    // Expected: reference.json "nce.zFixed" (compute_reference.py, numpy float64).
    const zf = ref.nce.zFixed;
    const b = bank();
    const nb = batchOf({ positives: ref.nce.cases[0].positives, negatives: zf.negatives, temperature: 0.07 });
    const norm: NormalisationConstant = { z: null };
    const first = nceSideLoss(tf.tensor2d(zf.first) as Tensor2D, b, nb, norm).dataSync()[0];
    assertClose(norm.z!, zf.expected.z, { rtol: 1e-4, what: 'Z' });
    assertClose(first, zf.expected.firstLoss, { rtol: 1e-4, what: 'first loss' });
    const zAfterFirst = norm.z;
    const second = nceSideLoss(tf.tensor2d(zf.second) as Tensor2D, b, nb, norm).dataSync()[0];
    assert.equal(norm.z, zAfterFirst);
    assertClose(second, zf.expected.secondLossWithFirstZ, { rtol: 1e-4, what: 'second loss (first Z)' });
    // The second embeddings would have given a very different Z: the check above is not vacuous.
    assert.ok(Math.abs(zf.expected.zTheSecondWouldGive / zf.expected.z - 1) > 0.5);
  });

  test('a given Z is used as is', () => {
    const c = ref.nce.cases.find((x) => x.name === 'plain')!;
    const b = bank();
    const norm: NormalisationConstant = { z: c.expected.z };
    const loss = nceSideLoss(tf.tensor2d(c.embedding) as Tensor2D, b, batchOfCase(c), norm).dataSync()[0];
    assertClose(loss, c.expected.loss, { rtol: 1e-4 });
    assert.equal(norm.z, c.expected.z);
  });
});

describe('nceSideLoss input checks', () => {
  test('rejects index sets of the wrong size and banks of the wrong width', () => {
    const c = ref.nce.cases[0];
    const b = bank();
    const e = tf.tensor2d(c.embedding) as Tensor2D;
    const nb = batchOfCase(c);
    assert.throws(
      () => nceSideLoss(e, b, { ...nb, negatives: nb.negatives.slice(1) }, { z: null }),
      /index sets/,
    );
    assert.throws(() => nceSideLoss(tf.zeros([5, d + 1]) as Tensor2D, b, nb, { z: null }), /bank rows/);
  });
});

describe('NegativeSampler', () => {
  const labels = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2, 2]);
  test('draws K distinct rows of other classes when the pool is large enough', () => {
    const s = new NegativeSampler(labels, 3, 4, createRandom(3));
    const batchLabels = [0, 1, 2, 2, 0];
    for (let rep = 0; rep < 20; rep++) {
      const out = s.draw(batchLabels);
      assert.equal(out.length, batchLabels.length * 4);
      batchLabels.forEach((y, i) => {
        const row = Array.from(out.subarray(i * 4, i * 4 + 4));
        assert.equal(new Set(row).size, 4);
        for (const j of row) assert.notEqual(labels[j], y);
      });
    }
  });

  test('draws with replacement when K exceeds the pool, still only other classes', () => {
    // Class 0's pool has 7 rows; K = 12 must repeat.
    const s = new NegativeSampler(labels, 3, 12, createRandom(4));
    const out = s.draw([0]);
    assert.ok(new Set(out).size < 12);
    for (const j of out) assert.notEqual(labels[j], 0);
  });

  test('is a deterministic function of its seed', () => {
    const a = new NegativeSampler(labels, 3, 4, createRandom(5)).draw([0, 1, 2]);
    const b = new NegativeSampler(labels, 3, 4, createRandom(5)).draw([0, 1, 2]);
    const c = new NegativeSampler(labels, 3, 4, createRandom(6)).draw([0, 1, 2]);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
  });

  test('a class with no other-class rows is an error', () => {
    const s = new NegativeSampler(Int32Array.from([1, 1]), 2, 2, createRandom(1));
    assert.throws(() => s.draw([1]), /no training samples outside class 1/);
  });
});
