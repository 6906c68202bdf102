import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, selectBackend, type Tensor2D, tf } from '@cmcrd/core';
import { rkdLossAndGradient, rkdLossOnDevice } from '../src/rkd.js';
import { assertClose, read } from './helpers.js';

// The RKD gradient is written by hand; check it against central finite differences of the same
// loss (computed in float64 on the host), with a dead feature (a ReLU unit off for the whole batch).
test('the hand-written RKD gradient matches finite differences', () => {
  const r = createRandom(11);
  const n = 6;
  const ds = 5;
  const dt = 4;
  const fs = Float32Array.from({ length: n * ds }, () => Math.max(0, r.normal()));
  const ft = Float32Array.from({ length: n * dt }, () => Math.max(0, r.normal()));
  for (let i = 0; i < n; i++) fs[i * ds + 4] = 0; // a dead feature
  const o = { distanceWeight: 25, angleWeight: 50 };
  const { gradient } = rkdLossAndGradient(fs, ft, n, ds, dt, o);
  const h = 1e-3;
  for (let e = 0; e < n * ds; e++) {
    const plus = Float32Array.from(fs);
    const minus = Float32Array.from(fs);
    plus[e] += h;
    minus[e] -= h;
    const fd = (rkdLossAndGradient(plus, ft, n, ds, dt, o).value - rkdLossAndGradient(minus, ft, n, ds, dt, o).value) / (plus[e] - minus[e]);
    assert.ok(Math.abs(fd - gradient[e]) <= 1e-3 * Math.max(1, Math.abs(fd)), `entry ${e}: finite difference ${fd}, gradient ${gradient[e]}`);
  }
});

test('two identical rows (a zero difference vector) give a finite loss and gradient', () => {
  // The loss has a kink there (the reference normalises x / max(‖x‖, ε)): only finiteness is asked.
  const r = createRandom(12);
  const n = 5;
  const d = 4;
  const fs = Float32Array.from({ length: n * d }, () => r.normal());
  fs.set(fs.subarray(0, d), 2 * d);
  const ft = Float32Array.from({ length: n * d }, () => r.normal());
  const { value, gradient } = rkdLossAndGradient(fs, ft, n, d, d, { distanceWeight: 25, angleWeight: 50 });
  assert.ok(Number.isFinite(value));
  assert.ok(gradient.every(Number.isFinite));
});

// The device placement's RKD (tensor ops, tfjs's gradients) against the hand-written host version
// on the same batch, dead feature included: one contract, two implementations.
test('the device RKD (tensor ops) gives the host version\'s value and gradient', async () => {
  await selectBackend('cpu');
  const r = createRandom(13);
  const n = 6;
  const ds = 5;
  const dt = 4;
  const fs = Float32Array.from({ length: n * ds }, () => Math.max(0, r.normal()));
  const ft = Float32Array.from({ length: n * dt }, () => Math.max(0, r.normal()));
  for (let i = 0; i < n; i++) fs[i * ds + 4] = 0;
  const o = { distanceWeight: 25, angleWeight: 50 };
  const host = rkdLossAndGradient(fs, ft, n, ds, dt, o);
  const teacher = tf.tensor2d(ft, [n, dt]) as Tensor2D;
  const student = tf.variable(tf.tensor2d(fs, [n, ds]), true, 'rkd-device-student');
  const { value, grads } = tf.variableGrads(() => rkdLossOnDevice(student as unknown as Tensor2D, teacher, o), [student]);
  assertClose((await read(value))[0], host.value, { rtol: 1e-5, what: 'RKD value' });
  assertClose(await read(grads[student.name]), host.gradient, { rtol: 1e-4, atol: 1e-6, what: 'dRKD/df' });
  tf.dispose([teacher, student, value, ...Object.values(grads)]);
});
