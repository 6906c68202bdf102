import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import {
  BIHDM_STREAMS,
  LOCAL_STREAM_ORDER,
  createRandom,
  currentBackend,
  getBackbone,
  inferAll,
  loadGraphModel,
  selectBackend,
  tf,
} from '@cmcrd/core';
import { BIHDM_LOCAL_STREAMS, UnexportableModelError, graphModelOf } from '@cmcrd/reports';

// The hand-written graph models (src/model/graph-backbones.ts) against the backbones they mirror:
// the same logits, bit for bit, on the backend of this process (model-graph-wasm.test.ts: wasm).

/** The parity tests on one backend (each test file is its own process, with its own backend). */
export function graphParityTests(BACKEND: 'cpu' | 'wasm'): void {
  before(async () => {
    await selectBackend(BACKEND);
    assert.equal(currentBackend(), BACKEND);
  });

  async function load(files: ReturnType<typeof graphModelOf>) {
    const m = files.modelJson as Record<string, any>;
    return loadGraphModel(
      tf.io.fromMemory({
        modelTopology: m.modelTopology,
        weightSpecs: m.weightsManifest[0].weights,
        weightData: files.shard.buffer.slice(
          files.shard.byteOffset,
          files.shard.byteOffset + files.shard.byteLength,
        ) as ArrayBuffer,
        format: m.format,
        signature: m.signature,
      }),
    );
  }

  const CASES = [
    { backbone: 'dnn', modality: 'eeg', inputDim: 310 },
    { backbone: 'dnn', modality: 'em', inputDim: 31 },
    { backbone: 'dgcnn', modality: 'eeg', inputDim: 310 },
    { backbone: 'dgcnn', modality: 'em', inputDim: 33 },
    { backbone: 'bihdm', modality: 'eeg', inputDim: 310 },
    { backbone: 'bihdm', modality: 'em', inputDim: 31 },
  ] as const;

  for (const c of CASES) {
    test(`${c.backbone} (${c.modality}): the exported graph gives the backbone's logits exactly on ${BACKEND}`, async () => {
      const numClasses = 4;
      const model = getBackbone(c.backbone).create({
        inputDim: c.inputDim,
        numClasses,
        modality: c.modality,
        random: createRandom(7),
      });
      const r = createRandom(11);
      // A few training-mode passes move the batch-norm running statistics away from 0 and 1.
      for (let i = 0; i < 3; i++) {
        tf.tidy(() => {
          const batch = Float32Array.from({ length: 32 * c.inputDim }, () => 2 * r.normal() + 0.5);
          model.apply(tf.tensor2d(batch, [32, c.inputDim]), true);
        });
        model.commitBatchStats();
      }
      const n = 37;
      const x = Float32Array.from({ length: n * c.inputDim }, () => r.normal());
      const expected = inferAll(model, x, c.inputDim);
      const arch = {
        backbone: c.backbone,
        modality: c.modality,
        inputDim: c.inputDim,
        numClasses,
        featureDims: model.featureDims,
        parameterCount: model.parameterCount(),
      };
      const graph = await load(graphModelOf(arch, model.snapshot()));
      try {
        const [probs, logits] = graph.execute(tf.tensor2d(x, [n, c.inputDim]), [
          'probabilities',
          'logits',
        ]) as tf.Tensor[];
        const got = logits.dataSync() as Float32Array;
        assert.deepEqual(Array.from(got), Array.from(expected.logits), 'logits differ');
        assert.deepEqual(Array.from(tf.argMax(logits, 1).dataSync()), Array.from(expected.predictions));
        const p = probs.dataSync() as Float32Array;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < numClasses; j++) s += p[i * numClasses + j];
          assert.ok(Math.abs(s - 1) < 1e-5, `row ${i} probabilities sum to ${s}`);
        }
      } finally {
        graph.dispose();
        model.dispose();
      }
    });
  }
}

export function graphStaticTests(): void {
  test("the exporter's BiHDM streams are the backbone's", () => {
    assert.deepEqual(
      BIHDM_LOCAL_STREAMS,
      LOCAL_STREAM_ORDER.map((s) => BIHDM_STREAMS[s]),
    );
  });

  test('an unknown backbone or a snapshot of the wrong size is refused with a clear error', () => {
    const arch = {
      backbone: 'transformer',
      modality: 'eeg' as const,
      inputDim: 310,
      numClasses: 3,
      featureDims: [],
      parameterCount: 0,
    };
    assert.throws(
      () => graphModelOf(arch, []),
      (e: Error) =>
        e instanceof UnexportableModelError &&
        /cannot export a 'transformer' model: only dnn, dgcnn, bihdm/.test(e.message),
    );
    assert.throws(
      () => graphModelOf({ ...arch, backbone: 'dnn' }, [new Float32Array(3)]),
      /has 1 weight arrays, its architecture has 22/,
    );
  });
}
