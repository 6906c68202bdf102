import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import {
  buildStudentObjective,
  cmcrdPlugin,
  createRandom,
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  gatherRows,
  oneHot,
  type StudentTraining,
  selectBackend,
  type TrainedModel,
  tf,
  trainStudent,
  trainTeacher,
} from '../src/index.js';
import { flat, tinyPairedData } from './helpers.js';

const C = 4;
const data = tinyPairedData(101, 64, C, { student: 10, teacher: 6 });
let teacher: TrainedModel;

before(async () => {
  await selectBackend('cpu');
  teacher = await trainTeacher({
    modality: 'em',
    config: { ...DEFAULT_TEACHER_CONFIG, epochs: 1, batchSize: 16 },
    numClasses: C,
    train: data.teacher,
    selection: 'last',
    random: createRandom(1),
  });
});

function studentTraining(seed: number): StudentTraining {
  return {
    modality: 'eeg',
    config: { ...DEFAULT_STUDENT_CONFIG, epochs: 1, warmupEpochs: 0, batchSize: 16 },
    numClasses: C,
    train: data.student,
    selection: 'last',
    random: createRandom(seed),
    teacher: { model: teacher.model, modality: 'em', train: data.teacher },
    distiller: {
      plugin: cmcrdPlugin as never,
      options: cmcrdPlugin.options.parse({ negatives: 8, dim: 16 }),
    },
  };
}

const nonZero = (g: { dataSync(): unknown } | undefined) =>
  !!g && (g.dataSync() as Float32Array).some((v) => v !== 0);

describe('the teacher is frozen during distillation', () => {
  test('gradients reach every student and projection variable, and no teacher variable', async () => {
    const objective = await buildStudentObjective(studentTraining(2));
    const rows = Int32Array.from({ length: 16 }, (_, i) => i);
    const batch = {
      rows,
      rowsTensor: null,
      x: gatherRows(data.student.x, data.student.dim, rows),
      oneHot: oneHot(data.student.labels, rows, C),
    };
    const teacherVars = teacher.model.trainableVariables;
    assert.ok(teacherVars.length > 0);
    const { value, grads } = tf.variableGrads(
      () => objective.batchLoss(batch).total,
      [...objective.variables, ...teacherVars],
    );
    assert.ok(Number.isFinite(flat(value)[0]));
    for (const v of objective.model.trainableVariables)
      assert.ok(nonZero(grads[v.name]), `student ${v.name} has no gradient`);
    assert.equal(objective.distiller!.variables.length, 4);
    for (const v of objective.distiller!.variables)
      assert.ok(nonZero(grads[v.name]), `distiller ${v.name} has no gradient`);
    for (const v of teacherVars) assert.ok(!nonZero(grads[v.name]), `teacher ${v.name} received a gradient`);
    objective.dispose();
  });

  test('a full trainStudent epoch leaves the teacher bit-identical', async () => {
    const before = teacher.model.snapshot();
    const student = await trainStudent(studentTraining(3));
    const after = teacher.model.snapshot();
    assert.equal(after.length, before.length);
    after.forEach((a, i) => {
      assert.deepEqual(a, before[i], `teacher array ${i} changed`);
    });
    assert.equal(student.history.length, 1);
    assert.ok(Number.isFinite(student.history[0].losses.distill));
    student.model.dispose();
  });
});
