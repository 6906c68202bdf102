import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { type DistillBatch, type DistillerPlugin, type Tensor2D, selectBackend, tf } from '@cmcrd/core';
import { builtinDistillers } from '../src/index.js';
import { type BatchArrays, context, flat, randomArrays } from './helpers.js';

before(async () => {
  await selectBackend('cpu');
});

const C = 3;
const N = 8;
const STUDENT_DIMS = [4, 6];
const TEACHER_DIMS = [3, 5, 4];
const TRAIN_LABELS = Int32Array.from({ length: 12 }, (_, i) => i % C);

/** Which student inputs each loss reads (the rest must get no gradient): DESIGN.md §3's taps. */
const USES: Record<string, { logits: boolean; taps: number[] }> = {
  kd: { logits: true, taps: [] },
  fitnet: { logits: false, taps: [1] },
  // min(2 student taps, 3 teacher taps) = 2 pairs: both student taps.
  nst: { logits: false, taps: [0, 1] },
  sp: { logits: false, taps: [0] },
  rkd: { logits: false, taps: [1] },
  pkt: { logits: false, taps: [1] },
  crd: { logits: false, taps: [1] },
};

const SMALL: Record<string, Record<string, unknown>> = { crd: { negatives: 4, dim: 8 } };

let counter = 0;

/** Every batch tensor as a trainable variable of its own, so that tf.variableGrads reaches it. */
function variableBatch(a: BatchArrays) {
  const vars: { side: 'student' | 'teacher'; what: string; v: tf.Variable }[] = [];
  const make = (side: 'student' | 'teacher', what: string) => (values: number[][]) => {
    const t = tf.tensor2d(values);
    const v = tf.variable(t, true, `gradtest${counter++}/${side}/${what}`);
    t.dispose();
    vars.push({ side, what, v });
    return v as unknown as Tensor2D;
  };
  const oneHot = tf.tensor2d(
    Array.from(a.labels, (y) => Array.from({ length: C }, (_, j) => (j === y ? 1 : 0))),
  ) as Tensor2D;
  const batch: DistillBatch = {
    student: {
      logits: make('student', 'logits')(a.student.logits),
      features: a.student.features.map((f, i) => make('student', `tap${i}`)(f)),
    },
    teacher: {
      logits: make('teacher', 'logits')(a.teacher.logits),
      features: a.teacher.features.map((f, i) => make('teacher', `tap${i}`)(f)),
    },
    labels: a.labels,
    labelsOneHot: oneHot,
    indices: a.indices,
  };
  return { batch, vars, dispose: () => tf.dispose([oneHot, ...vars.map((x) => x.v)]) };
}

const nonZero = (g: tf.Tensor | undefined) => !!g && flat(g).some((v) => v !== 0);

describe('gradients: the student and the plugin variables, never the teacher', () => {
  for (const plugin of builtinDistillers as DistillerPlugin[]) {
    test(`${plugin.name}: gradient reaches the used student inputs and own variables; teacher inputs get none`, () => {
      const start = tf.memory().numTensors;
      const a = randomArrays(31, N, C, STUDENT_DIMS, TEACHER_DIMS);
      // A neuron dead over the whole batch (as after a ReLU), in each tap of both sides.
      for (const side of [a.student, a.teacher])
        for (const f of side.features) for (const row of f) row[0] = 0;
      const d = plugin.create(
        context(STUDENT_DIMS, TEACHER_DIMS, C, TRAIN_LABELS, 7),
        plugin.options.parse(SMALL[plugin.name] ?? {}) as Record<string, unknown>,
      );
      const { batch, vars, dispose } = variableBatch(a);
      const { value, grads } = tf.variableGrads(
        () => d.loss(batch),
        [...vars.map((x) => x.v), ...d.variables],
      );
      assert.ok(Number.isFinite(flat(value)[0]), `loss ${flat(value)[0]}`);
      for (const g of Object.values(grads))
        assert.ok(flat(g).every(Number.isFinite), `${plugin.name}: a non-finite gradient`);

      const uses = USES[plugin.name];
      for (const { side, what, v } of vars) {
        const g = grads[v.name];
        if (side === 'teacher') {
          assert.ok(!nonZero(g), `${plugin.name}: teacher ${what} received a gradient`);
          continue;
        }
        const used = what === 'logits' ? uses.logits : uses.taps.includes(Number(what.slice(3)));
        assert.equal(
          nonZero(g),
          used,
          `${plugin.name}: student ${what} ${used ? 'has no' : 'has a'} gradient`,
        );
      }
      const expectedVars = { fitnet: 2, crd: 4 }[plugin.name] ?? 0;
      assert.equal(d.variables.length, expectedVars, `${plugin.name}: own variables`);
      for (const v of d.variables)
        assert.ok(nonZero(grads[v.name]), `${plugin.name}: ${v.name} has no gradient`);

      // Nothing outlives the step: the loss's tensors go with the tape, CRD's kept embeddings
      // with afterStep, the plugin's variables with dispose().
      tf.dispose([value, ...Object.values(grads)]);
      d.afterStep?.({ labels: batch.labels, indices: batch.indices });
      dispose();
      d.dispose();
      assert.equal(tf.memory().numTensors, start, `${plugin.name}: tensors leaked`);
    });
  }
});
