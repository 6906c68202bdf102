import { type Tensor1D, type Tensor2D, tf } from '../tf.js';
import { stopGradient } from '../losses/gradient-routing.js';

export interface UnimodalSupervision {
  /** +1 where the teacher is right, −1 where it is wrong: multiplies every NCE term of the sample. */
  signs: Tensor1D;
  /** 1 lets the student embedding's gradient through, 0 detaches it (student right, teacher wrong). */
  keepStudent: Tensor1D;
  /** 1 lets the teacher-side embedding's gradient through, 0 detaches it (teacher right, student wrong). */
  keepTeacher: Tensor1D;
}

function correct(logits: Tensor2D, oneHot: Tensor2D): Tensor1D {
  const z = stopGradient(logits);
  return tf.cast(tf.greaterEqual(tf.sum(tf.mul(z, oneHot), 1), tf.max(z, 1)), 'float32') as Tensor1D;
}

/**
 * CMCRD's unimodal supervision (DESIGN.md §2.3). When neither model is right on any sample of the
 * batch, the reference inverts its detach selectors, which detaches every embedding: the loss
 * then has a value and no gradient. Reproduced here on purpose.
 */
export function unimodalSupervision(
  studentLogits: Tensor2D,
  teacherLogits: Tensor2D,
  oneHot: Tensor2D,
): UnimodalSupervision {
  return tf.tidy(() => {
    const s = correct(studentLogits, oneHot);
    const t = correct(teacherLogits, oneHot);
    const anyRight = tf.max(tf.maximum(s, t));
    const keepStudent = tf.mul(tf.sub(1, tf.mul(s, tf.sub(1, t))), anyRight) as Tensor1D;
    const keepTeacher = tf.mul(tf.sub(1, tf.mul(t, tf.sub(1, s))), anyRight) as Tensor1D;
    return { signs: tf.sub(tf.mul(t, 2), 1) as Tensor1D, keepStudent, keepTeacher };
  });
}
