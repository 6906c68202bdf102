import { type Tensor2D, tf } from '../tf.js';

/** A labelled set of row vectors, row-major. */
export interface LabelledSet {
  x: Float32Array;
  dim: number;
  labels: Int32Array;
}

export function rowCount(set: { x: Float32Array; dim: number }): number {
  return set.x.length / set.dim;
}

/** Copies the given rows of a row-major matrix into a new [rows, dim] tensor. */
export function gatherRows(x: Float32Array, dim: number, rows: ArrayLike<number>): Tensor2D {
  const out = new Float32Array(rows.length * dim);
  for (let r = 0; r < rows.length; r++) out.set(x.subarray(rows[r] * dim, rows[r] * dim + dim), r * dim);
  return tf.tensor2d(out, [rows.length, dim]);
}

export function oneHot(labels: ArrayLike<number>, rows: ArrayLike<number>, numClasses: number): Tensor2D {
  const out = new Float32Array(rows.length * numClasses);
  for (let r = 0; r < rows.length; r++) out[r * numClasses + labels[rows[r]]] = 1;
  return tf.tensor2d(out, [rows.length, numClasses]);
}

/** Checks a set before training: shapes agree, values finite, labels in range. */
export function checkLabelledSet(name: string, set: LabelledSet, numClasses: number): void {
  if (set.dim <= 0 || set.x.length % set.dim !== 0) {
    throw new Error(`${name}: ${set.x.length} values are not a whole number of rows of ${set.dim}`);
  }
  const n = set.x.length / set.dim;
  if (set.labels.length !== n) throw new Error(`${name}: ${n} rows but ${set.labels.length} labels`);
  for (let i = 0; i < set.x.length; i++) {
    if (!Number.isFinite(set.x[i])) {
      throw new Error(
        `${name}: non-finite value ${set.x[i]} at row ${Math.floor(i / set.dim)}, column ${i % set.dim}`,
      );
    }
  }
  for (let i = 0; i < n; i++) {
    if (!(set.labels[i] >= 0 && set.labels[i] < numClasses)) {
      throw new Error(`${name}: label ${set.labels[i]} at row ${i} outside 0..${numClasses - 1}`);
    }
  }
}
