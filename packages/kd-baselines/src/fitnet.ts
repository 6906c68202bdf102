import { type DistillerPlugin, type Scalar, type Tensor2D, newVariable, tf, uniformInit } from '@cmcrd/core';
import { z } from 'zod';
import { instanceId, requireTaps, tapFromEnd, teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(1),
  })
  .strict();

export type FitnetOptions = z.infer<typeof options>;

/**
 * FitNet (Romero et al. 2015): the student's last feature, mapped by a trainable linear regressor
 * (x·W + b, W of d_s × d_t) to the teacher's size, against the teacher's last feature by MSE
 * (mean over samples and values).
 */
export const fitnetPlugin: DistillerPlugin<FitnetOptions> = {
  name: 'fitnet',
  displayName: 'FitNet',
  color: '#f28e2b',
  description:
    "FitNets hint loss: MSE between a linear regression of the student's last feature and the teacher's",
  options,
  create(ctx, o) {
    requireTaps(ctx.student.featureDims, 1, 'fitnet', 'student');
    requireTaps(ctx.teacher.featureDims, 1, 'fitnet', 'teacher');
    const dS = ctx.student.featureDims[ctx.student.featureDims.length - 1];
    const dT = ctx.teacher.featureDims[ctx.teacher.featureDims.length - 1];
    const id = instanceId('fitnet');
    // torch.nn.Linear's default initialisation, from the run's seeded generator.
    const w = newVariable(tf.tensor2d(uniformInit(dS * dT, dS, ctx.random), [dS, dT]), true, `${id}/regressor/w`);
    const b = newVariable(tf.tensor1d(uniformInit(dT, dS, ctx.random)), true, `${id}/regressor/b`);
    return {
      variables: [w, b],
      loss: (batch) =>
        tf.tidy(() => {
          const fS = tapFromEnd(batch.student.features, 0, 'fitnet', 'student');
          const fT = teacherConstant(tapFromEnd(batch.teacher.features, 0, 'fitnet', 'teacher'));
          const mapped = tf.fused.matMul({ a: fS, b: w as Tensor2D, bias: b }) as Tensor2D;
          return tf.mul(tf.mean(tf.squaredDifference(mapped, fT)), o.weight) as Scalar;
        }),
      dispose() {
        w.dispose();
        b.dispose();
      },
    };
  },
};

export default fitnetPlugin;
