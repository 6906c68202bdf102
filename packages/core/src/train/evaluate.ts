import type { Backbone } from '../backbones/types.js';
import { tf } from '../tf.js';

const CHUNK = 4096;

export interface Outputs {
  logits: Float32Array;
  features: Float32Array[];
  predictions: Int32Array;
}

/** Inference-mode outputs of a model on every row of x, computed in large chunks. */
export function inferAll(model: Backbone, x: Float32Array, dim: number, withFeatures = false): Outputs {
  const n = x.length / dim;
  const c = model.numClasses;
  const logits = new Float32Array(n * c);
  const features = withFeatures ? model.featureDims.map((d) => new Float32Array(n * d)) : [];
  const predictions = new Int32Array(n);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * dim, end * dim), [end - start, dim]);
      const out = model.apply(xb, false);
      logits.set(out.logits.dataSync() as Float32Array, start * c);
      predictions.set(tf.argMax(out.logits, 1).dataSync() as Int32Array, start);
      if (withFeatures) {
        out.features.forEach((f, i) => {
          features[i].set(f.dataSync() as Float32Array, start * model.featureDims[i]);
        });
      }
    });
  }
  return { logits, features, predictions };
}

export function predict(model: Backbone, x: Float32Array, dim: number): Int32Array {
  return inferAll(model, x, dim).predictions;
}


/**
 * inferAll without synchronous reads (webgpu in Node has none): each chunk's outputs are read
 * with await. The same values as inferAll on every backend.
 */
export async function inferAllAsync(model: Backbone, x: Float32Array, dim: number, withFeatures = false): Promise<Outputs> {
  const n = x.length / dim;
  const c = model.numClasses;
  const logits = new Float32Array(n * c);
  const features = withFeatures ? model.featureDims.map((d) => new Float32Array(n * d)) : [];
  const predictions = new Int32Array(n);
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    const outs = tf.tidy(() => {
      const xb = tf.tensor2d(x.subarray(start * dim, end * dim), [end - start, dim]);
      const out = model.apply(xb, false);
      return [out.logits, tf.argMax(out.logits, 1), ...(withFeatures ? out.features : [])];
    });
    try {
      const [l, p, ...f] = await Promise.all(outs.map((t) => t.data()));
      logits.set(l as Float32Array, start * c);
      predictions.set(p as Int32Array, start);
      f.forEach((v, i) => {
        features[i].set(v as Float32Array, start * model.featureDims[i]);
      });
    } finally {
      tf.dispose(outs);
    }
  }
  return { logits, features, predictions };
}

export async function predictAsync(model: Backbone, x: Float32Array, dim: number): Promise<Int32Array> {
  return (await inferAllAsync(model, x, dim)).predictions;
}
