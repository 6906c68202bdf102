import { type DistillerPlugin, type Scalar, type Tensor2D, tf } from '@cmcrd/core';
import { z } from 'zod';
import { l2Normalize, requireTaps, teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(10),
  })
  .strict();

export type NstOptions = z.infer<typeof options>;

/**
 * The neurons' polynomial-kernel Gram, scaled: for A = F with l2-normalised columns (each neuron's
 * activations over the batch), mean_{p,q} (a_p·b_q)² = ⟨A Aᵀ, B Bᵀ⟩_F / (d_a·d_b), so with
 * G = A Aᵀ / d ([n, n]) the MMD is ‖G_t − G_s‖²_F — an n × n product instead of d_t × d_s ones.
 */
function neuronGram(f: Tensor2D): Tensor2D {
  const a = l2Normalize(f, 0);
  return tf.div(tf.matMul(a, a, false, true), f.shape[1]) as Tensor2D;
}

/**
 * NST (Huang & Wang 2017): squared MMD with the kernel k(a, b) = (a·b)² between the teacher's and
 * the student's neuron vectors, mean K(t,t) + mean K(s,s) − 2 mean K(s,t), summed over tap pairs.
 * For 2-D [n, d] features a neuron's vector is its column, l2-normalised over the batch; the taps
 * are paired from the deepest, min(#student taps, #teacher taps) pairs.
 */
export const nstPlugin: DistillerPlugin<NstOptions> = {
  name: 'nst',
  displayName: 'NST',
  color: '#76b7b2',
  description:
    'Neuron selectivity transfer: polynomial-kernel MMD between neuron activation patterns, all taps',
  options,
  create(ctx, o) {
    requireTaps(ctx.student.featureDims, 1, 'nst', 'student');
    requireTaps(ctx.teacher.featureDims, 1, 'nst', 'teacher');
    return {
      variables: [],
      loss: (batch) =>
        tf.tidy(() => {
          const s = batch.student.features;
          const t = batch.teacher.features;
          const m = Math.min(s.length, t.length);
          if (m === 0) throw new Error('nst: no feature taps in the batch');
          const terms: Scalar[] = [];
          for (let k = 0; k < m; k++) {
            const gS = neuronGram(s[s.length - m + k]);
            const gT = neuronGram(teacherConstant(t[t.length - m + k]));
            terms.push(tf.sum(tf.squaredDifference(gT, gS)) as Scalar);
          }
          return tf.mul(m === 1 ? terms[0] : tf.addN(terms), o.weight) as Scalar;
        }),
      dispose() {},
    };
  },
};

export default nstPlugin;
