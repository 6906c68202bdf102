// The training run that the determinism tests repeat (not a test file itself).
import assert from 'node:assert/strict';
import {
  cmcrdPlugin,
  createRandom,
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  type EpochRecord,
  trainStudent,
  trainTeacher,
} from '../src/index.js';
import { tinyPairedData } from './helpers.js';

export interface RunResult {
  teacherHistory: EpochRecord[];
  studentHistory: EpochRecord[];
  teacherWeights: Float32Array[];
  studentWeights: Float32Array[];
}

/** Teacher (SGD + MCC, 2 epochs) then a CMCRD student (AdamW, warm-up + cosine, 2 epochs), all from `seed`. */
export async function trainingRun(seed: number): Promise<RunResult> {
  const data = tinyPairedData(seed, 64, 4, { student: 10, teacher: 6 });
  const random = createRandom(seed);
  const teacher = await trainTeacher({
    modality: 'em',
    config: { ...DEFAULT_TEACHER_CONFIG, epochs: 2, batchSize: 16 },
    numClasses: 4,
    train: data.teacher,
    selection: 'last',
    random: random.fork('teacher'),
  });
  const student = await trainStudent({
    modality: 'eeg',
    config: { ...DEFAULT_STUDENT_CONFIG, epochs: 2, warmupEpochs: 1, batchSize: 16 },
    numClasses: 4,
    train: data.student,
    selection: 'last',
    random: random.fork('student'),
    teacher: { model: teacher.model, modality: 'em', train: data.teacher },
    distiller: {
      plugin: cmcrdPlugin as never,
      options: cmcrdPlugin.options.parse({ negatives: 8, dim: 16 }),
    },
  });
  const result = {
    teacherHistory: teacher.history,
    studentHistory: student.history,
    teacherWeights: await teacher.model.snapshotAsync(),
    studentWeights: await student.model.snapshotAsync(),
  };
  teacher.model.dispose();
  student.model.dispose();
  return result;
}

export function assertSameRun(a: RunResult, b: RunResult): void {
  assert.deepEqual(a.teacherHistory, b.teacherHistory);
  assert.deepEqual(a.studentHistory, b.studentHistory);
  assert.equal(a.teacherWeights.length, b.teacherWeights.length);
  a.teacherWeights.forEach((w, i) => {
    assert.deepEqual(w, b.teacherWeights[i], `teacher array ${i}`);
  });
  a.studentWeights.forEach((w, i) => {
    assert.deepEqual(w, b.studentWeights[i], `student array ${i}`);
  });
}

export function assertDifferentRun(a: RunResult, b: RunResult): void {
  assert.notDeepEqual(a.studentHistory, b.studentHistory);
  assert.ok(a.studentWeights.some((w, i) => !sameBits(w, b.studentWeights[i])));
  assert.ok(a.teacherWeights.some((w, i) => !sameBits(w, b.teacherWeights[i])));
}

function sameBits(x: Float32Array, y: Float32Array): boolean {
  return (
    x.length === y.length &&
    Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(
      Buffer.from(y.buffer, y.byteOffset, y.byteLength),
    )
  );
}
