import { type DistillerPlugin, type Scalar, type Tensor2D, tf } from '@cmcrd/core';
import { z } from 'zod';
import { l2Normalize, requireTaps, tapFromEnd, teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(100),
  })
  .strict();

export type SpOptions = z.infer<typeof options>;

/** The batch's similarity matrix F Fᵀ with l2-normalised rows. */
function similarity(f: Tensor2D): Tensor2D {
  return l2Normalize(tf.matMul(f, f, false, true) as Tensor2D, 1);
}

/**
 * SP (Tung & Mori 2019): on the second-to-last feature tap, G = F Fᵀ with rows l2-normalised,
 * loss ‖G_t − G_s‖²_F / n².
 */
export const spPlugin: DistillerPlugin<SpOptions> = {
  name: 'sp',
  displayName: 'SP',
  color: '#59a14f',
  description: 'Similarity-preserving KD: match the batch similarity matrices of the second-to-last taps',
  options,
  create(ctx, o) {
    requireTaps(ctx.student.featureDims, 2, 'sp', 'student');
    requireTaps(ctx.teacher.featureDims, 2, 'sp', 'teacher');
    return {
      variables: [],
      loss: (batch) =>
        tf.tidy(() => {
          const fS = tapFromEnd(batch.student.features, 1, 'sp', 'student');
          const fT = teacherConstant(tapFromEnd(batch.teacher.features, 1, 'sp', 'teacher'));
          const n = fS.shape[0];
          const d = tf.sum(tf.squaredDifference(similarity(fT), similarity(fS)));
          return tf.mul(d, o.weight / (n * n)) as Scalar;
        }),
      dispose() {},
    };
  },
};

export default spPlugin;
