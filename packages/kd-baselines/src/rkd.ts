import { type DistillerPlugin, type Scalar, type Tensor, type Tensor2D, tf } from '@cmcrd/core';
import { z } from 'zod';
import { requireTaps, smoothL1Mean, tapFromEnd, teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the whole loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(1),
    /** Factor of the distance term (Park et al.'s λ_D). */
    distanceWeight: z.number().min(0).default(25),
    /** Factor of the angle term (Park et al.'s λ_A). */
    angleWeight: z.number().min(0).default(50),
  })
  .strict();

export type RkdOptions = z.infer<typeof options>;

/**
 * The two relational potentials of a batch [n, d] (n ≥ 2):
 * - distance [n, n]: ‖f_i − f_j‖ divided by its mean over the n(n − 1) off-diagonal pairs
 *   (diagonal 0);
 * - angle [n, n, n]: for anchor i, the cosine between f_j − f_i and f_k − f_i (0 where either
 *   vector is zero, i.e. j = i or k = i).
 * Both come from the Gram matrix G = F·Fᵀ: ⟨f_j − f_i, f_k − f_i⟩ = G_jk − G_ij − G_ik + G_ii and
 * ‖f_j − f_i‖² = G_ii + G_jj − 2·G_ij. The direct form needs the difference vectors [n, n, d] and
 * a batched product over them, which the wasm backend runs ~100× slower than this (measured:
 * 46 ms against a few tenths of a millisecond per step).
 */
function potentials(f: Tensor2D): { distance: Tensor; angle: Tensor } {
  const n = f.shape[0];
  const gram = tf.matMul(f, f, false, true);
  const diag = tf.sum(tf.mul(f, f), 1);
  const sq = tf.sub(tf.add(tf.expandDims(diag, 1), tf.expandDims(diag, 0)), tf.mul(gram, 2));
  // Clamped before the square root (as the reference code does): the diagonal's zeros get a
  // finite derivative, and are then masked out.
  const offDiagonal = tf.sub(1, tf.eye(n));
  const norm = tf.sqrt(tf.maximum(sq, 1e-12));
  const dist = tf.mul(norm, offDiagonal);
  const distance = tf.div(dist, tf.div(tf.sum(dist), n * (n - 1)));
  // dot[i][j][k] = ⟨f_j − f_i, f_k − f_i⟩
  const dot = tf.add(
    tf.sub(tf.sub(tf.expandDims(gram, 0), tf.expandDims(gram, 2)), tf.expandDims(gram, 1)),
    tf.reshape(diag, [n, 1, 1]),
  );
  // Zero vectors (j = i or k = i) have cosine 0, as x / max(‖x‖, ε) gives. Those entries are
  // masked out of the numerator and get a denominator of 1, so that no 0/ε reaches the gradient.
  const lengths = tf.sqrt(tf.maximum(sq, 1e-24));
  const mask = tf.mul(tf.expandDims(offDiagonal, 2), tf.expandDims(offDiagonal, 1));
  const denominator = tf.add(tf.mul(tf.mul(tf.expandDims(lengths, 2), tf.expandDims(lengths, 1)), mask), tf.sub(1, mask));
  const angle = tf.div(tf.mul(dot, mask), denominator);
  return { distance, angle };
}

/**
 * RKD (Park et al. 2019), on the last feature tap: smooth-L1 (β = 1, mean over all entries)
 * between the student's and the teacher's distance potentials, ×25, plus the same between their
 * angle potentials over all n³ triplets, ×50.
 */
export const rkdPlugin: DistillerPlugin<RkdOptions> = {
  name: 'rkd',
  description:
    'Relational KD: smooth-L1 between normalised pairwise distances (×25) and triplet angles (×50)',
  options,
  create(ctx, o) {
    requireTaps(ctx.student.featureDims, 1, 'rkd', 'student');
    requireTaps(ctx.teacher.featureDims, 1, 'rkd', 'teacher');
    return {
      variables: [],
      loss: (batch) =>
        tf.tidy(() => {
          const fS = tapFromEnd(batch.student.features, 0, 'rkd', 'student');
          const fT = teacherConstant(tapFromEnd(batch.teacher.features, 0, 'rkd', 'teacher'));
          if (fS.shape[0] < 2) throw new Error('rkd: needs a batch of at least 2 samples');
          const s = potentials(fS);
          const t = potentials(fT);
          const total = tf.add(
            tf.mul(smoothL1Mean(s.distance, t.distance), o.distanceWeight),
            tf.mul(smoothL1Mean(s.angle, t.angle), o.angleWeight),
          );
          return tf.mul(total, o.weight) as Scalar;
        }),
      dispose() {},
    };
  },
};

export default rkdPlugin;
