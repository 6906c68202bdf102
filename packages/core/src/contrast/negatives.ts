import type { Random } from '../random.js';

/**
 * Draws, for each sample of a batch, K negatives among the training samples of *other* classes:
 * without replacement when the pool is large enough, with replacement otherwise (as CRD does).
 */
export class NegativeSampler {
  private readonly pools: Int32Array[];
  /** Per pool position: how many times it was drawn for the current sample. */
  private readonly counts: Int32Array;

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
    this.counts = new Int32Array(largest);
  }

  /** K negatives for each sample of a batch, row-major [n, K], each row in ascending order. */
  draw(labels: ArrayLike<number>): Int32Array {
    const out = new Int32Array(labels.length * this.k);
    for (let b = 0; b < labels.length; b++) this.drawInto(labels[b], out, b * this.k);
    return out;
  }

  /**
   * Writes the K negatives of a sample of class `label` at out[offset…], ascending (the loss then
   * reads the score matrix in order). Without replacement it uses Floyd's algorithm — on the
   * m − K samples left out when K is more than half the pool, which is cheaper and the same
   * uniform draw.
   */
  drawInto(label: number, out: Int32Array, offset: number): void {
    const pool = this.pools[label];
    const m = pool.length;
    if (m === 0) throw new Error(`no training samples outside class ${label} to draw negatives from`);
    const counts = this.counts;
    counts.fill(0, 0, m);
    const k = this.k;
    let o = offset;
    if (k > m) {
      for (let t = 0; t < k; t++) counts[this.random.fastInt(m)]++;
      for (let t = 0; t < m; t++) for (let r = counts[t]; r > 0; r--) out[o++] = pool[t];
    } else {
      const leaveOut = k > m / 2;
      const draws = leaveOut ? m - k : k;
      for (let j = m - draws; j < m; j++) {
        const t = this.random.fastInt(j + 1);
        if (counts[t]) counts[j] = 1;
        else counts[t] = 1;
      }
      const wanted = leaveOut ? 0 : 1;
      for (let t = 0; t < m; t++) if (counts[t] === wanted) out[o++] = pool[t];
    }
    if (o !== offset + k) throw new Error(`negative sampler drew ${o - offset} instead of ${k}`);
  }
}
