import { type Tensor, type Variable, tf } from '../tf.js';
import type { Random } from '../random.js';

/** PyTorch's default Linear initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and bias. */
export function uniformInit(size: number, fanIn: number, random: Random): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * random.next() - 1) * bound;
  return out;
}

/** A variable holding `initial`'s values; `initial` is disposed (tf.variable copies it). */
export function newVariable(initial: Tensor, trainable: boolean, name: string): Variable {
  const v = tf.variable(initial, trainable, name);
  initial.dispose();
  return v;
}

/** Glorot/Xavier normal: N(0, 2/(fanIn + fanOut)), the reference DGCNN's initialisation. */
export function xavierNormalInit(size: number, fanIn: number, fanOut: number, random: Random): Float32Array {
  const std = Math.sqrt(2 / (fanIn + fanOut));
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = random.normal() * std;
  return out;
}
