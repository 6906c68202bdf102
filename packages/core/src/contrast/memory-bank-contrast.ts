import { newVariable, uniformInit } from '../backbones/init.js';
import type { DistillBatch, DistillerContext } from '../distiller.js';
import { entropyWeights } from '../losses/entropy-weights.js';
import { type Scalar, type Tensor, type Tensor1D, type Tensor2D, type Variable, tf } from '../tf.js';
import { trainingPlacement } from '../placement.js';
import { type DeviceNormalisationConstant, nceSideOnDevice, unimodalSupervisionOnDevice } from './nce-device.js';
import { NegativeSampler } from './negatives.js';
import { type NormalisationConstant, nceSide } from './nce.js';
import { unimodalSupervisionOf } from './supervision.js';

export interface MemoryBankContrastOptions {
  /** Embedding dimension of both projections and banks. */
  dim: number;
  /** τ of the scores. */
  temperature: number;
  /** Bank update: bank[i] = l2norm(m·bank[i] + (1 − m)·e_i). */
  momentum: number;
  /** K negatives per sample. */
  negatives: number;
  /** CMCRD's unimodal supervision (±1 terms and gradient routing). */
  us: boolean;
  /** CMCRD's information-entropy weighting of the scores by the teacher's confidence. */
  iew: boolean;
}

let instances = 0;

function transpose(a: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
  return t;
}

/**
 * CRD's memory-bank NCE between a student and a teacher embedding, with CMCRD's two changes
 * available as switches (DESIGN.md §2). Banks live in plain Float32Arrays: the update touches a
 * handful of rows per step, and scoring uses the whole bank as one matrix product.
 */
/** The projection head on a feature batch, l2-normalised per row; the norm is kept for the backward pass. */
function embed(f: Tensor2D, w: Tensor2D, b: Tensor1D): { e: Tensor2D; norm: Tensor2D } {
  return tf.tidy(() => {
    const u = tf.add(tf.matMul(f, w), b);
    const norm = tf.norm(u, 'euclidean', 1, true);
    return { e: tf.div(u, norm) as Tensor2D, norm: norm as Tensor2D };
  });
}

export class MemoryBankContrast {
  readonly variables: Variable[];
  private readonly projS: { w: Variable; b: Variable };
  private readonly projT: { w: Variable; b: Variable };
  /** Row-major [N, dim] banks and their [dim, N] transposes, kept in step. */
  private readonly bankS: Float32Array;
  private readonly bankT: Float32Array;
  private readonly bankSt: Float32Array;
  private readonly bankTt: Float32Array;
  private readonly sampler: NegativeSampler;
  private readonly n: number;
  private readonly zS: NormalisationConstant = { z: null };
  private readonly zT: NormalisationConstant = { z: null };
  private last: { eS: Tensor2D; eT: Tensor2D; indices: Int32Array } | null = null;
  readonly placement = trainingPlacement();
  /** Device placement: the banks as device variables [N, dim], updated there; Z as kept scalars. */
  private readonly device: { bankS: Variable; bankT: Variable; zS: DeviceNormalisationConstant; zT: DeviceNormalisationConstant } | null;

  constructor(
    ctx: DistillerContext,
    readonly opts: MemoryBankContrastOptions,
  ) {
    const id = `contrast${instances++}`;
    const { dim } = opts;
    const dS = ctx.student.featureDims[ctx.student.featureDims.length - 1];
    const dT = ctx.teacher.featureDims[ctx.teacher.featureDims.length - 1];
    const r = ctx.random;
    const linear = (inDim: number, name: string) => ({
      w: newVariable(tf.tensor2d(uniformInit(inDim * dim, inDim, r), [inDim, dim]), true, `${id}/${name}/w`),
      b: newVariable(tf.tensor1d(uniformInit(dim, inDim, r)), true, `${id}/${name}/b`),
    });
    this.projS = linear(dS, 'embed_s');
    this.projT = linear(dT, 'embed_t');
    this.variables = [this.projS.w, this.projS.b, this.projT.w, this.projT.b];
    this.n = ctx.train.size;
    const bound = 1 / Math.sqrt(dim / 3);
    const initBank = () => {
      const bank = new Float32Array(this.n * dim);
      for (let i = 0; i < bank.length; i++) bank[i] = (2 * r.next() - 1) * bound;
      return bank;
    };
    this.bankS = initBank();
    this.bankT = initBank();
    this.bankSt = transpose(this.bankS, this.n, dim);
    this.bankTt = transpose(this.bankT, this.n, dim);
    // The same initial values on both placements; the device keeps its own copy from here on.
    this.device =
      this.placement === 'device'
        ? {
            bankS: tf.tidy(() => tf.variable(tf.tensor2d(this.bankS, [this.n, dim]), false, `${id}/bank_s`)),
            bankT: tf.tidy(() => tf.variable(tf.tensor2d(this.bankT, [this.n, dim]), false, `${id}/bank_t`)),
            zS: { z: null },
            zT: { z: null },
          }
        : null;
    this.sampler = new NegativeSampler(ctx.train.labels, ctx.numClasses, opts.negatives, r.fork('negatives'));
  }

  loss(batch: DistillBatch): Scalar {
    if (this.device) return this.lossOnDevice(batch, this.device);
    const o = this.opts;
    const fS = batch.student.features[batch.student.features.length - 1];
    const fT = batch.teacher.features[batch.teacher.features.length - 1];
    const negatives = this.sampler.draw(batch.labels);
    const bankS = { rows: tf.tensor2d(this.bankS, [this.n, o.dim]), transposed: tf.tensor2d(this.bankSt, [o.dim, this.n]) };
    const bankT = { rows: tf.tensor2d(this.bankT, [this.n, o.dim]), transposed: tf.tensor2d(this.bankTt, [o.dim, this.n]) };
    let termSigns: Float32Array | null = null;
    let keepStudent: Float32Array | null = null;
    let keepTeacher: Float32Array | null = null;
    if (o.us) {
      const us = unimodalSupervisionOf(
        batch.student.logits.dataSync() as Float32Array,
        batch.teacher.logits.dataSync() as Float32Array,
        batch.labels,
        batch.student.logits.shape[1],
      );
      termSigns = us.signs;
      keepStudent = us.keepStudent;
      keepTeacher = us.keepTeacher;
    }
    const scoreWeights = o.iew ? (entropyWeights(batch.teacher.logits, 1).dataSync() as Float32Array) : null;
    const nce = { positives: batch.indices, negatives, k: o.negatives, dataSize: this.n, temperature: o.temperature, scoreWeights, termSigns };
    const n = batch.indices.length;

    // Projection, l2 normalisation, both NCE sides and the unimodal-supervision routing as one op
    // with a hand-written backward pass: tfjs's generic gradients of the same graph run several
    // times more kernels, and kernel dispatch dominates at this size.
    const op = tf.customGrad(((fs: Tensor2D, ws: Tensor2D, bs: Tensor1D, ft: Tensor2D, wt: Tensor2D, bt: Tensor1D, save: any) => {
      const s = embed(fs, ws, bs);
      const t = embed(ft, wt, bt);
      this.disposeLast();
      // Kept beyond the tape so afterStep() can write them into the banks.
      this.last = { eS: tf.keep(tf.clone(s.e)), eT: tf.keep(tf.clone(t.e)), indices: batch.indices };
      // The student embedding is scored against the teacher's bank, and the teacher's against the student's.
      const sideS = nceSide(s.e, bankT, nce, this.zS);
      const sideT = nceSide(t.e, bankS, nce, this.zT);
      save([fs, ws, s.e, s.norm, sideS.gradient(), ft, wt, t.e, t.norm, sideT.gradient()]);
      return {
        value: tf.scalar(sideS.value + sideT.value),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [sf, sw, se, sn, sde, tfe, tw, te, tn, tde] = saved as Tensor2D[];
          const back = (f: Tensor2D, w: Tensor2D, e: Tensor2D, norm: Tensor2D, de: Tensor2D, keep: Float32Array | null) => {
            let g = tf.mul(de, dy);
            if (keep) g = tf.mul(g, tf.tensor2d(keep, [n, 1]));
            const du = tf.div(tf.sub(g, tf.mul(e, tf.sum(tf.mul(e, g), 1, true))), norm);
            return [tf.matMul(du, w, false, true), tf.matMul(f, du, true, false), tf.sum(du, 0)];
          };
          return [...back(sf, sw, se, sn, sde, keepStudent), ...back(tfe, tw, te, tn, tde, keepTeacher)];
        },
      };
    }) as any);
    const value = op(fS, this.projS.w, this.projS.b, fT, this.projT.w, this.projT.b) as Scalar;
    tf.dispose([bankS.rows, bankS.transposed, bankT.rows, bankT.transposed]);
    return value;
  }

  /**
   * The device placement of loss(): the same projection, NCE sides, US and IEW, as tensor ops.
   * Negatives come from the same seeded host sampler and are uploaded as int32.
   */
  private lossOnDevice(batch: DistillBatch, dev: NonNullable<MemoryBankContrast['device']>): Scalar {
    const o = this.opts;
    const fS = batch.student.features[batch.student.features.length - 1];
    const fT = batch.teacher.features[batch.teacher.features.length - 1];
    const n = batch.indices.length;
    const negatives = tf.tensor2d(this.sampler.draw(batch.labels), [n, o.negatives], 'int32');
    const positives = tf.tensor1d(batch.indices, 'int32');
    const us = o.us ? unimodalSupervisionOnDevice(batch.student.logits, batch.teacher.logits, batch.labelsOneHot) : null;
    const scoreWeights = o.iew ? entropyWeights(batch.teacher.logits, 1) : null;
    const nce = { positives, negatives, k: o.negatives, dataSize: this.n, temperature: o.temperature, scoreWeights, termSigns: us?.signs ?? null };
    const op = tf.customGrad(((fs: Tensor2D, ws: Tensor2D, bs: Tensor1D, ft: Tensor2D, wt: Tensor2D, bt: Tensor1D, save: any) => {
      const s = embed(fs, ws, bs);
      const t = embed(ft, wt, bt);
      this.disposeLast();
      this.last = { eS: tf.keep(tf.clone(s.e)), eT: tf.keep(tf.clone(t.e)), indices: batch.indices };
      const sideS = nceSideOnDevice(s.e, dev.bankT as unknown as Tensor2D, nce, dev.zS);
      const sideT = nceSideOnDevice(t.e, dev.bankS as unknown as Tensor2D, nce, dev.zT);
      const keepS = us ? tf.reshape(us.keepStudent, [n, 1]) : tf.ones([n, 1]);
      const keepT = us ? tf.reshape(us.keepTeacher, [n, 1]) : tf.ones([n, 1]);
      save([fs, ws, s.e, s.norm, sideS.gradient, keepS, ft, wt, t.e, t.norm, sideT.gradient, keepT]);
      return {
        value: tf.add(sideS.value, sideT.value),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [sf, sw, se, sn, sde, sk, tfe, tw, te, tn, tde, tk] = saved as Tensor2D[];
          const back = (f: Tensor2D, w: Tensor2D, e: Tensor2D, norm: Tensor2D, de: Tensor2D, keep: Tensor2D) => {
            const g = tf.mul(tf.mul(de, dy), keep);
            const du = tf.div(tf.sub(g, tf.mul(e, tf.sum(tf.mul(e, g), 1, true))), norm);
            return [tf.matMul(du, w, false, true), tf.matMul(f, du, true, false), tf.sum(du, 0)];
          };
          return [...back(sf, sw, se, sn, sde, sk), ...back(tfe, tw, te, tn, tde, tk)];
        },
      };
    }) as any);
    const value = op(fS, this.projS.w, this.projS.b, fT, this.projT.w, this.projT.b) as Scalar;
    tf.dispose([negatives, positives, ...(us ? [us.signs, us.keepStudent, us.keepTeacher] : []), ...(scoreWeights ? [scoreWeights] : [])]);
    return value;
  }

  afterStep(): void {
    const last = this.last;
    if (!last) return;
    if (this.device) {
      const dev = this.device;
      tf.tidy(() => {
        const at = tf.tensor2d(last.indices, [last.indices.length, 1], 'int32');
        const m = this.opts.momentum;
        const update = (bank: Variable, e: Tensor2D) => {
          const mixed = tf.add(tf.mul(tf.gatherND(bank, at), m), tf.mul(e, 1 - m));
          const rows = tf.div(mixed, tf.norm(mixed, 'euclidean', 1, true));
          bank.assign(tf.tensorScatterUpdate(bank, at, rows));
        };
        update(dev.bankS, last.eS);
        update(dev.bankT, last.eT);
      });
      this.disposeLast();
      return;
    }
    this.updateBank(this.bankS, this.bankSt, last.eS.dataSync() as Float32Array, last.indices);
    this.updateBank(this.bankT, this.bankTt, last.eT.dataSync() as Float32Array, last.indices);
    this.disposeLast();
  }

  private updateBank(
    bank: Float32Array,
    bankTransposed: Float32Array,
    e: Float32Array,
    indices: Int32Array,
  ): void {
    const { dim, momentum: m } = this.opts;
    for (let b = 0; b < indices.length; b++) {
      const row = indices[b] * dim;
      let norm = 0;
      for (let d = 0; d < dim; d++) {
        const v = m * bank[row + d] + (1 - m) * e[b * dim + d];
        bank[row + d] = v;
        norm += v * v;
      }
      const inv = 1 / Math.sqrt(norm);
      for (let d = 0; d < dim; d++) {
        bank[row + d] *= inv;
        bankTransposed[d * this.n + indices[b]] = bank[row + d];
      }
    }
  }

  /** Copies of the banks, for tests and inspection (host placement). */
  banks(): { student: Float32Array; teacher: Float32Array } {
    if (this.device) throw new Error('banks(): the banks are on the device; use banksAsync()');
    return { student: this.bankS.slice(), teacher: this.bankT.slice() };
  }

  /** Copies of the banks on either placement. */
  async banksAsync(): Promise<{ student: Float32Array; teacher: Float32Array }> {
    if (!this.device) return this.banks();
    const [student, teacher] = await Promise.all([this.device.bankS.data(), this.device.bankT.data()]);
    return { student: student as Float32Array, teacher: teacher as Float32Array };
  }

  private disposeLast(): void {
    if (this.last) {
      this.last.eS.dispose();
      this.last.eT.dispose();
      this.last = null;
    }
  }

  dispose(): void {
    this.disposeLast();
    for (const v of this.variables) v.dispose();
    if (this.device) {
      tf.dispose([this.device.bankS, this.device.bankT]);
      tf.dispose([this.device.zS.z, this.device.zT.z].filter((z): z is Scalar => z !== null));
    }
  }
}
