import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** A seeded source of randomness; every stochastic choice in training draws from one of these. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /**
   * Integer in [0, n) from a single 32-bit draw (bias below n/2³², negligible for the sizes here):
   * for hot loops such as drawing tens of thousands of negatives a step.
   */
  fastInt(n: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** In-place Fisher–Yates shuffle. */
  shuffle<T extends { length: number; [i: number]: number }>(a: T): T;
  /** An independent child stream, so that adding draws in one place does not shift another. */
  fork(label: string): Random;
}

function hashLabel(label: string): number {
  let h = 2166136261;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

export function createRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed | 0);
  let spare: number | null = null;
  const self: Random = {
    next: () => uniformFloat64(rng),
    int: (n) => uniformInt(rng, 0, n - 1),
    fastInt: (n) => Math.floor(((rng.next() >>> 0) / 4294967296) * n),
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = self.next();
      const v = self.next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle(a) {
      for (let i = a.length - 1; i > 0; i--) {
        const j = self.int(i + 1);
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    },
    fork: (label) => createRandom((seed * 2654435761 + hashLabel(label)) | 0),
  };
  return self;
}
