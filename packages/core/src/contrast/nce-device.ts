import { type Scalar, type Tensor, type Tensor1D, type Tensor2D, tf } from '../tf.js';
import { NCE_EPS } from './nce.js';

/**
 * The device-placement twin of nce.ts's NceBatch: the same index sets and factors, as tensors
 * (indices drawn on the host by the same seeded sampler and uploaded as int32).
 */
export interface DeviceNceBatch {
  /** [n] int32: each sample's own bank row. */
  positives: Tensor1D;
  /** [n, K] int32: K bank rows per sample. */
  negatives: Tensor2D;
  k: number;
  dataSize: number;
  temperature: number;
  /** IEW weights [n], or null. */
  scoreWeights: Tensor1D | null;
  /** US signs [n] (±1), or null. */
  termSigns: Tensor1D | null;
}

/** CRD's Z on the device: fixed (kept) from the first batch, never read back. */
export interface DeviceNormalisationConstant {
  z: Scalar | null;
}

/**
 * One NCE side (the same loss and gradient as nce.ts's nceSide, DESIGN.md §2) with every step
 * on the device: scores S = bank·eᵀ/τ [N, n]; the K+1 drawn entries of each sample gathered from
 * S by flat index (row·n + sample); their terms and derivatives elementwise; the derivative
 * scattered back into [N, n] (scatterND sums repeated indices, as a draw with replacement needs)
 * and de = Gᵀ·bank. Returns the value as a tensor: nothing is read back.
 */
export function nceSideOnDevice(
  embedding: Tensor2D,
  bank: Tensor2D,
  batch: DeviceNceBatch,
  norm: DeviceNormalisationConstant,
): { value: Scalar; gradient: Tensor2D } {
  const [n, d] = embedding.shape;
  const [dataSize, bankDim] = bank.shape;
  if (bankDim !== d) throw new Error(`NCE: bank rows have ${bankDim} values, embeddings ${d}`);
  if (batch.dataSize !== dataSize) throw new Error(`NCE: the bank has ${dataSize} rows but the batch says N=${batch.dataSize}`);
  if (batch.positives.shape[0] !== n || batch.negatives.shape[0] !== n || batch.negatives.shape[1] !== batch.k) {
    throw new Error(`NCE: index sets do not match a batch of ${n} with K=${batch.k}`);
  }
  const k = batch.k;
  const invTau = 1 / batch.temperature;
  // Z is computed from the first batch outside the tidy, so that it outlives it.
  if (norm.z === null) {
    norm.z = tf.keep(
      tf.tidy(() => {
        const s = drawnScores(embedding, bank, batch, invTau).drawn;
        return tf.mul(tf.mean(tf.exp(s)), dataSize) as Scalar;
      }),
    );
  }
  const z = norm.z;
  return tf.tidy(() => {
    const { drawn, flatIndex } = drawnScores(embedding, bank, batch, invTau);
    const kPn = k / dataSize;
    const c = kPn + NCE_EPS;
    // log P = s + log w − log Z, per sample.
    let shift: Tensor = tf.neg(tf.log(z));
    if (batch.scoreWeights) shift = tf.add(tf.reshape(tf.log(batch.scoreWeights), [n, 1]), shift);
    const logP = tf.add(drawn, shift);
    const p = tf.exp(logP);
    const logDen = tf.log(tf.add(p, c));
    // Column 0 is the positive: log P − log(P + c); the others log(K·Pn) − log(P + c).
    const isPositive = tf.concat([tf.ones([n, 1]), tf.zeros([n, k])], 1);
    const numerator = tf.add(tf.mul(isPositive, logP), tf.mul(tf.sub(1, isPositive), Math.log(kPn)));
    const rows = tf.sum(tf.sub(numerator, logDen), 1);
    const signs = batch.termSigns ?? tf.ones([n]);
    const value = tf.neg(tf.div(tf.sum(tf.mul(signs, rows)), n)) as Scalar;
    // d/dS per drawn entry, with the loss's −sign/n and 1/τ: positive 1 − P/(P+c), negative −P/(P+c).
    const ratio = tf.div(p, tf.add(p, c));
    const dTerm = tf.sub(isPositive, ratio);
    const scale = tf.reshape(tf.mul(signs, -invTau / n), [n, 1]);
    const dScores = tf.mul(dTerm, scale);
    const g = tf.reshape(tf.scatterND(tf.reshape(flatIndex, [n * (k + 1), 1]), tf.reshape(dScores, [-1]), [dataSize * n]), [dataSize, n]);
    const gradient = tf.matMul(g, bank, true, false) as Tensor2D;
    return { value, gradient };
  });
}

/** The K+1 scaled scores of each sample ([n, K+1], positive first) and their flat indices into [N, n]. */
function drawnScores(embedding: Tensor2D, bank: Tensor2D, batch: DeviceNceBatch, invTau: number) {
  const n = embedding.shape[0];
  const scaled = tf.matMul(bank, tf.mul(embedding, invTau), false, true);
  const rowsOfBank = tf.concat([tf.reshape(batch.positives, [n, 1]), batch.negatives], 1);
  const flatIndex = tf.add(tf.mul(rowsOfBank, tf.scalar(n, 'int32')), tf.reshape(tf.range(0, n, 1, 'int32'), [n, 1])) as Tensor2D;
  const drawn = tf.reshape(tf.gather(tf.reshape(scaled, [-1]), tf.reshape(flatIndex, [-1])), [n, batch.k + 1]) as Tensor2D;
  return { drawn, flatIndex };
}

/**
 * CMCRD's unimodal supervision (supervision.ts's unimodalSupervisionOf) as tensor ops: a row is
 * right when its label's logit is a maximum of the row (ties count as right). When neither model
 * is right anywhere in the batch every embedding is detached, as in the reference.
 */
export function unimodalSupervisionOnDevice(studentLogits: Tensor2D, teacherLogits: Tensor2D, oneHot: Tensor2D) {
  return tf.tidy(() => {
    const right = (logits: Tensor2D) =>
      tf.cast(tf.greaterEqual(tf.sum(tf.mul(logits, oneHot), 1), tf.max(logits, 1)), 'float32') as Tensor1D;
    const s = right(studentLogits);
    const t = right(teacherLogits);
    const anyRight = tf.max(tf.maximum(s, t));
    return {
      signs: tf.sub(tf.mul(t, 2), 1) as Tensor1D,
      keepStudent: tf.mul(anyRight, tf.sub(1, tf.mul(s, tf.sub(1, t)))) as Tensor1D,
      keepTeacher: tf.mul(anyRight, tf.sub(1, tf.mul(t, tf.sub(1, s)))) as Tensor1D,
    };
  });
}
