// Peak resident memory of what a worker holds for one SEED-IV-sized cross-subject CMCRD fold:
// the dataset, the leave-one-subject-out split, a teacher (1 epoch) and the student with its
// memory banks for some steps (a full fold takes hours here; memory is reached in the first steps).
import {
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  createRandom,
  getDistiller,
  parseDistillerOptions,
  selectBackend,
  trainStudent,
  trainTeacher,
} from '@cmcrd/core';
import { DEFAULT_PROTOCOL_OPTIONS, buildSplit, datasetSpec, loadDataset } from '@cmcrd/data';
import { loadBuiltins } from '../src/plugins.js';

const STUDENT_STEPS = 40;
class Enough extends Error {}

await selectBackend('wasm');
loadBuiltins();
const spec = datasetSpec('synthetic-seed-iv');
const split = buildSplit(loadDataset('synthetic-seed-iv'), 'cross-subject', 'loso-01', DEFAULT_PROTOCOL_OPTIONS);
const em = { x: split.train.em, dim: split.emDim, labels: split.train.labels };
const eeg = { x: split.train.eeg, dim: split.eegDim, labels: split.train.labels };
const random = createRandom(1);
const teacher = await trainTeacher({ modality: 'em', config: { ...DEFAULT_TEACHER_CONFIG, epochs: 1 }, numClasses: spec.numClasses, train: em, selection: 'last', random: random.fork('t') });
const plugin = getDistiller('cmcrd');
let steps = 0;
try {
  await trainStudent({
    modality: 'eeg',
    config: DEFAULT_STUDENT_CONFIG,
    numClasses: spec.numClasses,
    train: eeg,
    selection: 'last',
    random: random.fork('s'),
    teacher: { model: teacher.model, modality: 'em', train: em },
    distiller: { plugin, options: parseDistillerOptions(plugin, { negatives: spec.negatives.cross }) },
    onStep: () => {
      if (++steps >= STUDENT_STEPS) throw new Enough();
    },
  });
} catch (e) {
  if (!(e instanceof Enough)) throw e;
}
console.log(
  JSON.stringify({
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
    trainRows: split.train.n,
    negatives: spec.negatives.cross,
    studentSteps: steps,
  }),
);
