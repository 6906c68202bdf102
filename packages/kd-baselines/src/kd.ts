import { type DistillerPlugin, type Scalar, tf } from '@cmcrd/core';
import { z } from 'zod';
import { teacherConstant } from './common.js';

const options = z
  .object({
    /** Reference weight of the loss in L_s = CE + w·L. */
    weight: z.number().min(0).default(10),
    /** Softening temperature T of both softmaxes. */
    temperature: z.number().positive().default(4),
  })
  .strict();

export type KdOptions = z.infer<typeof options>;

/**
 * KD (Hinton et al. 2015): T²·KL(softmax(z_t/T) ‖ softmax(z_s/T)), summed over classes and
 * averaged over the batch.
 */
export const kdPlugin: DistillerPlugin<KdOptions> = {
  name: 'kd',
  displayName: 'KD',
  color: '#4e79a7',
  description: 'Knowledge distillation: T²·KL between the softened teacher and student class distributions',
  options,
  create(_ctx, o) {
    const t = o.temperature;
    return {
      variables: [],
      loss: (batch) =>
        tf.tidy(() => {
          const logPt = tf.logSoftmax(tf.div(teacherConstant(batch.teacher.logits), t));
          const logPs = tf.logSoftmax(tf.div(batch.student.logits, t));
          const kl = tf.sum(tf.mul(tf.exp(logPt), tf.sub(logPt, logPs)), 1);
          return tf.mul(tf.mean(kl), o.weight * t * t) as Scalar;
        }),
      dispose() {},
    };
  },
};

export default kdPlugin;
