import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { MemoryBankContrast, type MemoryBankContrastOptions, selectBackend, tf } from '@cmcrd/core';
import { type CrdOptions, crdPlugin } from '../src/index.js';
import { type BatchArrays, assertClose, batchOf, context, flat, randomArrays } from './helpers.js';

// CRD's memory banks are drawn inside @cmcrd/core from the run's seeded generator and Z is fixed
// from the first batch against them, so the expected value cannot come from a precomputed file:
// it is recomputed here in float64, textbook style (DESIGN.md §2 with US and IEW off), from the
// plugin's own initial banks and projections, read through a twin MemoryBankContrast built from
// the same seed (same draws → same banks and weights).

before(async () => {
  await selectBackend('cpu');
});

// 9 training rows, 3 balanced classes; K = 6 = the whole other-class pool of every class, so each
// sample's negatives are a fixed set (the sampler only orders it).
const TRAIN_LABELS = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
const N = TRAIN_LABELS.length;
const C = 3;
const DIM = 4;
const K = 6;
const DS = [5, 6];
const DT = [4, 3];
const INDICES = Int32Array.from([0, 3, 6, 1, 4, 7]);

/**
 * A batch of random features. With `telling`, the teacher is right on samples 0, 2, 4 and wrong on
 * 1, 3, 5, each with a different confidence: CMCRD's US would flip the wrong samples' terms and IEW
 * reweight them all, so a CRD that had either switch on would give another value.
 */
function arrays(seed: number, telling = false): BatchArrays {
  const a = randomArrays(seed, INDICES.length, C, DS, DT);
  a.indices = INDICES;
  a.labels = Int32Array.from(INDICES, (i) => TRAIN_LABELS[i]);
  const scales = [8, 0.3, 4, 0.1, 2, 6];
  if (telling)
    a.teacher.logits = Array.from(a.labels, (y, i) => {
      const winner = i % 2 === 0 ? y : (y + 1) % C;
      return [0, 1, 2].map((j) => (j === winner ? scales[i] : 0));
    });
  return a;
}

function options(extra: Partial<CrdOptions> = {}): CrdOptions {
  return crdPlugin.options.parse({ dim: DIM, negatives: K, ...extra });
}

function twin(seed: number, o: CrdOptions): MemoryBankContrast {
  const opts: MemoryBankContrastOptions = {
    dim: o.dim,
    temperature: o.temperature,
    momentum: o.momentum,
    negatives: o.negatives,
    us: false,
    iew: false,
  };
  return new MemoryBankContrast(context(DS, DT, C, TRAIN_LABELS, seed), opts);
}

function embed(f: number[][], w: Float32Array, b: Float32Array): number[][] {
  return f.map((row) => {
    const e = Array.from(
      { length: DIM },
      (_, j) => b[j] + row.reduce((s, v, k) => s + v * w[k * DIM + j], 0),
    );
    const norm = Math.hypot(...e);
    return e.map((v) => v / norm);
  });
}

/** One NCE side, float64: index set [i, other-class rows], Z from this batch, no weights or signs. */
function nceSide64(e: number[][], bank: Float32Array, tau: number): number {
  const idx = Array.from(INDICES, (p) => [
    p,
    ...[...TRAIN_LABELS.keys()].filter((j) => TRAIN_LABELS[j] !== TRAIN_LABELS[p]),
  ]);
  const scores = idx.map((row, i) =>
    row.map((j) => e[i].reduce((s, v, t) => s + v * bank[j * DIM + t], 0) / tau),
  );
  const all = scores.flat();
  const z = (N * all.reduce((s, v) => s + Math.exp(v), 0)) / all.length;
  const kPn = K / N;
  let total = 0;
  for (const row of scores) {
    const p = row.map((v) => Math.exp(v) / z);
    total += Math.log(p[0] / (p[0] + kPn + 1e-7));
    for (let k = 1; k <= K; k++) total += Math.log(kPn / (p[k] + kPn + 1e-7));
  }
  return -total / e.length;
}

describe('CRD', () => {
  for (const telling of [false, true])
    test(`value: 0.02 · (NCE of e_s against the teacher bank + NCE of e_t against the student bank)${telling ? ', teacher right/wrong at mixed confidence' : ''}`, () => {
      const o = options();
      const x = arrays(41, telling);
      const contrast = twin(5, o);
      const plugin = crdPlugin.create(context(DS, DT, C, TRAIN_LABELS, 5), o);
      // Same seed, same draws: the plugin's projections are the twin's.
      plugin.variables.forEach((v, i) => {
        assert.deepEqual(flat(v), flat(contrast.variables[i]));
      });
      const [wS, bS, wT, bT] = contrast.variables.map((v) => flat(v));
      const banks = contrast.banks();
      const expected =
        0.02 *
        (nceSide64(embed(x.student.features[1], wS, bS), banks.teacher, o.temperature) +
          nceSide64(embed(x.teacher.features[1], wT, bT), banks.student, o.temperature));
      const got = tf.tidy(() => flat(plugin.loss(batchOf(x)))[0]);
      assertClose(got, expected, { rtol: 1e-4, what: 'crd loss' });
      contrast.dispose();
      plugin.dispose();
    });

  test('afterStep moves the banks with m = 0.5: the next loss is the twin’s after l2norm(½·bank + ½·e)', () => {
    const o = options();
    assert.equal(o.momentum, 0.5);
    const x = arrays(42, true);
    const contrast = twin(6, o);
    const plugin = crdPlugin.create(context(DS, DT, C, TRAIN_LABELS, 6), o);
    const before = contrast.banks();
    const [wS, bS, wT, bT] = contrast.variables.map((v) => flat(v));
    const first = tf.tidy(() => flat(plugin.loss(batchOf(x)))[0]);
    tf.tidy(() => {
      contrast.loss(batchOf(x));
    });
    plugin.afterStep!({ labels: x.labels, indices: x.indices });
    contrast.afterStep();
    // The twin's banks after the update, by hand (float64).
    const after = contrast.banks();
    const e = {
      student: embed(x.student.features[1], wS, bS),
      teacher: embed(x.teacher.features[1], wT, bT),
    };
    for (const side of ['student', 'teacher'] as const)
      for (let row = 0; row < N; row++) {
        const old = before[side].subarray(row * DIM, row * DIM + DIM);
        const now = after[side].subarray(row * DIM, row * DIM + DIM);
        const b = INDICES.indexOf(row);
        if (b < 0) {
          assert.deepEqual(now, old, `${side} bank row ${row} moved`);
          continue;
        }
        const mix = Array.from(old, (v, j) => 0.5 * v + 0.5 * e[side][b][j]);
        const norm = Math.hypot(...mix);
        assertClose(
          now,
          mix.map((v) => v / norm),
          { rtol: 1e-5, atol: 1e-6, what: `${side} bank row ${row}` },
        );
      }
    const second = tf.tidy(() => flat(plugin.loss(batchOf(x)))[0]);
    const secondTwin = tf.tidy(() => flat(contrast.loss(batchOf(x)))[0]);
    assertClose(second, 0.02 * secondTwin, { rtol: 1e-5, what: 'loss after the update' });
    assert.ok(Math.abs(second - first) > 1e-4 * Math.abs(first), `loss did not move: ${first} → ${second}`);
    plugin.afterStep!({ labels: x.labels, indices: x.indices });
    contrast.afterStep();
    contrast.dispose();
    plugin.dispose();
  });
});
