import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  createRandom,
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  type DistillerPlugin,
  type LabelledSet,
  type Modality,
  forcePlacement,
  parseDistillerOptions,
  type Placement,
  selectBackend,
  type TrainedModel,
  tf,
  trainStudent,
  trainTeacher,
} from '@cmcrd/core';
import { builtinDistillers } from '../src/index.js';
import { testBackend, tinyPairedData } from './helpers.js';

// One epoch of every baseline in both directions, through core's trainers: a tiny paired set of
// 64 rows, 4 classes, EEG of 12 values and EM of 5.
const C = 4;
const data = tinyPairedData(202, 64, C, { eeg: 12, em: 5 });
const teachers = new Map<Modality, TrainedModel>();

before(async () => {
  await selectBackend(testBackend('cpu'));
  for (const modality of ['em', 'eeg'] as const)
    teachers.set(
      modality,
      await trainTeacher({
        modality,
        config: { ...DEFAULT_TEACHER_CONFIG, epochs: 1, batchSize: 16 },
        numClasses: C,
        train: data[modality],
        selection: 'last',
        random: createRandom(modality === 'em' ? 1 : 2),
      }),
    );
});

const other = (m: Modality): Modality => (m === 'em' ? 'eeg' : 'em');
// 48 other-class rows per class: K = 16 draws without replacement.
const RAW_OPTIONS: Record<string, Record<string, unknown>> = { crd: { negatives: 16 } };

// Both placements on cpu (host: the CPU fast path; device: what GPU backends run); on webgpu (CI,
// CMCRD_TEST_BACKEND) the device placement only.
const PLACEMENTS: Placement[] = testBackend('cpu') === 'webgpu' ? ['device'] : ['host', 'device'];
for (const placement of PLACEMENTS) describe(`one epoch of every baseline, both directions (${placement} placement)`, () => {
  before(() => forcePlacement(placement));
  after(() => forcePlacement(null));
  for (const plugin of builtinDistillers as DistillerPlugin[])
    for (const [teacherModality, studentModality] of [
      ['em', 'eeg'],
      ['eeg', 'em'],
    ] as const) {
      test(`${plugin.name}: ${teacherModality} → ${studentModality}`, async () => {
        assert.equal(other(teacherModality), studentModality);
        const teacher = teachers.get(teacherModality)!;
        const before = await teacher.model.snapshotAsync();
        const tensorsBefore = tf.memory().numTensors;
        const train: LabelledSet = data[studentModality];
        const student = await trainStudent({
          modality: studentModality,
          config: { ...DEFAULT_STUDENT_CONFIG, epochs: 1, warmupEpochs: 0, batchSize: 16 },
          numClasses: C,
          train,
          selection: 'last',
          random: createRandom(3),
          teacher: { model: teacher.model, modality: teacherModality, train: data[teacherModality] },
          distiller: { plugin, options: parseDistillerOptions(plugin, RAW_OPTIONS[plugin.name] ?? {}) },
        });
        assert.equal(student.history.length, 1);
        const losses = student.history[0].losses;
        assert.ok('distill' in losses, `losses: ${Object.keys(losses).join(', ')}`);
        for (const [k, v] of Object.entries(losses)) assert.ok(Number.isFinite(v), `${k} = ${v}`);
        assert.ok(losses.distill > 0, `distill = ${losses.distill}`);
        // The teacher is untouched, and the distiller's tensors are gone with it.
        (await teacher.model.snapshotAsync()).forEach((a, i) => {
          assert.deepEqual(a, before[i], `teacher array ${i} changed`);
        });
        student.model.dispose();
        assert.equal(tf.memory().numTensors, tensorsBefore, 'tensors leaked');
      });
    }
});
