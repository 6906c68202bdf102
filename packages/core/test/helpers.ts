// Shared helpers of the core tests (not a test file itself: the runner picks up *.test.ts only).
import { readFileSync } from 'node:fs';
import { createRandom, type LabelledSet, type Random } from '../src/index.js';

/** Independent reference values: written by test/reference/compute_reference.py (numpy, float64). */
export interface NceCase {
  name: string;
  embedding: number[][];
  positives: number[];
  negatives: number[][];
  k: number;
  dataSize: number;
  temperature: number;
  scoreWeights: number[] | null;
  termSigns: number[] | null;
  expected: { z: number; loss: number; grad: number[][] };
}

interface UsCase {
  labels: number[];
  studentLogits: number[][];
  teacherLogits: number[][];
  expected: { signs: number[]; keepStudent: number[]; keepTeacher: number[] };
}

export interface Reference {
  mcc: {
    logits: number[][];
    temperature: number;
    expected: number;
    expectedGradWeightsDetached: number[][];
  }[];
  entropyWeights: { teacherLogits: number[][]; temperature: number; expected: number[] };
  nce: {
    bank: number[][];
    bankLabels: number[];
    cases: NceCase[];
    zFixed: {
      first: number[][];
      second: number[][];
      negatives: number[][];
      expected: { z: number; firstLoss: number; secondLossWithFirstZ: number; zTheSecondWouldGive: number };
    };
  };
  us: { mixed: UsCase; allWrong: UsCase };
  optimizers: {
    w0: number[];
    a: number[];
    b: number[];
    lrs: number[];
    adamw: { weightDecay: number; expected: number[][] };
    sgd: { momentum: number; weightDecay: number; expected: number[][] };
  };
}

export function loadReference(): Reference {
  return JSON.parse(
    readFileSync(new URL('./reference/reference.json', import.meta.url), 'utf8'),
  ) as Reference;
}

export { assertClose, flat, read } from '../src/testing.js';

/**
 * The backend a parameterised test file runs on: its usual one, or CMCRD_TEST_BACKEND (CI runs
 * the numeric files again with webgpu on Mesa's lavapipe).
 */
export function testBackend(usual: string): string {
  return process.env.CMCRD_TEST_BACKEND || usual;
}

/** Rows r of a row-major [rows, cols] array that are entirely zero. */
export function zeroRows(values: ArrayLike<number>, cols: number): boolean[] {
  const rows = values.length / cols;
  return Array.from({ length: rows }, (_, r) => {
    for (let c = 0; c < cols; c++) if (values[r * cols + c] !== 0) return false;
    return true;
  });
}

/**
 * A tiny paired dataset: `size` rows, classes r mod numClasses, each modality a class centre plus
 * noise (seeded), so that a model can learn something in an epoch.
 */
export function tinyPairedData(
  seed: number,
  size: number,
  numClasses: number,
  dims: { student: number; teacher: number },
): { student: LabelledSet; teacher: LabelledSet } {
  const r: Random = createRandom(seed);
  const labels = Int32Array.from({ length: size }, (_, i) => i % numClasses);
  const make = (dim: number): LabelledSet => {
    const centres = Array.from({ length: numClasses }, () => Array.from({ length: dim }, () => r.normal()));
    const x = new Float32Array(size * dim);
    for (let i = 0; i < size; i++)
      for (let j = 0; j < dim; j++) x[i * dim + j] = centres[labels[i]][j] + 0.8 * r.normal();
    return { x, dim, labels };
  };
  return { student: make(dims.student), teacher: make(dims.teacher) };
}
