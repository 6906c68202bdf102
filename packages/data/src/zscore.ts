export interface ZscoreStats {
  mean: Float64Array;
  std: Float64Array;
}

/** Floor on the per-column standard deviation, so constant columns map to 0 instead of NaN/Infinity. */
export const STD_FLOOR = 1e-8;

/** Per-column mean and (population) standard deviation of a row-major n x dim matrix; two passes in float64. */
export function zscoreFit(x: Float32Array, dim: number): ZscoreStats {
  return zscoreFitRows(x, dim, null);
}

/**
 * As {@link zscoreFit}, restricted to the given row indices (all rows when `rows` is null).
 * @internal used by the split builder to avoid copying.
 */
export function zscoreFitRows(x: Float32Array, dim: number, rows: Int32Array | null): ZscoreStats {
  checkDim(x, dim);
  const total = x.length / dim;
  const n = rows ? rows.length : total;
  const mean = new Float64Array(dim);
  const std = new Float64Array(dim);
  if (n === 0) {
    std.fill(1);
    return { mean, std };
  }
  for (let i = 0; i < n; i++) {
    const o = (rows ? rows[i] : i) * dim;
    for (let j = 0; j < dim; j++) mean[j] += x[o + j];
  }
  for (let j = 0; j < dim; j++) mean[j] /= n;
  for (let i = 0; i < n; i++) {
    const o = (rows ? rows[i] : i) * dim;
    for (let j = 0; j < dim; j++) {
      const d = x[o + j] - mean[j];
      std[j] += d * d;
    }
  }
  for (let j = 0; j < dim; j++) std[j] = Math.max(Math.sqrt(std[j] / n), STD_FLOOR);
  return { mean, std };
}

/** (x - mean) / std per column; returns a new array. */
export function zscoreApply(x: Float32Array, dim: number, stats: ZscoreStats): Float32Array {
  const out = new Float32Array(x);
  zscoreApplyInPlace(out, dim, stats);
  return out;
}

/** @internal in-place variant of {@link zscoreApply}, optionally restricted to some rows. */
export function zscoreApplyInPlace(
  x: Float32Array,
  dim: number,
  stats: ZscoreStats,
  rows?: ArrayLike<number>,
): void {
  checkDim(x, dim);
  if (stats.mean.length !== dim || stats.std.length !== dim) {
    throw new RangeError(`z-score stats have ${stats.mean.length} columns, expected ${dim}`);
  }
  const inv = new Float64Array(dim);
  for (let j = 0; j < dim; j++) inv[j] = 1 / stats.std[j];
  const { mean } = stats;
  const n = rows ? rows.length : x.length / dim;
  for (let i = 0; i < n; i++) {
    const o = (rows ? rows[i] : i) * dim;
    for (let j = 0; j < dim; j++) x[o + j] = (x[o + j] - mean[j]) * inv[j];
  }
}

function checkDim(x: Float32Array, dim: number): void {
  if (!Number.isInteger(dim) || dim <= 0 || x.length % dim !== 0) {
    throw new RangeError(`array of length ${x.length} is not a whole number of rows of dim ${dim}`);
  }
}
