import { type DistillerPlugin, type Scalar, type Tensor2D, tf } from '@cmcrd/core';
import { z } from 'zod';
import { requireTaps, tapFromEnd, teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(1000),
    /** ε of the normalisation x / (‖x‖ + ε) and of the log ratio. */
    eps: z.number().positive().max(1e-2).default(1e-7),
  })
  .strict();

export type PktOptions = z.infer<typeof options>;

/** Cosine similarities of the rows, mapped to (S + 1)/2, each row normalised to sum 1. */
function conditionalProbabilities(f: Tensor2D, eps: number): Tensor2D {
  // ‖x‖ as sqrt(max(Σx², 1e-30)): an all-zero row gives 0 without a NaN derivative; the value
  // differs from ‖x‖ only below 1e-15, far under ε.
  const norm = tf.sqrt(tf.maximum(tf.sum(tf.square(f), 1, true), 1e-30));
  const u = tf.div(f, tf.add(norm, eps));
  const s = tf.div(tf.add(tf.matMul(u, u, false, true), 1), 2);
  return tf.div(s, tf.sum(s, 1, true)) as Tensor2D;
}

/**
 * PKT (Passalis & Tefas 2018), on the last feature tap: the teacher's and the student's
 * cosine-similarity kernels turned into conditional probabilities P, then
 * mean over all entries of P_t·log((P_t + ε)/(P_s + ε)).
 */
export const pktPlugin: DistillerPlugin<PktOptions> = {
  name: 'pkt',
  displayName: 'PKT',
  color: '#b07aa1',
  description: 'Probabilistic knowledge transfer: KL between cosine-similarity conditional probabilities',
  options,
  create(ctx, o) {
    requireTaps(ctx.student.featureDims, 1, 'pkt', 'student');
    requireTaps(ctx.teacher.featureDims, 1, 'pkt', 'teacher');
    return {
      variables: [],
      loss: (batch) =>
        tf.tidy(() => {
          const fS = tapFromEnd(batch.student.features, 0, 'pkt', 'student');
          const fT = teacherConstant(tapFromEnd(batch.teacher.features, 0, 'pkt', 'teacher'));
          const pS = conditionalProbabilities(fS, o.eps);
          const pT = conditionalProbabilities(fT, o.eps);
          const ratio = tf.log(tf.div(tf.add(pT, o.eps), tf.add(pS, o.eps)));
          return tf.mul(tf.mean(tf.mul(pT, ratio)), o.weight) as Scalar;
        }),
      dispose() {},
    };
  },
};

export default pktPlugin;
