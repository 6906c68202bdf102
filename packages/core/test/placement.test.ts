// The device placement (GPU backends: everything in device memory, no readback on the hot path)
// against the same numpy/torch references as the host placement's tests. Runs on cpu with the
// device placement forced, and in CI again with CMCRD_TEST_BACKEND=webgpu on Mesa's lavapipe.
//
// Tolerances: on webgpu, exp/log/tanh are WGSL built-ins (a few ulp, not correctly rounded) and
// matrix products accumulate in a different order (tiled workgroups), so values carry relative
// errors of ~1e-6–1e-5 per op instead of ~1e-7; through the NCE's exp(s/τ) with τ = 0.07, a
// score error of 1e-6 grows ×14. `loose` widens the cpu tolerances ×20 on webgpu only.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AdamW,
  checkBackendHealth,
  cmcrdPlugin,
  createRandom,
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  DEVICE_SYNC_STEPS,
  type DeviceNceBatch,
  type DeviceNormalisationConstant,
  entropyWeights,
  type FlatOptimizer,
  forcePlacement,
  mccLoss,
  nceSideOnDevice,
  selectBackend,
  SgdMomentum,
  type Tensor1D,
  type Tensor2D,
  tf,
  trainingPlacement,
  trainStudent,
  trainTeacher,
  unimodalSupervisionOnDevice,
  type Variable,
} from '../src/index.js';
import { referenceTests } from './backbones-shared.js';
import { assertDifferentRun, assertSameRun, trainingRun } from './determinism-shared.js';
import { assertClose, loadReference, type NceCase, read, testBackend, tinyPairedData } from './helpers.js';

const ref = loadReference();
let loose = 1;

before(async () => {
  const name = await selectBackend(testBackend('cpu'));
  // On cpu the device placement is forced; on a GPU backend it is the default.
  if (name === 'cpu' || name === 'wasm') forcePlacement('device');
  loose = name === 'webgpu' ? 20 : 1;
  assert.equal(trainingPlacement(), 'device');
});

after(() => forcePlacement(null));


describe('NCE on the device against the numpy reference', () => {
  const bank = () => tf.tensor2d(ref.nce.bank) as Tensor2D;
  const batchOf = (c: { positives: number[]; negatives: number[][]; temperature: number }, extra: Partial<DeviceNceBatch> = {}): DeviceNceBatch => ({
    positives: tf.tensor1d(c.positives, 'int32'),
    negatives: tf.tensor2d(c.negatives, undefined, 'int32') as Tensor2D,
    k: c.negatives[0].length,
    dataSize: ref.nce.bank.length,
    temperature: c.temperature,
    scoreWeights: null,
    termSigns: null,
    ...extra,
  });
  const batchOfCase = (c: NceCase) =>
    batchOf(c, {
      scoreWeights: c.scoreWeights ? (tf.tensor1d(c.scoreWeights) as Tensor1D) : null,
      termSigns: c.termSigns ? (tf.tensor1d(c.termSigns) as Tensor1D) : null,
    });

  // Expected: reference.json "nce.cases" (compute_reference.py, numpy float64; the same cases as nce.test.ts).
  for (const c of ref.nce.cases) {
    test(`${c.name}: value, Z from the first call and dL/de`, async () => {
      const norm: DeviceNormalisationConstant = { z: null };
      const side = nceSideOnDevice(tf.tensor2d(c.embedding) as Tensor2D, bank(), batchOfCase(c), norm);
      assertClose((await read(norm.z!))[0], c.expected.z, { rtol: 1e-4 * loose, what: `${c.name} Z` });
      assertClose((await read(side.value))[0], c.expected.loss, { rtol: 1e-4 * loose, what: `${c.name} loss` });
      const expected = c.expected.grad.flat();
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(await read(side.gradient), expected, { rtol: 1e-4 * loose, atol: 1e-4 * scale * loose, what: `${c.name} dL/de` });
    });
  }

  test('Z is fixed by the first call and kept by later ones', async () => {
    // Expected: reference.json "nce.zFixed".
    const zf = ref.nce.zFixed;
    const nb = batchOf({ positives: ref.nce.cases[0].positives, negatives: zf.negatives, temperature: 0.07 });
    const norm: DeviceNormalisationConstant = { z: null };
    const first = nceSideOnDevice(tf.tensor2d(zf.first) as Tensor2D, bank(), nb, norm);
    const z = norm.z;
    assertClose((await read(first.value))[0], zf.expected.firstLoss, { rtol: 1e-4 * loose, what: 'first loss' });
    const second = nceSideOnDevice(tf.tensor2d(zf.second) as Tensor2D, bank(), nb, norm);
    assert.equal(norm.z, z);
    assertClose((await read(second.value))[0], zf.expected.secondLossWithFirstZ, { rtol: 1e-4 * loose, what: 'second loss (first Z)' });
  });

  test('rejects index sets of the wrong size', () => {
    const c = ref.nce.cases[0];
    const nb = batchOfCase(c);
    assert.throws(() => nceSideOnDevice(tf.tensor2d(c.embedding) as Tensor2D, bank(), { ...nb, k: nb.k + 1 }, { z: null }), /index sets/);
  });
});

describe('losses on the device against the numpy reference', () => {
  const oneHotOf = (labels: number[], c: number) => tf.oneHot(tf.tensor1d(labels, 'int32'), c).toFloat() as Tensor2D;

  test('unimodal supervision: mixed batch and all-wrong batch (reference.json "us")', async () => {
    for (const u of [ref.us.mixed, ref.us.allWrong]) {
      const c = u.studentLogits[0].length;
      const us = unimodalSupervisionOnDevice(tf.tensor2d(u.studentLogits) as Tensor2D, tf.tensor2d(u.teacherLogits) as Tensor2D, oneHotOf(u.labels, c));
      assert.deepEqual(Array.from(await read(us.signs)), u.expected.signs);
      assert.deepEqual(Array.from(await read(us.keepStudent)), u.expected.keepStudent);
      assert.deepEqual(Array.from(await read(us.keepTeacher)), u.expected.keepTeacher);
    }
  });

  test('MCC value and gradient (reference.json "mcc")', async () => {
    for (const c of ref.mcc) {
      assertClose((await read(mccLoss(tf.tensor2d(c.logits) as Tensor2D, c.temperature)))[0], c.expected, { rtol: 1e-4 * loose, what: 'L_mcc' });
      const g = tf.grad((x) => mccLoss(x as Tensor2D, c.temperature))(tf.tensor2d(c.logits));
      const expected = c.expectedGradWeightsDetached.flat();
      const scale = Math.max(...expected.map(Math.abs));
      assertClose(await read(g), expected, { rtol: 1e-3 * loose, atol: 1e-4 * scale * loose, what: 'dL_mcc/dz' });
    }
  });

  test('IEW entropy weights (reference.json "entropyWeights")', async () => {
    const e = ref.entropyWeights;
    assertClose(await read(entropyWeights(tf.tensor2d(e.teacherLogits) as Tensor2D, e.temperature)), e.expected, { rtol: 1e-5 * loose, what: 'w' });
  });
});

describe('optimizers on the device follow torch (reference.json "optimizers")', () => {
  let names = 0;
  async function run(make: (vars: Variable[]) => FlatOptimizer): Promise<number[][]> {
    const o = ref.optimizers;
    const v1 = tf.variable(tf.tensor1d(o.w0.slice(0, 2)), true, `dquad${names++}/v1`);
    const v2 = tf.variable(tf.tensor1d(o.w0.slice(2)), true, `dquad${names++}/v2`);
    const a = tf.tensor1d(o.a);
    const b = tf.tensor1d(o.b);
    const opt = make([v1, v2]);
    assert.equal(opt.placement, 'device');
    const out: number[][] = [];
    for (const lr of o.lrs) {
      opt.minimize(() => tf.mul(0.5, tf.sum(tf.mul(a, tf.square(tf.sub(tf.concat([v1, v2]), b))))) as tf.Scalar, lr).dispose();
      out.push([...(await read(v1)), ...(await read(v2))]);
    }
    opt.dispose();
    tf.dispose([v1, v2, a, b]);
    return out;
  }

  test('AdamW', async () => {
    const got = await run((vars) => new AdamW(vars, { weightDecay: ref.optimizers.adamw.weightDecay }));
    for (const [i, w] of got.entries()) assertClose(w, ref.optimizers.adamw.expected[i], { rtol: 1e-5 * loose, atol: 1e-6 * loose, what: `AdamW step ${i + 1}` });
  });

  test('SGD with momentum', async () => {
    const s = ref.optimizers.sgd;
    const got = await run((vars) => new SgdMomentum(vars, { momentum: s.momentum, weightDecay: s.weightDecay }));
    for (const [i, w] of got.entries()) assertClose(w, s.expected[i], { rtol: 1e-5 * loose, atol: 1e-6 * loose, what: `SGD step ${i + 1}` });
  });
});

describe('backbones on this backend (reference: backbones.json)', () => {
  referenceTests(testBackend('cpu'));
});

describe('training with the device placement', () => {
  test('determinism: the same seed twice gives identical histories and weights; another seed does not', async () => {
    const a = await trainingRun(7);
    assertSameRun(a, await trainingRun(7));
    assert.ok(Number.isFinite(a.studentHistory[1].losses.distill));
    assertDifferentRun(a, await trainingRun(8));
  });

  /**
   * Counts the reads of tensor values during a CMCRD student run: the count must not
   * grow with the number of steps per epoch (the hot path reads nothing back).
   */
  test(`${testBackend("cpu")} (device placement): no readback per step — the reads per epoch do not depend on the steps per epoch`, async () => {
    const counted = async (rows: number) => {
      const data = tinyPairedData(5, rows, 4, { student: 10, teacher: 6 });
      const random = createRandom(5);
      const teacher = await trainTeacher({ modality: 'em', config: { ...DEFAULT_TEACHER_CONFIG, epochs: 1, batchSize: 8 }, numClasses: 4, train: data.teacher, selection: 'last', random: random.fork('t') });
      // Reads of tensors' values (on cpu, kernels read their inputs through the backend: counting
      // there would count computation, not readbacks).
      const proto = tf.Tensor.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
      const methods = ['data', 'dataSync', 'array', 'arraySync', 'bytes'];
      const originals = methods.map((m) => proto[m]);
      let reads = 0;
      methods.forEach((m, i) => {
        proto[m] = function (this: unknown, ...args: unknown[]) {
          reads++;
          return originals[i].apply(this, args);
        };
      });
      try {
        const student = await trainStudent({
          modality: 'eeg',
          config: { ...DEFAULT_STUDENT_CONFIG, epochs: 2, warmupEpochs: 1, batchSize: 8 },
          numClasses: 4,
          train: data.student,
          selection: 'last',
          random: random.fork('s'),
          teacher: { model: teacher.model, modality: 'em', train: data.teacher },
          distiller: { plugin: cmcrdPlugin as never, options: cmcrdPlugin.options.parse({ negatives: 8, dim: 16 }) },
        });
        student.model.dispose();
      } finally {
        methods.forEach((m, i) => {
          proto[m] = originals[i];
        });
        teacher.model.dispose();
      }
      return reads;
    };
    // 2 and 8 steps per epoch (4 and 16 in all): the same number of reads — the teacher's outputs
    // once, then per epoch; the loop's one loss every DEVICE_SYNC_STEPS steps is not reached here.
    assert.ok(DEVICE_SYNC_STEPS > 16);
    const few = await counted(16);
    const many = await counted(64);
    assert.equal(many, few, `reads with 8 steps an epoch (${many}) differ from 2 steps an epoch (${few})`);
    assert.ok(few <= 12, `${few} reads for 2 epochs`);
  });
});

// On webgpu, a validation error is not thrown by the op that caused it: the backend keeps it and
// the next health check (every epoch, and before a fold is stored) fails with it.
if (testBackend('cpu') === 'webgpu') {
  test('webgpu: an uncaptured GPU error fails the next health check, once', async () => {
    // AddN of 40 inputs binds 41 storage buffers, past lavapipe's (and WebGPU's default) 8 per stage.
    const parts = Array.from({ length: 40 }, (_, i) => tf.scalar(i));
    const sum = tf.addN(parts);
    await sum.data().catch(() => null);
    await new Promise((r) => setTimeout(r, 50));
    assert.throws(() => checkBackendHealth(), /GpuError|webgpu reported an error/);
    checkBackendHealth();
    tf.dispose([...parts, sum]);
  });
}
