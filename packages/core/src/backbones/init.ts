import type { Random } from '../random.js';

/** PyTorch's default Linear initialisation: U(-1/sqrt(fanIn), 1/sqrt(fanIn)) for weights and bias. */
export function uniformInit(size: number, fanIn: number, random: Random): Float32Array {
  const bound = 1 / Math.sqrt(fanIn);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (2 * random.next() - 1) * bound;
  return out;
}
