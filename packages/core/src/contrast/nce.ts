import { type Scalar, type Tensor, type Tensor2D, tf } from '../tf.js';

export const NCE_EPS = 1e-7;

/** One batch's index sets and per-sample factors, shared by both sides of the NCE loss. */
export interface NceBatch {
  /** Each sample's own bank row (its positive), length n. */
  positives: Int32Array;
  /** K bank rows per sample, drawn from other classes, length n·K (row-major). */
  negatives: Int32Array;
  k: number;
  /** Training-set size N: the noise distribution is uniform, Pn = 1/N. */
  dataSize: number;
  temperature: number;
  /** IEW: per-sample multiplier of the scores; null for none. */
  scoreWeights: Float32Array | null;
  /** US: per-sample ±1 multiplier of every NCE term; null for none. */
  termSigns: Float32Array | null;
}

/**
 * Contributions far below float32's smallest normal are dropped: as float32 they would be
 * subnormal, and one subnormal operand makes the wasm matrix product ~50× slower (measured:
 * 68 ms against 1.3 ms for [128, 1700]·[1700, 32]).
 */
function flushDenormal(v: number): number {
  return v > 1e-30 || v < -1e-30 ? v : 0;
}

/** Holds CRD's normalisation constant Z, fixed from the first batch it sees. */
export interface NormalisationConstant {
  z: number | null;
  /** Reused between steps for dL/dscores (saves a large allocation per step); optional. */
  scratch?: Float32Array;
}

/**
 * Z = N · mean over the drawn index sets of exp(<bank_j, e_i>/τ), from the scores/τ laid out
 * [N, n] (bank row j, sample i).
 */
function estimateZ(scores: Float32Array, n: number, b: NceBatch): number {
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += Math.exp(scores[b.positives[i] * n + i]);
    for (let t = 0; t < b.k; t++) sum += Math.exp(scores[b.negatives[i * b.k + t] * n + i]);
  }
  return (sum / (n * (b.k + 1))) * b.dataSize;
}

/**
 * The forward half of one NCE side, on the host: the loss value and dL/dS for the raw scores
 * S = bank·eᵀ laid out [N, n] (bank row j, sample i). `scaledScoresT` holds S/τ in that layout.
 */
function nceForward(scaledScoresT: Tensor2D, n: number, batch: NceBatch, norm: NormalisationConstant): { value: number; grad: Float32Array } {
  const dataSize = batch.dataSize;
  const invTau = 1 / batch.temperature;
  if (norm.z === null) norm.z = estimateZ(scaledScoresT.dataSync() as Float32Array, n, batch);
  const kPn = batch.k / batch.dataSize;
  const c = kPn + NCE_EPS;
  const shift = new Float32Array(n);
  for (let i = 0; i < n; i++) shift[i] = (batch.scoreWeights ? Math.log(batch.scoreWeights[i]) : 0) - Math.log(norm.z);
  // exp runs on the backend over all [N, n] scores (faster there than Math.exp on the host);
  // the host then visits only the K+1 drawn entries of each sample.
  const p = tf.tidy(() => tf.exp(tf.add(scaledScoresT, tf.tensor2d(shift, [1, n])))).dataSync() as Float32Array;
  const logC = Math.log(c);
  const invC = 1 / c;
  // log(P + c) = log c + log1p(P/c); most drawn negatives have P ≪ c, where four terms of the
  // series are exact to float32 (error below (P/c)⁵/5 < 2e-11 for P/c < 0.01).
  const logDen = (v: number): number => {
    const x = v * invC;
    return x < 0.01 ? logC + x * (1 - x * (0.5 - x * (1 / 3 - x * 0.25))) : Math.log(v + c);
  };
  const logKPn = Math.log(kPn);
  if (norm.scratch?.length !== n * dataSize) norm.scratch = new Float32Array(n * dataSize);
  const grad = norm.scratch;
  grad.fill(0);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const sign = batch.termSigns ? batch.termSigns[i] : 1;
    // The loss is −(1/n) Σ sign·row; `scale` carries that factor and 1/τ into d/dS.
    const scale = (-sign / n) * invTau;
    const jp = batch.positives[i] * n + i;
    let row = Math.log(p[jp]) - logDen(p[jp]);
    grad[jp] += flushDenormal(scale * (1 - p[jp] / (p[jp] + c)));
    for (let t = 0; t < batch.k; t++) {
      const j = batch.negatives[i * batch.k + t] * n + i;
      row += logKPn - logDen(p[j]);
      grad[j] -= flushDenormal(scale * (p[j] / (p[j] + c)));
    }
    total += sign * row;
  }
  return { value: -total / n, grad };
}

/** Checks an embedding, a bank and a batch's index sets agree. */
export function checkNceInputs(n: number, d: number, bank: { rows: Tensor2D }, batch: NceBatch): void {
  const dataSize = bank.rows.shape[0];
  if (bank.rows.shape[1] !== d) throw new Error(`NCE: bank rows have ${bank.rows.shape[1]} values, embeddings ${d}`);
  if (batch.dataSize !== dataSize) throw new Error(`NCE: the bank has ${dataSize} rows but the batch says N=${batch.dataSize}`);
  if (batch.positives.length !== n || batch.negatives.length !== n * batch.k) {
    throw new Error(`NCE: index sets do not match a batch of ${n} with K=${batch.k}`);
  }
}

/**
 * Loss value and dL/de ([n, d]) of one NCE side, without the tape: for fused ops that route the
 * gradient further themselves. The bank goes first in the products because the wasm kernel
 * repacks its second operand on every call.
 */
export function nceSide(
  embedding: Tensor2D,
  bank: { rows: Tensor2D; transposed: Tensor2D },
  batch: NceBatch,
  norm: NormalisationConstant,
): { value: number; gradient: () => Tensor2D } {
  const [n, d] = embedding.shape;
  checkNceInputs(n, d, bank, batch);
  const scaled = tf.tidy(() => tf.matMul(bank.rows, tf.transpose(tf.mul(embedding, 1 / batch.temperature)))) as Tensor2D;
  const { value, grad } = nceForward(scaled, n, batch, norm);
  scaled.dispose();
  const g = tf.tensor2d(grad, [batch.dataSize, n]);
  return {
    value,
    gradient: () => {
      const de = tf.tidy(() => tf.transpose(tf.matMul(bank.transposed, g)) as Tensor2D);
      g.dispose();
      return de;
    },
  };
}

/**
 * One side of CRD's NCE loss with CMCRD's weights and signs (DESIGN.md §2):
 * P_ij = w_i·exp(<bank_j, e_i>/τ)/Z, and
 * L = −(1/n) Σ_i s_i [ log(P_i0/(P_i0 + K·Pn + ε)) + Σ_k log(K·Pn/(P_ik + K·Pn + ε)) ].
 *
 * The bank is a constant. All scores come from one matrix product with the whole bank
 * (bank·eᵀ, [N, n]); the K+1 terms per sample and their derivatives are then evaluated on the
 * host, and the backward pass is one more product, (bankᵀ·Gᵀ)ᵀ. This replaces gathering 32·(K+1) bank
 * rows (slow with tf.gather) and a dozen elementwise kernels over [n, N].
 */
export function nceSideLoss(
  embedding: Tensor2D,
  bank: { rows: Tensor2D; transposed: Tensor2D },
  batch: NceBatch,
  norm: NormalisationConstant,
): Scalar {
  const op = tf.customGrad(((e: Tensor2D, save: any) => {
    const side = nceSide(e, bank, batch, norm);
    // Saved tensors outlive the tape's tidy.
    save([side.gradient()]);
    return {
      value: tf.scalar(side.value),
      gradFunc: (dy: Tensor, saved: Tensor[]) => tf.mul(saved[0], dy),
    };
  }) as any);
  return op(embedding) as Scalar;
}
