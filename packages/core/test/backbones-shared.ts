// Backbone checks against the numpy reference, run on more than one backend (not a test file itself).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { createRandom, getBackbone, type Modality, stackedTanhRnn, tf } from '../src/index.js';
import type { Tensor2D, Tensor3D } from '../src/tf.js';
import { assertClose, read } from './helpers.js';

interface ForwardCase {
  x: number[][];
  classes: number;
  state: number[][];
  expected: { logits: number[][]; features: number[][][]; runningMean?: number[]; runningVar?: number[]; evalLogits?: number[][] };
}

/** Written by test/reference/compute_backbones.py (numpy, float64, per-sample loops). */
export const backboneReference = JSON.parse(
  readFileSync(new URL('./reference/backbones.json', import.meta.url), 'utf8'),
) as {
  dgcnn: Record<Modality, ForwardCase & { nodes: number; featuresPerNode: number }>;
  bihdm: Record<Modality, ForwardCase & { inputDim: number }>;
  rnn: {
    steps: number;
    inputTerm: number[][];
    recurrent: number[][][];
    upstream: number[][];
    expected: { states: number[][]; dInput: number[][]; dRecurrent: number[][][] };
  };
};

function restored(name: string, modality: Modality, c: ForwardCase) {
  const model = getBackbone(name).create({
    inputDim: c.x[0].length,
    numClasses: c.classes,
    modality,
    random: createRandom(1),
  });
  model.restore(c.state.map((a) => Float32Array.from(a)));
  return model;
}

/** Registers the reference tests under `label` (the backend in use). */
export function referenceTests(label: string): void {
  for (const modality of ['eeg', 'em'] as const) {
    test(`${label}: DGCNN (${modality}) matches the numpy forward pass, taps included, and its running statistics`, async () => {
      const c = backboneReference.dgcnn[modality];
      const model = restored('dgcnn', modality, c);
      const x = tf.tensor2d(c.x);
      const out = model.apply(x, true);
      assertClose(await read(out.logits), c.expected.logits.flat(), { rtol: 1e-4, atol: 1e-5, what: 'logits' });
      for (const [i, f] of out.features.entries()) {
        assertClose(await read(f), c.expected.features[i].flat(), { rtol: 1e-4, atol: 1e-5, what: `tap ${i}` });
      }
      model.commitBatchStats();
      const state = await model.snapshotAsync();
      assertClose(state[2], c.expected.runningMean!, { rtol: 1e-5, atol: 1e-7, what: 'running mean' });
      assertClose(state[3], c.expected.runningVar!, { rtol: 1e-5, atol: 1e-7, what: 'running variance' });
      const evalOut = model.apply(x, false);
      assertClose(await read(evalOut.logits), c.expected.evalLogits!.flat(), { rtol: 1e-4, atol: 1e-5, what: 'eval logits' });
      model.dispose();
    });

    test(`${label}: BiHDM (${modality}) matches the numpy forward pass, taps included`, async () => {
      const c = backboneReference.bihdm[modality];
      const model = restored('bihdm', modality, c);
      const x = tf.tensor2d(c.x);
      for (const training of [true, false]) {
        const out = model.apply(x, training);
        assertClose(await read(out.logits), c.expected.logits.flat(), { rtol: 1e-4, atol: 1e-5, what: 'logits' });
        for (const [i, f] of out.features.entries()) {
          assertClose(await read(f), c.expected.features[i].flat(), { rtol: 1e-4, atol: 1e-5, what: `tap ${i}` });
        }
      }
      model.dispose();
    });
  }

  test(`${label}: the stacked tanh RNN's states and hand-written gradients match numpy's BPTT`, async () => {
    const r = backboneReference.rnn;
    const a = tf.tensor2d(r.inputTerm);
    const u = tf.tensor3d(r.recurrent);
    const upstream = tf.tensor2d(r.upstream);
    const states = stackedTanhRnn(a, u, r.steps);
    assertClose(await read(states), r.expected.states.flat(), { rtol: 1e-5, atol: 1e-6, what: 'states' });
    const [dA, dU] = tf.grads((...args: tf.Tensor[]) =>
      tf.sum(tf.mul(stackedTanhRnn(args[0] as Tensor2D, args[1] as Tensor3D, r.steps), upstream)),
    )([a, u]);
    assertClose(await read(dA), r.expected.dInput.flat(), { rtol: 1e-4, atol: 1e-6, what: 'dInput' });
    assertClose(await read(dU), r.expected.dRecurrent.flat(2), { rtol: 1e-4, atol: 1e-6, what: 'dRecurrent' });
    assert.equal(states.shape.join(), [r.inputTerm.length, r.inputTerm[0].length].join());
  });
}
