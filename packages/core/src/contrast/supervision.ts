import { type Tensor1D, type Tensor2D, tf } from '../tf.js';

export interface UnimodalSupervision<T = Float32Array> {
  /** +1 where the teacher is right, −1 where it is wrong: multiplies every NCE term of the sample. */
  signs: T;
  /** 1 lets the student embedding's gradient through, 0 detaches it (student right, teacher wrong). */
  keepStudent: T;
  /** 1 lets the teacher-side embedding's gradient through, 0 detaches it (teacher right, student wrong). */
  keepTeacher: T;
}

/** Row i is right when its label's logit is a maximum of the row (ties count as right). */
function rightRows(logits: Float32Array, labels: ArrayLike<number>, c: number): Uint8Array {
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, logits[i * c + j]);
    out[i] = logits[i * c + labels[i]] >= max ? 1 : 0;
  }
  return out;
}

/**
 * CMCRD's unimodal supervision (DESIGN.md §2.3), from the logits' values (nothing here is
 * differentiated). When neither model is right on any sample of the batch, the reference inverts
 * its detach selectors, which detaches every embedding: the loss then has a value and no
 * gradient. Reproduced here on purpose.
 */
export function unimodalSupervisionOf(
  studentLogits: Float32Array,
  teacherLogits: Float32Array,
  labels: ArrayLike<number>,
  numClasses: number,
): UnimodalSupervision {
  const s = rightRows(studentLogits, labels, numClasses);
  const t = rightRows(teacherLogits, labels, numClasses);
  const n = labels.length;
  let anyRight = 0;
  for (let i = 0; i < n; i++) anyRight |= s[i] | t[i];
  const signs = new Float32Array(n);
  const keepStudent = new Float32Array(n);
  const keepTeacher = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    signs[i] = t[i] ? 1 : -1;
    keepStudent[i] = anyRight && !(s[i] && !t[i]) ? 1 : 0;
    keepTeacher[i] = anyRight && !(t[i] && !s[i]) ? 1 : 0;
  }
  return { signs, keepStudent, keepTeacher };
}

/** The same from logit tensors and one-hot labels, as tensors. */
export function unimodalSupervision(studentLogits: Tensor2D, teacherLogits: Tensor2D, oneHot: Tensor2D): UnimodalSupervision<Tensor1D> {
  const c = oneHot.shape[1];
  const labels = tf.tidy(() => tf.argMax(oneHot, 1)).dataSync();
  const u = unimodalSupervisionOf(
    studentLogits.dataSync() as Float32Array,
    teacherLogits.dataSync() as Float32Array,
    labels,
    c,
  );
  return { signs: tf.tensor1d(u.signs), keepStudent: tf.tensor1d(u.keepStudent), keepTeacher: tf.tensor1d(u.keepTeacher) };
}
