// t-SNE embeddings of a fold's test-set features, for the paper's Fig. 4 (a fold without and with
// distillation side by side).
//
// The t-SNE is DruidJS's (@saehrimnir/druidjs, LGPL-3.0-or-later, used unmodified as an npm
// dependency): it is maintained, ships ES modules with its own type declarations and no
// dependencies, takes a seed, and runs the O(n²) gradient step in a synchronous WebAssembly kernel
// (falling back to JavaScript where WebAssembly is missing). The alternative, tsne-js (Apache-2.0),
// has not been released since 2016, is CommonJS without types and computes on ndarray.
import { type Backbone, type Outputs, type Random, createRandom, inferAll, inferAllAsync, tf } from '@cmcrd/core';
import { TSNE } from '@saehrimnir/druidjs';
import type { ArtifactInput, TsneArtifact } from '@cmcrd/store';

/** At most this many test rows are embedded (a label-stratified subsample of larger test sets). */
export const TSNE_MAX_POINTS = 400;
/** t-SNE's perplexity; capped at (n − 1) / 3 for small test sets. */
export const TSNE_PERPLEXITY = 30;
/**
 * Gradient steps. DruidJS exaggerates P for the first 100; 50 more at learning rate 50 reach the
 * neighbourhood preservation of 1,000 steps (10-NN overlap with feature space 0.77 against 0.77 for
 * DGCNN, 0.82 against 0.83 for BiHDM, 0.71 against 0.72 for DNN, on synthetic SEED-IV test folds),
 * at a third of a second or so per fold on one core for 400 points.
 */
export const TSNE_ITERATIONS = 150;
/** DruidJS's epsilon: the learning rate (its default is 10; 50 converges in fewer steps, as in scikit-learn's 'auto' for n ≤ 2400). */
export const TSNE_LEARNING_RATE = 50;

export interface EmbeddingInput {
  /** The fold's final model (a unimodal model or the distilled student). */
  model: Backbone;
  /** The test split's rows of the modality the model reads, row-major, `dim` values each. */
  x: Float32Array;
  dim: number;
  labels: Int32Array;
  /** The fold's training seed: seeds the subsample and t-SNE's initial layout. */
  seed: number;
  /**
   * Names the subsample's random stream (e.g. the fold key). Folds that share it and the seed embed
   * the same test rows, so that a fold without and with distillation are compared point for point.
   */
  stream: string;
}

/**
 * At most `max` row indices (ascending), stratified by label: each class keeps its share of the
 * rows (largest remainders, ties to the smaller label, fill the last places), drawn at random within
 * the class. All rows when there are no more than `max`.
 */
export function stratifiedSample(labels: ArrayLike<number>, max: number, random: Random): number[] {
  const n = labels.length;
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const rows = byClass.get(labels[i]);
    if (rows) rows.push(i);
    else byClass.set(labels[i], [i]);
  }
  const classes = [...byClass.keys()].sort((a, b) => a - b);
  const quota = new Map(classes.map((c) => [c, Math.floor((max * byClass.get(c)!.length) / n)]));
  let left = max - [...quota.values()].reduce((a, b) => a + b, 0);
  const remainder = (c: number) => (max * byClass.get(c)!.length) / n - quota.get(c)!;
  for (const c of [...classes].sort((a, b) => remainder(b) - remainder(a) || a - b)) {
    if (left === 0) break;
    quota.set(c, quota.get(c)! + 1);
    left--;
  }
  const out: number[] = [];
  for (const c of classes) {
    const rows = Int32Array.from(byClass.get(c)!);
    random.shuffle(rows);
    for (let k = 0; k < quota.get(c)!; k++) out.push(rows[k]);
  }
  return out.sort((a, b) => a - b);
}

/** The perplexity used for n points: TSNE_PERPLEXITY, or (n − 1) / 3 when that is smaller (at least 1). */
export function perplexityFor(n: number): number {
  return Math.max(1, Math.min(TSNE_PERPLEXITY, Math.floor((n - 1) / 3)));
}

/**
 * Squared Euclidean distances between the rows, as ‖a‖² + ‖b‖² − 2a·b on the tensor backend (one
 * matrix product: ten times faster than a JavaScript loop for DGCNN's 992-d features), clamped at
 * zero, with a zero diagonal.
 */
function distanceTensor(x: Float32Array, n: number, dim: number): tf.Tensor {
  return tf.tidy(() => {
    const t = tf.tensor2d(x, [n, dim]);
    const sq = tf.sum(tf.mul(t, t), 1);
    const gram = tf.matMul(t, t, false, true);
    return tf.relu(tf.sub(tf.add(tf.reshape(sq, [n, 1]), tf.reshape(sq, [1, n])), tf.mul(gram, 2)));
  });
}

function squaredDistances(x: Float32Array, n: number, dim: number): Float64Array[] {
  const d = distanceTensor(x, n, dim);
  const values = d.dataSync() as Float32Array;
  d.dispose();
  return distanceRows(values, n);
}

/** The same without synchronous reads (webgpu in Node has none). */
async function squaredDistancesAsync(x: Float32Array, n: number, dim: number): Promise<Float64Array[]> {
  const d = distanceTensor(x, n, dim);
  const values = (await d.data()) as Float32Array;
  d.dispose();
  return distanceRows(values, n);
}

function distanceRows(values: Float32Array, n: number): Float64Array[] {
  return Array.from({ length: n }, (_, i) => {
    const row = Float64Array.from(values.subarray(i * n, (i + 1) * n));
    row[i] = 0;
    return row;
  });
}

/** Coordinates rounded to 1e-4: plenty for a plot, and a third of the JSON. */
const round = (v: number) => Math.round(v * 1e4) / 1e4;

/**
 * The 2-D t-SNE of the model's last feature tap (the penultimate representation, which the
 * classifier head reads) on a stratified subsample of the test rows. Deterministic: the same model,
 * rows, seed and stream give the same coordinates (on the same tensor backend).
 */
export function embedTestSet(input: EmbeddingInput): TsneArtifact {
  const t0 = performance.now();
  const { indices, rows } = sampleRows(input);
  const out = inferAll(input.model, rows, input.dim, true);
  const features = checkedFeatures(input.model, out, indices);
  return project(input, indices, out, squaredDistances(features, indices.length, features.length / indices.length), t0);
}

/** embedTestSet without synchronous reads, for backends that have none (webgpu in Node). */
export async function embedTestSetAsync(input: EmbeddingInput): Promise<TsneArtifact> {
  const t0 = performance.now();
  const { indices, rows } = sampleRows(input);
  const out = await inferAllAsync(input.model, rows, input.dim, true);
  const features = checkedFeatures(input.model, out, indices);
  return project(input, indices, out, await squaredDistancesAsync(features, indices.length, features.length / indices.length), t0);
}

function sampleRows(input: EmbeddingInput): { indices: number[]; rows: Float32Array } {
  const { x, dim, labels } = input;
  const n = labels.length;
  if (x.length !== n * dim) throw new Error(`t-SNE: ${x.length} values are not ${n} rows of ${dim}`);
  if (n < 2) throw new Error(`t-SNE: needs at least 2 test rows, got ${n}`);
  const indices = stratifiedSample(labels, TSNE_MAX_POINTS, createRandom(input.seed).fork(`tsne:${input.stream}`));
  const m = indices.length;
  const rows = new Float32Array(m * dim);
  for (let r = 0; r < m; r++) rows.set(x.subarray(indices[r] * dim, indices[r] * dim + dim), r * dim);
  return { indices, rows };
}

function checkedFeatures(model: Backbone, out: Outputs, indices: number[]): Float32Array {
  const tap = model.featureDims.length - 1;
  const fdim = model.featureDims[tap];
  const features = out.features[tap];
  for (let i = 0; i < features.length; i++) {
    if (!Number.isFinite(features[i])) throw new Error(`t-SNE: the model's features are not finite (row ${indices[Math.floor(i / fdim)]})`);
  }
  return features;
}

function project(input: EmbeddingInput, indices: number[], out: Outputs, distances: Float64Array[], t0: number): TsneArtifact {
  const { model, labels } = input;
  const tap = model.featureDims.length - 1;
  const fdim = model.featureDims[tap];
  const m = indices.length;
  const perplexity = perplexityFor(m);
  const tsne = new TSNE(distances, {
    metric: 'precomputed',
    perplexity,
    epsilon: TSNE_LEARNING_RATE,
    d: 2,
    seed: input.seed,
  });
  const projected = tsne.transform(TSNE_ITERATIONS);
  const points = projected.map((p): [number, number] => [round(p[0]), round(p[1])]);
  for (const [px, py] of points) if (!Number.isFinite(px) || !Number.isFinite(py)) throw new Error('t-SNE: the embedding diverged (non-finite coordinates)');
  return {
    points,
    labels: indices.map((i) => labels[i]),
    predicted: Array.from(out.predictions),
    indices,
    perplexity,
    iterations: TSNE_ITERATIONS,
    seed: input.seed,
    features: `${model.name} features[${tap}] of ${model.featureDims.length} (penultimate), ${fdim}-d`,
    ms: Math.round(performance.now() - t0),
  };
}

/**
 * A fold's artifacts from `compute`, or none when it throws: an embedding is an extra for plots,
 * so its failure never fails the fold. The failure is reported on stderr, naming the fold.
 */
/** guardedArtifacts for an asynchronous computation. */
export async function guardedArtifactsAsync<A extends ArtifactInput>(fold: string, compute: () => Promise<A>): Promise<A[]> {
  try {
    return [await compute()];
  } catch (e) {
    console.error(`cmcrd: warning: no t-SNE embedding for ${fold}: ${(e as Error).message}`);
    return [];
  }
}

export function guardedArtifacts<A extends ArtifactInput>(fold: string, compute: () => A): A[] {
  try {
    return [compute()];
  } catch (e) {
    console.error(`cmcrd: warning: no t-SNE embedding for ${fold}: ${(e as Error).message}`);
    return [];
  }
}
