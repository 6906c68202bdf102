// Using an exported model in Node (`cmcrd predict`, the tests): load the directory `cmcrd export`
// wrote, preprocess raw feature rows as preprocess.json says, and run the graph.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type GraphModel, loadGraphModel, tf } from '@cmcrd/core';
import { zscoreApply, zscoreFit } from '@cmcrd/data';
import { UserError } from '@cmcrd/data/user-error';
import type { PreprocessFile } from '@cmcrd/reports';

export class ExportedModelError extends UserError {
  override name = 'ExportedModelError';
}

export interface ExportedModel {
  graph: GraphModel;
  preprocess: PreprocessFile;
  inputDim: number;
  numClasses: number;
  dir: string;
}

function readJson<T>(path: string, what: string): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ExportedModelError(`${path}: cannot read ${what} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); --model must be a folder written by cmcrd export`);
  }
  try {
    return JSON.parse(text) as T;
  } catch (e) {
    throw new ExportedModelError(`${path}: ${what} is not JSON (${(e as Error).message})`);
  }
}

/** Loads model.json, its weight shards and preprocess.json from `dir`. */
export async function loadExportedModel(dir: string): Promise<ExportedModel> {
  const modelJson = readJson<{ modelTopology: unknown; weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[]; signature?: unknown; format?: string }>(
    join(dir, 'model.json'),
    'the model (model.json)',
  );
  const preprocess = readJson<PreprocessFile>(join(dir, 'preprocess.json'), 'the preprocessing (preprocess.json)');
  if (!Array.isArray(modelJson.weightsManifest)) throw new ExportedModelError(`${join(dir, 'model.json')}: no weightsManifest`);
  const shards = modelJson.weightsManifest.flatMap((g) => g.paths).map((p) => {
    try {
      return readFileSync(join(dir, p));
    } catch {
      throw new ExportedModelError(`${join(dir, p)}: the weight shard model.json names is missing`);
    }
  });
  const weightData = new Uint8Array(shards.reduce((s, b) => s + b.length, 0));
  let o = 0;
  for (const b of shards) {
    weightData.set(b, o);
    o += b.length;
  }
  const graph = await loadGraphModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
      weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
      weightData: weightData.buffer,
      format: modelJson.format,
      signature: modelJson.signature as tf.io.ModelArtifacts['signature'],
    }),
  );
  const inputDim = preprocess.input?.shape?.[1];
  if (!Number.isInteger(inputDim) || !Array.isArray(preprocess.classNames)) throw new ExportedModelError(`${join(dir, 'preprocess.json')}: no input shape or class names`);
  return { graph, preprocess, inputDim, numClasses: preprocess.classNames.length, dir };
}

/**
 * The model's inputs for raw feature rows: z-scored with the training split's statistics, or, for
 * a model trained with per-subject normalisation, with the rows' own (one subject's recording).
 * The same float64 arithmetic as training (packages/data/src/zscore.ts), then float32.
 */
export function preprocessRows(pre: PreprocessFile, raw: Float32Array, dim: number): Float32Array {
  if (pre.mean && pre.std) return zscoreApply(raw, dim, { mean: Float64Array.from(pre.mean), std: Float64Array.from(pre.std) });
  return zscoreApply(raw, dim, zscoreFit(raw, dim));
}

/** Rows per graph execution: the training code's inference chunk (core's inferAll). */
const CHUNK = 4096;

export interface Prediction {
  /** n × classes, row-major. */
  probabilities: Float32Array;
  /** The class with the largest logit, per row. */
  predictions: Int32Array;
}

/** Class probabilities and predicted classes of already preprocessed rows. */
export function runGraph(model: ExportedModel, x: Float32Array): Prediction {
  const dim = model.inputDim;
  const c = model.numClasses;
  const n = x.length / dim;
  const probabilities = new Float32Array(n * c);
  const predictions = new Int32Array(n);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * dim, end * dim), [end - start, dim]);
      const [probs, logits] = model.graph.execute(input, ['probabilities', 'logits']) as tf.Tensor[];
      probabilities.set(probs.dataSync() as Float32Array, start * c);
      predictions.set(tf.argMax(logits, 1).dataSync() as Int32Array, start);
    });
  }
  return { probabilities, predictions };
}

/** Raw feature rows → preprocessing → graph. */
export function predictRows(model: ExportedModel, raw: Float32Array): Prediction {
  return runGraph(model, preprocessRows(model.preprocess, raw, model.inputDim));
}
