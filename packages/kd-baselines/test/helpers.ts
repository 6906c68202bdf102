// Shared helpers of the kd-baselines tests (not a test file itself: the runner picks up *.test.ts only).
import { readFileSync } from 'node:fs';
import {
  createRandom,
  type DistillBatch,
  type DistillerContext,
  type LabelledSet,
  type Random,
  type Tensor2D,
  tf,
} from '@cmcrd/core';

interface Side {
  logits: number[][];
  features: number[][][];
}

/** Independent reference values: written by test/reference/compute_reference.py (numpy, float64). */
export interface Reference {
  inputs: {
    n: number;
    numClasses: number;
    studentDims: number[];
    teacherDims: number[];
    student: Side;
    teacher: Side;
    fitnet: { w: number[][]; b: number[] };
  };
  expected: {
    kd: { T4: number; T1: number };
    fitnet: number;
    nst: { total: number; perPair: number[] };
    sp: number;
    rkd: { distance: number; angle: number };
    pkt: { eps: number; value: number };
  };
}

export function loadReference(): Reference {
  return JSON.parse(
    readFileSync(new URL('./reference/reference.json', import.meta.url), 'utf8'),
  ) as Reference;
}

export { assertClose, flat, read } from '@cmcrd/core/testing';

/** The backend of a parameterised test file: its usual one, or CMCRD_TEST_BACKEND (CI: webgpu). */
export function testBackend(usual: string): string {
  return process.env.CMCRD_TEST_BACKEND || usual;
}

/** A context for `create`, with the given feature dims and a training set of `labels`. */
export function context(
  studentDims: number[],
  teacherDims: number[],
  numClasses: number,
  labels: Int32Array,
  seed = 1,
): DistillerContext {
  return {
    student: { modality: 'eeg', featureDims: studentDims },
    teacher: { modality: 'em', featureDims: teacherDims },
    numClasses,
    train: { size: labels.length, labels },
    random: createRandom(seed),
  };
}

/** The plain arrays of a batch (so that a test can build fresh tensors, or variables, from them). */
export interface BatchArrays {
  student: Side;
  teacher: Side;
  labels: Int32Array;
  indices: Int32Array;
  numClasses: number;
}

/** The reference inputs as batch arrays; labels 0,1,2,0,1 and rows 0..n−1 of the training set. */
export function referenceArrays(ref: Reference): BatchArrays {
  const n = ref.inputs.n;
  return {
    student: ref.inputs.student,
    teacher: ref.inputs.teacher,
    labels: Int32Array.from({ length: n }, (_, i) => i % ref.inputs.numClasses),
    indices: Int32Array.from({ length: n }, (_, i) => i),
    numClasses: ref.inputs.numClasses,
  };
}

/** A DistillBatch of new tensors (call inside tf.tidy, or dispose them with the result). */
export function batchOf(
  a: BatchArrays,
  make: (v: number[][]) => Tensor2D = (v) => tf.tensor2d(v),
): DistillBatch {
  const oneHot = new Float32Array(a.labels.length * a.numClasses);
  a.labels.forEach((y, i) => {
    oneHot[i * a.numClasses + y] = 1;
  });
  return {
    student: { logits: make(a.student.logits), features: a.student.features.map(make) },
    teacher: { logits: make(a.teacher.logits), features: a.teacher.features.map(make) },
    labels: a.labels,
    labelsOneHot: tf.tensor2d(oneHot, [a.labels.length, a.numClasses]),
    indices: a.indices,
  };
}

/** Random batch arrays of n rows with the given taps. */
export function randomArrays(
  seed: number,
  n: number,
  numClasses: number,
  studentDims: number[],
  teacherDims: number[],
): BatchArrays {
  const r = createRandom(seed);
  const mat = (rows: number, cols: number) =>
    Array.from({ length: rows }, () => Array.from({ length: cols }, () => r.normal()));
  return {
    student: { logits: mat(n, numClasses), features: studentDims.map((d) => mat(n, d)) },
    teacher: { logits: mat(n, numClasses), features: teacherDims.map((d) => mat(n, d)) },
    labels: Int32Array.from({ length: n }, (_, i) => i % numClasses),
    indices: Int32Array.from({ length: n }, (_, i) => i),
    numClasses,
  };
}

/**
 * A tiny paired dataset: `size` rows, classes r mod numClasses, each modality a class centre plus
 * noise (seeded), so that a model can learn something in an epoch.
 */
export function tinyPairedData(
  seed: number,
  size: number,
  numClasses: number,
  dims: { eeg: number; em: number },
): { eeg: LabelledSet; em: LabelledSet } {
  const r: Random = createRandom(seed);
  const labels = Int32Array.from({ length: size }, (_, i) => i % numClasses);
  const make = (dim: number): LabelledSet => {
    const centres = Array.from({ length: numClasses }, () => Array.from({ length: dim }, () => r.normal()));
    const x = new Float32Array(size * dim);
    for (let i = 0; i < size; i++)
      for (let j = 0; j < dim; j++) x[i * dim + j] = centres[labels[i]][j] + 0.8 * r.normal();
    return { x, dim, labels };
  };
  return { eeg: make(dims.eeg), em: make(dims.em) };
}
