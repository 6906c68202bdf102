import type { Random } from '../random.js';

/**
 * Draws, for each sample of a batch, K negatives among the training samples of *other* classes:
 * without replacement when the pool is large enough, with replacement otherwise (as CRD does).
 */
export class NegativeSampler {
  private readonly pools: Int32Array[];
  private readonly scratch: Int32Array;

  constructor(
    labels: Int32Array,
    numClasses: number,
    readonly k: number,
    private readonly random: Random,
  ) {
    this.pools = [];
    let largest = 0;
    for (let c = 0; c < numClasses; c++) {
      const pool: number[] = [];
      for (let i = 0; i < labels.length; i++) if (labels[i] !== c) pool.push(i);
      this.pools.push(Int32Array.from(pool));
      largest = Math.max(largest, pool.length);
    }
    this.scratch = new Int32Array(largest);
  }

  /** K negatives for each sample of a batch, row-major [n, K]. */
  draw(labels: ArrayLike<number>): Int32Array {
    const out = new Int32Array(labels.length * this.k);
    for (let b = 0; b < labels.length; b++) {
      let t = b * this.k;
      this.forEach(labels[b], (j) => {
        out[t++] = j;
      });
    }
    return out;
  }

  /** Calls visit(j) for each of the K negatives of a sample of class `label`. */
  forEach(label: number, visit: (j: number) => void): void {
    const pool = this.pools[label];
    const m = pool.length;
    if (m === 0) throw new Error(`no training samples outside class ${label} to draw negatives from`);
    if (this.k > m) {
      for (let t = 0; t < this.k; t++) visit(pool[this.random.fastInt(m)]);
      return;
    }
    // Partial Fisher–Yates on a scratch copy. When K is more than half the pool it is cheaper to
    // draw the m − K samples left out and visit the rest: the same uniform draw without replacement.
    const s = this.scratch;
    s.set(pool);
    const excluded = this.k > m / 2;
    const draws = excluded ? m - this.k : this.k;
    for (let t = 0; t < draws; t++) {
      const r = t + this.random.fastInt(m - t);
      const v = s[r];
      s[r] = s[t];
      s[t] = v;
    }
    const from = excluded ? draws : 0;
    const to = excluded ? m : draws;
    for (let t = from; t < to; t++) visit(s[t]);
  }
}
