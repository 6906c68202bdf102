import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type DistillerPlugin, forcePlacement, parseDistillerOptions, type Placement, selectBackend, tf } from '@cmcrd/core';
import { fitnetPlugin, kdPlugin, nstPlugin, pktPlugin, rkdPlugin, spPlugin } from '../src/index.js';
import { assertClose, batchOf, context, loadReference, read, referenceArrays, testBackend } from './helpers.js';

// Every expected value comes from test/reference/compute_reference.py (numpy, float64, written
// from DESIGN.md §3 and the papers independently of the plugins). The plugins return w·L; the
// reference holds the unweighted L.
// Run for both placements (host: the CPU fast path; device: GPU backends, RKD as tensor ops) on
// cpu, and for the device placement on the backend named by CMCRD_TEST_BACKEND (CI: webgpu on
// lavapipe, where tolerances are ×20 wider: WGSL's exp/log/sqrt and tiled products, see core's
// test/placement.test.ts).

const ref = loadReference();
const arrays = referenceArrays(ref);
const { studentDims, teacherDims, numClasses } = ref.inputs;
const trainLabels = Int32Array.from({ length: 12 }, (_, i) => i % numClasses);

let loose = 1;
const close = (a: number, e: number, o: { rtol?: number; what?: string } = {}) => assertClose(a, e, { ...o, rtol: (o.rtol ?? 1e-4) * loose });
before(async () => {
  loose = (await selectBackend(testBackend('cpu'))) === 'webgpu' ? 20 : 1;
});

/** The plugin's loss on the reference batch, with its options parsed from `raw`. */
async function lossOf(
  plugin: DistillerPlugin,
  raw: Record<string, unknown>,
  setUp?: (vars: tf.Variable[]) => void,
) {
  const d = plugin.create(
    context(studentDims, teacherDims, numClasses, trainLabels),
    parseDistillerOptions(plugin, raw),
  );
  setUp?.(d.variables);
  const before = tf.memory().numTensors;
  const loss = tf.tidy(() => d.loss(batchOf(arrays)));
  const value = (await read(loss))[0];
  loss.dispose();
  assert.equal(tf.memory().numTensors, before, `${plugin.name}: loss() left tensors behind`);
  d.dispose();
  return value;
}

const asPlugin = (p: unknown) => p as DistillerPlugin;

// The host placement exists on cpu and wasm only.
const PLACEMENTS: Placement[] = testBackend('cpu') === 'webgpu' ? ['device'] : ['host', 'device'];
for (const placement of PLACEMENTS) describe(`losses against the numpy reference (${placement} placement)`, () => {
  before(() => forcePlacement(placement));
  after(() => forcePlacement(null));
  test('KD: 10 · T²·KL(p_t ‖ p_s), T = 4 (and T = 1, weight 1)', async () => {
    close(await lossOf(asPlugin(kdPlugin), {}), 10 * ref.expected.kd.T4, { what: 'kd T=4' });
    close(await lossOf(asPlugin(kdPlugin), { temperature: 1, weight: 1 }), ref.expected.kd.T1, {
      what: 'kd T=1',
    });
  });

  test("FitNet: MSE of the regressed student's last tap (regressor set to the reference's W, b)", async () => {
    const { w, b } = ref.inputs.fitnet;
    const value = await lossOf(asPlugin(fitnetPlugin), {}, (vars) => {
      assert.equal(vars.length, 2);
      assert.deepEqual(vars[0].shape, [studentDims.at(-1), teacherDims.at(-1)]);
      assert.deepEqual(vars[1].shape, [teacherDims.at(-1)]);
      tf.tidy(() => {
        vars[0].assign(tf.tensor2d(w));
        vars[1].assign(tf.tensor1d(b));
      });
    });
    close(value, 1 * ref.expected.fitnet, { what: 'fitnet' });
  });

  test('NST: 10 · Σ over tap pairs (aligned from the deepest) of the (a·b)² MMD', async () => {
    close(await lossOf(asPlugin(nstPlugin), {}), 10 * ref.expected.nst.total, { what: 'nst' });
    // Each pair alone: student tap k against teacher tap k + 1 (3 teacher taps, 2 student taps).
    for (const k of [0, 1]) {
      const d = nstPlugin.create(context([studentDims[k]], [teacherDims[k + 1]], numClasses, trainLabels), {
        weight: 1,
      });
      const single = {
        ...arrays,
        student: { ...arrays.student, features: [arrays.student.features[k]] },
        teacher: { ...arrays.teacher, features: [arrays.teacher.features[k + 1]] },
      };
      const lossT = tf.tidy(() => d.loss(batchOf(single)));
      const v = (await read(lossT))[0];
      lossT.dispose();
      close(v, ref.expected.nst.perPair[k], { what: `nst pair ${k}` });
      d.dispose();
    }
  });

  test('SP: 100 · ‖G_t − G_s‖²_F / n² on the second-to-last taps', async () => {
    close(await lossOf(asPlugin(spPlugin), {}), 100 * ref.expected.sp, { what: 'sp' });
  });

  test('RKD: 25 · distance term + 50 · angle term, and each term alone', async () => {
    const { distance, angle } = ref.expected.rkd;
    close(await lossOf(asPlugin(rkdPlugin), {}), 25 * distance + 50 * angle, { what: 'rkd' });
    close(await lossOf(asPlugin(rkdPlugin), { angleWeight: 0, distanceWeight: 1 }), distance, {
      what: 'rkd distance',
    });
    close(await lossOf(asPlugin(rkdPlugin), { distanceWeight: 0, angleWeight: 1 }), angle, {
      what: 'rkd angle',
    });
  });

  test('PKT: 1000 · mean(P_t log((P_t + ε)/(P_s + ε)))', async () => {
    assert.equal(pktPlugin.options.parse({}).eps, ref.expected.pkt.eps);
    close(await lossOf(asPlugin(pktPlugin), {}), 1000 * ref.expected.pkt.value, { what: 'pkt' });
  });

  test('the weight only scales: w = 0 gives 0, w = 2·default gives twice the value', async () => {
    for (const plugin of [kdPlugin, nstPlugin, spPlugin, rkdPlugin, pktPlugin].map(asPlugin)) {
      const w = (plugin.options.parse({}) as { weight: number }).weight;
      assert.equal(await lossOf(plugin, { weight: 0 }), 0, plugin.name);
      close(await lossOf(plugin, { weight: 2 * w }), 2 * await lossOf(plugin, {}), {
        rtol: 1e-6,
        what: plugin.name,
      });
    }
  });
});
