import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  type CmcrdOptions,
  cmcrdPlugin,
  createRandom,
  type DistillBatch,
  type DistillerContext,
  getDistiller,
  MemoryBankContrast,
  OptionsError,
  PluginContractError,
  checkPlugin,
  parseDistillerOptions,
  registerDistiller,
  selectBackend,
  type Tensor2D,
  tf,
} from '../src/index.js';
import { z } from 'zod';
import { assertClose, flat, zeroRows } from './helpers.js';

before(async () => {
  // The registry starts empty in core: the runner registers the built-ins (runner/src/plugins.ts).
  registerDistiller(cmcrdPlugin as never);
  await selectBackend('cpu');
});

// A tiny training set of 9 rows, 3 balanced classes. With K = 6 negatives = the whole other-class
// pool of every class, each sample's negatives are a fixed *set* (the sampler only permutes it), so
// the loss can be recomputed here without reproducing the sampler's random draws.
const TRAIN_LABELS = Int32Array.from([0, 0, 0, 1, 1, 1, 2, 2, 2]);
const N = TRAIN_LABELS.length;
const C = 3;
const DIM = 4;
const K = 6;
const DS = [5, 6]; // student feature taps
const DT = [4, 3]; // teacher feature taps
const INDICES = Int32Array.from([0, 3, 6, 1, 4, 7]);
const LABELS = Int32Array.from(INDICES, (i) => TRAIN_LABELS[i]);

function context(seed: number): DistillerContext {
  return {
    student: { modality: 'eeg', featureDims: DS },
    teacher: { modality: 'em', featureDims: DT },
    numClasses: C,
    train: { size: N, labels: TRAIN_LABELS },
    random: createRandom(seed),
  };
}

function options(extra: Partial<CmcrdOptions> = {}): CmcrdOptions {
  return cmcrdPlugin.options.parse({ dim: DIM, negatives: K, ...extra });
}

/** Logits that classify sample i right (scaled by `a`) or wrong. */
function logits(right: boolean[], scales: number[]): number[][] {
  return right.map((ok, i) => {
    const row = [0, 0, 0];
    row[ok ? LABELS[i] : (LABELS[i] + 1) % C] = scales[i];
    row[(LABELS[i] + 2) % C] = 0.3 * scales[i];
    return row;
  });
}

// Per sample (student, teacher): RR, RW, WR, WW, RW, WR.
const MIXED = {
  student: [true, true, false, false, true, false],
  teacher: [true, false, true, false, false, true],
};
const SCALES_S = [2, 1, 3, 0.5, 1.5, 2.5];
const SCALES_T = [3, 1.5, 2.5, 0.5, 4, 1];

interface Inputs {
  fS: number[][][];
  fT: number[][][];
  zS: number[][];
  zT: number[][];
}

function inputs(seed: number, right: { student: boolean[]; teacher: boolean[] }): Inputs {
  const r = createRandom(seed);
  const mat = (rows: number, cols: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => r.normal()));
  return {
    fS: DS.map((d) => mat(INDICES.length, d)),
    fT: DT.map((d) => mat(INDICES.length, d)),
    zS: logits(right.student, SCALES_S),
    zT: logits(right.teacher, SCALES_T),
  };
}

function batchOf(x: Inputs, fS?: Tensor2D, fT?: Tensor2D): DistillBatch {
  const s = x.fS.map((f) => tf.tensor2d(f) as Tensor2D);
  const t = x.fT.map((f) => tf.tensor2d(f) as Tensor2D);
  if (fS) s[s.length - 1] = fS;
  if (fT) t[t.length - 1] = fT;
  return {
    student: { logits: tf.tensor2d(x.zS) as Tensor2D, features: s },
    teacher: { logits: tf.tensor2d(x.zT) as Tensor2D, features: t },
    labels: LABELS,
    labelsOneHot: tf.oneHot(tf.tensor1d(LABELS, 'int32'), C).toFloat() as Tensor2D,
    indices: INDICES,
  };
}

// ---- a float64 textbook recomputation (DESIGN.md §2), used to check the plugin's wiring ----

function embed(f: number[][], w: Float32Array, b: Float32Array, dim: number): number[][] {
  return f.map((row) => {
    const e = Array.from(
      { length: dim },
      (_, j) => b[j] + row.reduce((s, v, k) => s + v * w[k * dim + j], 0),
    );
    const norm = Math.sqrt(e.reduce((s, v) => s + v * v, 0));
    return e.map((v) => v / norm);
  });
}

function entropyWeights64(z: number[][]): number[] {
  const raw = z.map((row) => {
    const m = Math.max(...row);
    const ex = row.map((v) => Math.exp(v - m));
    const sum = ex.reduce((a, b) => a + b, 0);
    const h = -ex.reduce((s, v) => s + (v / sum) * Math.log(v / sum + 1e-5), 0);
    return 1 + Math.exp(-h);
  });
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((v) => (z.length * v) / total);
}

function nceSide64(e: number[][], bank: Float32Array, w: number[], s: number[], tau: number) {
  const idx = Array.from(INDICES, (p) => [
    p,
    ...[...TRAIN_LABELS.keys()].filter((j) => TRAIN_LABELS[j] !== TRAIN_LABELS[p]),
  ]);
  const scores = idx.map((row, i) =>
    row.map((j) => e[i].reduce((acc, v, t) => acc + v * bank[j * DIM + t], 0) / tau),
  );
  const all = scores.flat();
  const z = (N * all.reduce((a, v) => a + Math.exp(v), 0)) / all.length;
  const kpn = K / N;
  let total = 0;
  scores.forEach((row, i) => {
    const p = row.map((v) => (w[i] * Math.exp(v)) / z);
    let sum = Math.log(p[0] / (p[0] + kpn + 1e-7));
    for (let k = 1; k <= K; k++) sum += Math.log(kpn / (p[k] + kpn + 1e-7));
    total += s[i] * sum;
  });
  return -total / e.length;
}

describe('CMCRD plugin: value', () => {
  for (const us of [false, true])
    for (const iew of [false, true]) {
      test(`us=${us} iew=${iew}: loss = weight · (student side + teacher side), recomputed in float64`, () => {
        // Expected: recomputed in this test in float64 from DESIGN.md §2 (textbook gathered index sets),
        // from the contrast's own initial banks and projection weights.
        const x = inputs(11, MIXED);
        const o = options({ us, iew });
        const contrast = new MemoryBankContrast(context(5), { ...o });
        const plugin = cmcrdPlugin.create(context(5), o);
        const [wS, bS, wT, bT] = contrast.variables.map((v) => flat(v));
        const banks = contrast.banks();
        const eS = embed(x.fS[1], wS, bS, DIM);
        const eT = embed(x.fT[1], wT, bT, DIM);
        const w = iew ? entropyWeights64(x.zT) : eS.map(() => 1);
        const s = us ? MIXED.teacher.map((ok) => (ok ? 1 : -1)) : eS.map(() => 1);
        // The student embedding is scored against the teacher's bank, and vice versa.
        const expected =
          o.weight *
          (nceSide64(eS, banks.teacher, w, s, o.temperature) +
            nceSide64(eT, banks.student, w, s, o.temperature));

        const got = tf.tidy(() => contrast.loss(batchOf(x)).dataSync()[0]);
        assertClose(got * o.weight, expected, { rtol: 1e-4, what: 'weight · contrast loss' });
        // The plugin is the same contrast times the weight (same seed → same initialisation).
        const gotPlugin = tf.tidy(() => plugin.loss(batchOf(x)).dataSync()[0]);
        assertClose(gotPlugin, expected, { rtol: 1e-4, what: 'plugin loss' });
        contrast.dispose();
        plugin.dispose();
      });
    }
});

describe('CMCRD plugin: gradients', () => {
  test('an all-wrong batch has a finite loss and no gradient for the plugin variables', () => {
    const x = inputs(12, { student: Array(6).fill(false), teacher: Array(6).fill(false) });
    const plugin = cmcrdPlugin.create(context(6), options());
    let grads: Record<string, tf.Tensor> = {};
    let value = Number.NaN;
    try {
      const r = tf.variableGrads(() => plugin.loss(batchOf(x)), plugin.variables);
      grads = r.grads;
      value = r.value.dataSync()[0];
    } catch (e) {
      // tfjs refuses when no variable is connected at all: that is "no gradient" as well.
      assert.match((e as Error).message, /Cannot find a connection/);
      value = tf.tidy(() => plugin.loss(batchOf(x)).dataSync()[0]);
    }
    assert.ok(Number.isFinite(value) && value !== 0, `loss ${value}`);
    for (const v of plugin.variables) {
      const g = grads[v.name];
      if (g)
        assert.ok(
          flat(g).every((u) => u === 0),
          `${v.name} has a non-zero gradient`,
        );
    }
    plugin.dispose();
  });

  test('mixed batch: student rows detached where S right/T wrong, teacher rows where T right/S wrong', () => {
    // By hand from MIXED (RR, RW, WR, WW, RW, WR): keepStudent = 1 0 1 1 0 1, keepTeacher = 1 1 0 1 1 0.
    const x = inputs(13, MIXED);
    const plugin = cmcrdPlugin.create(context(7), options());
    const [gS, gT] = tf.grads((fS, fT) => plugin.loss(batchOf(x, fS as Tensor2D, fT as Tensor2D)))([
      tf.tensor2d(x.fS[1]),
      tf.tensor2d(x.fT[1]),
    ]);
    assert.deepEqual(zeroRows(flat(gS), DS[1]), [false, true, false, false, true, false]);
    assert.deepEqual(zeroRows(flat(gT), DT[1]), [false, false, true, false, false, true]);
    plugin.dispose();
  });

  test('without US no row is detached (the routing comes from US)', () => {
    const x = inputs(13, MIXED);
    const plugin = cmcrdPlugin.create(context(7), options({ us: false }));
    const [gS, gT] = tf.grads((fS, fT) => plugin.loss(batchOf(x, fS as Tensor2D, fT as Tensor2D)))([
      tf.tensor2d(x.fS[1]),
      tf.tensor2d(x.fT[1]),
    ]);
    assert.ok(zeroRows(flat(gS), DS[1]).every((z) => !z));
    assert.ok(zeroRows(flat(gT), DT[1]).every((z) => !z));
    plugin.dispose();
  });
});

describe('CMCRD plugin: the ablation switches', () => {
  test('all 8 combinations of mcc/us/iew parse, ask for the right teacher and give a finite loss', () => {
    const x = inputs(14, MIXED);
    const seen = new Set<number>();
    for (const mcc of [false, true])
      for (const us of [false, true])
        for (const iew of [false, true]) {
          const o = parseDistillerOptions(getDistiller('cmcrd'), {
            mcc,
            us,
            iew,
            dim: DIM,
            negatives: K,
          }) as CmcrdOptions;
          assert.deepEqual({ mcc: o.mcc, us: o.us, iew: o.iew }, { mcc, us, iew });
          assert.deepEqual(cmcrdPlugin.teacher!(o), { mcc });
          const d = cmcrdPlugin.create(context(8), o);
          const v = tf.tidy(() => d.loss(batchOf(x)).dataSync()[0]);
          assert.ok(Number.isFinite(v), `mcc=${mcc} us=${us} iew=${iew}: loss ${v}`);
          seen.add(v);
          d.dispose();
        }
    // mcc only concerns the teacher: 4 distinct values from the us × iew combinations.
    assert.equal(seen.size, 4);
  });

  test('defaults are the paper’s, and unknown keys are refused', () => {
    const o = parseDistillerOptions(cmcrdPlugin as never, {});
    // By hand from DESIGN.md §2: λ2 = 0.02, τ = 0.07, dim 128, m = 0.05, all switches on.
    assert.deepEqual(
      { w: o.weight, t: o.temperature, d: o.dim, m: o.momentum, mcc: o.mcc, us: o.us, iew: o.iew },
      { w: 0.02, t: 0.07, d: 128, m: 0.05, mcc: true, us: true, iew: true },
    );
    assert.throws(() => parseDistillerOptions(cmcrdPlugin as never, { useUS: true }), OptionsError);
  });
});

describe('CMCRD plugin: options context', () => {
  test('K defaults to the context’s (the dataset’s), a given K wins, and nothing else changes', () => {
    const base = parseDistillerOptions(cmcrdPlugin as never, {});
    assert.deepEqual(parseDistillerOptions(cmcrdPlugin as never, {}, { negatives: 21000 }), { ...base, negatives: 21000 });
    assert.equal(parseDistillerOptions(cmcrdPlugin as never, { negatives: 32 }, { negatives: 21000 }).negatives, 32);
    assert.equal(parseDistillerOptions(cmcrdPlugin as never, { us: false }, { negatives: 900 }).us, false);
  });

  test('a plugin without defaults ignores the context; a broken defaults or one that is not a function is named', () => {
    const own = {
      name: 'own-k',
      options: z.object({ negatives: z.number().default(7) }).strict(),
      create: () => {
        throw new Error('unused');
      },
    };
    assert.equal(parseDistillerOptions(own as never, {}, { negatives: 900 }).negatives, 7);
    assert.throws(() => parseDistillerOptions({ ...own, defaults: () => 3 } as never, {}, { negatives: 900 }), (e: Error) => e instanceof PluginContractError && /defaults\(\) of 'own-k'/.test(e.message));
    assert.throws(() => checkPlugin({ ...own, defaults: 3 }, 'a test'), (e: Error) => e instanceof PluginContractError && /'defaults' must be a function/.test(e.message));
    assert.equal(checkPlugin({ ...own, defaults: () => ({}) }, 'a test').name, 'own-k');
  });
});

describe('CMCRD plugin: memory banks', () => {
  test('afterStep moves exactly the batch rows to l2norm(m·bank + (1 − m)·e), unit norm', () => {
    const x = inputs(15, MIXED);
    const o = options();
    const contrast = new MemoryBankContrast(context(9), { ...o });
    const before = contrast.banks();
    const [wS, bS, wT, bT] = contrast.variables.map((v) => flat(v));
    tf.tidy(() => {
      contrast.loss(batchOf(x));
    });
    contrast.afterStep();
    const after = contrast.banks();
    const eS = embed(x.fS[1], wS, bS, DIM);
    const eT = embed(x.fT[1], wT, bT, DIM);
    const m = o.momentum;
    for (const [side, e] of [
      ['student', eS],
      ['teacher', eT],
    ] as const) {
      for (let row = 0; row < N; row++) {
        const old = before[side].subarray(row * DIM, row * DIM + DIM);
        const now = after[side].subarray(row * DIM, row * DIM + DIM);
        const b = INDICES.indexOf(row);
        if (b < 0) {
          assert.deepEqual(now, old, `${side} bank row ${row} is not in the batch and must not move`);
          continue;
        }
        // Expected by hand (DESIGN.md §2): bank[i] = l2norm(m·bank[i] + (1 − m)·e_i), in float64.
        const mix = Array.from(old, (v, j) => m * v + (1 - m) * e[b][j]);
        const norm = Math.sqrt(mix.reduce((s, v) => s + v * v, 0));
        assertClose(
          now,
          mix.map((v) => v / norm),
          { rtol: 1e-5, atol: 1e-6, what: `${side} bank row ${row}` },
        );
        assertClose(Math.hypot(...now), 1, { rtol: 1e-6, what: `${side} bank row ${row} norm` });
        assert.notDeepEqual(now, old);
      }
    }
    contrast.dispose();
  });

  test('the plugin’s afterStep updates its banks like the contrast’s (the next loss agrees and moves)', () => {
    const x = inputs(16, MIXED);
    const o = options();
    const contrast = new MemoryBankContrast(context(10), { ...o });
    const plugin = cmcrdPlugin.create(context(10), o);
    const first = tf.tidy(() => plugin.loss(batchOf(x)).dataSync()[0]);
    tf.tidy(() => {
      contrast.loss(batchOf(x));
    });
    plugin.afterStep!({ labels: LABELS, indices: INDICES });
    contrast.afterStep();
    const second = tf.tidy(() => plugin.loss(batchOf(x)).dataSync()[0]);
    const secondContrast = tf.tidy(() => contrast.loss(batchOf(x)).dataSync()[0]);
    assertClose(second, o.weight * secondContrast, { rtol: 1e-5 });
    assert.ok(Math.abs(second - first) > 1e-4 * Math.abs(first), `loss did not move: ${first} → ${second}`);
    contrast.dispose();
    plugin.dispose();
  });
});
