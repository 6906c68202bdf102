// Small helpers shared by the baseline plugins (not a plugin itself).
import { type Scalar, type Tensor, type Tensor2D, stopGradient, tf } from '@cmcrd/core';

const counters = new Map<string, number>();

/** A fresh variable-name prefix per plugin instance ('fitnet0', 'fitnet1', ...): tfjs names are global. */
export function instanceId(plugin: string): string {
  const k = counters.get(plugin) ?? 0;
  counters.set(plugin, k + 1);
  return `${plugin}${k}`;
}

/**
 * A teacher-side tensor as the loss may use it: same value, no gradient. The trainer already
 * passes constants; this makes each plugin's loss independent of that.
 */
export function teacherConstant<T extends Tensor>(x: T): T {
  return stopGradient(x);
}

/** The tap `fromEnd` places before the last (0 = the last, 1 = the second-to-last), checked. */
export function tapFromEnd(features: Tensor2D[], fromEnd: number, plugin: string, side: string): Tensor2D {
  const i = features.length - 1 - fromEnd;
  if (i < 0)
    throw new Error(`${plugin}: the ${side} has ${features.length} feature tap(s), needs ${fromEnd + 1}`);
  return features[i];
}

/** Checks at create() time that a backbone has enough taps. */
export function requireTaps(dims: number[], count: number, plugin: string, side: string): void {
  if (dims.length < count)
    throw new Error(`${plugin}: the ${side} backbone has ${dims.length} feature tap(s), needs ${count}`);
}

/**
 * x / max(‖x‖, eps) along `axis` (torch's F.normalize). The norm is taken as sqrt(max(Σx², eps²)),
 * so that an all-zero vector (a dead ReLU neuron) gives 0 with a zero, not NaN, gradient.
 */
export function l2Normalize<T extends Tensor>(x: T, axis: number, eps = 1e-12): T {
  return tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), eps * eps))) as T;
}

/** torch's F.smooth_l1_loss(a, b) with beta 1 and mean reduction: 0.5x² for |x| < 1, |x| − 0.5 beyond. */
export function smoothL1Mean(a: Tensor, b: Tensor): Scalar {
  const x = tf.abs(tf.sub(a, b));
  const q = tf.minimum(x, 1);
  return tf.mean(tf.add(tf.mul(tf.square(q), 0.5), tf.sub(x, q))) as Scalar;
}
