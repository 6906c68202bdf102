// Runs a fold's exported model (GET /api/folds/{id}/model/…) in the browser with TensorFlow.js, on
// the fold's test windows (GET /api/folds/{id}/test-windows). Loaded only when a user asks for it
// (components/TryIt.tsx imports it dynamically): the rest of the dashboard never loads tfjs.
import '@tensorflow/tfjs-backend-cpu';
import { loadGraphModel } from '@tensorflow/tfjs-converter';
import * as tf from '@tensorflow/tfjs-core';
import type { ApiError, FoldTestWindows, ModelPreprocess } from '@cmcrd/api/contract';

export interface TryItResult {
  backend: string;
  n: number;
  accuracy: number;
  confusion: number[][];
  /** n × classes, row-major. */
  probabilities: number[];
  predictions: number[];
  ms: number;
}

async function json<T>(url: string): Promise<T> {
  const r = await fetch(url);
  const body = await r.json();
  if (!r.ok) throw new Error((body as Partial<ApiError>).message ?? `HTTP ${r.status}`);
  return body as T;
}

function decodeFloat32(base64: string): Float32Array {
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return new Float32Array(bytes.buffer);
}

/**
 * The z-score of preprocess.json, in the same arithmetic as training (packages/data/src/zscore.ts):
 * float64 (x − mean)·(1/std), stored as float32. Per-recording statistics when the model has none.
 */
function zscore(x: Float32Array, dim: number, pre: ModelPreprocess): Float32Array {
  const n = x.length / dim;
  let mean = pre.mean;
  let std = pre.std;
  if (!mean || !std) {
    const m = new Float64Array(dim);
    const s = new Float64Array(dim);
    for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) m[j] += x[i * dim + j];
    for (let j = 0; j < dim; j++) m[j] /= n;
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < dim; j++) {
        const d = x[i * dim + j] - m[j];
        s[j] += d * d;
      }
    }
    for (let j = 0; j < dim; j++) s[j] = Math.max(Math.sqrt(s[j] / n), pre.stdFloor);
    mean = Array.from(m);
    std = Array.from(s);
  }
  const inv = std.map((v) => 1 / v);
  const out = new Float32Array(x.length);
  for (let i = 0; i < n; i++) for (let j = 0; j < dim; j++) out[i * dim + j] = (x[i * dim + j] - mean[j]) * inv[j];
  return out;
}

/** As the Node predictor (packages/runner/src/model/exported.ts): chunks of 4096 rows. */
const CHUNK = 4096;

export async function runExportedModel(foldId: number): Promise<TryItResult> {
  await tf.setBackend('cpu');
  await tf.ready();
  const base = `/api/folds/${foldId}`;
  const [pre, windows, model] = await Promise.all([
    json<ModelPreprocess>(`${base}/model/preprocess.json`),
    json<FoldTestWindows>(`${base}/test-windows`),
    loadGraphModel(`${base}/model/model.json`),
  ]);
  const t0 = performance.now();
  const dim = windows.dim;
  const c = pre.classNames.length;
  const x = zscore(decodeFloat32(windows.x), dim, pre);
  const probabilities = new Float32Array(windows.n * c);
  const predictions = new Int32Array(windows.n);
  for (let start = 0; start < windows.n; start += CHUNK) {
    const end = Math.min(windows.n, start + CHUNK);
    tf.tidy(() => {
      const input = tf.tensor2d(x.subarray(start * dim, end * dim), [end - start, dim]);
      const [probs, logits] = model.execute(input, ['probabilities', 'logits']) as tf.Tensor[];
      probabilities.set(probs.dataSync() as Float32Array, start * c);
      predictions.set(tf.argMax(logits, 1).dataSync() as Int32Array, start);
    });
  }
  model.dispose();
  const confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  let correct = 0;
  windows.labels.forEach((label, i) => {
    confusion[label][predictions[i]]++;
    if (label === predictions[i]) correct++;
  });
  return {
    backend: tf.getBackend(),
    n: windows.n,
    accuracy: correct / windows.n,
    confusion,
    probabilities: Array.from(probabilities),
    predictions: Array.from(predictions),
    ms: performance.now() - t0,
  };
}
