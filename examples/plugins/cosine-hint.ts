// An outside distiller plugin, walked through in docs/plugins.md: the student's last feature,
// mapped by a trainable linear layer to the teacher's size, should point the same way as the
// teacher's last feature (1 − cosine similarity, averaged over the batch).
import { type DistillerPlugin, type Scalar, type Tensor2D, newVariable, tf, uniformInit } from '@cmcrd/core';
import { z } from 'zod';

const options = z
  .object({
    /** L_s = CE + weight · L. */
    weight: z.number().min(0).default(1),
    eps: z.number().positive().max(1).default(1e-8),
  })
  .strict();

type Options = z.infer<typeof options>;

let instances = 0;

function unit(x: Tensor2D, eps: number): Tensor2D {
  return tf.div(x, tf.add(tf.norm(x, 'euclidean', 1, true), eps)) as Tensor2D;
}

const cosineHint: DistillerPlugin<Options> = {
  name: 'cosine-hint',
  description: 'Student last feature → linear map → cosine similarity with the teacher last feature',
  options,
  create(ctx, o) {
    const dS = ctx.student.featureDims[ctx.student.featureDims.length - 1];
    const dT = ctx.teacher.featureDims[ctx.teacher.featureDims.length - 1];
    const id = `cosine-hint${instances++}`;
    // Variable names are global in TensorFlow.js: make them unique per instance.
    const w = newVariable(tf.tensor2d(uniformInit(dS * dT, dS, ctx.random), [dS, dT]), true, `${id}/w`);
    return {
      variables: [w],
      loss(batch) {
        const s = batch.student.features[batch.student.features.length - 1];
        const t = batch.teacher.features[batch.teacher.features.length - 1];
        const cos = tf.sum(tf.mul(unit(tf.matMul(s, w), o.eps), unit(t, o.eps)), 1);
        return tf.mul(tf.mean(tf.sub(1, cos)), o.weight) as Scalar;
      },
      dispose() {
        w.dispose();
      },
    };
  },
};

export default cosineHint;
