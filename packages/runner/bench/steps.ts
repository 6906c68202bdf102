// One backend's figures; bench/run.ts starts one process per backend and prints the table.
import {
  BackendError,
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  createRandom,
  getBackbone,
  getDistiller,
  parseDistillerOptions,
  selectBackend,
  trainStudent,
  trainTeacher,
} from '@cmcrd/core';
import { DEFAULT_PROTOCOL_OPTIONS, buildSplit, datasetSpec, loadDataset } from '@cmcrd/data';
import { planMethod } from '../src/config.js';
import { loadBuiltins } from '../src/plugins.js';

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]));
const backendName = args.get('backend')!;
const stepEpochs = Number(args.get('step-epochs') ?? 2);
/** Rounds of every measured task in turn, so that the machine's drift spreads over all of them. */
const rounds = Number(args.get('rounds') ?? 3);
const withFold = args.get('fold') === '1';
/** within-subject (subject-01, K within) or cross-subject (loso-01, K cross). */
const protocol = (args.get('protocol') ?? 'within-subject') as 'within-subject' | 'cross-subject';
/** Stop each run after this many steps (0: run its epochs); the first two are warm-up. */
const maxSteps = Number(args.get('max-steps') ?? 0);
/** Teacher and student epochs of the timed fold (the paper's 50 and 40 unless a quick check). */
const [foldTeacherEpochs, foldStudentEpochs] = (args.get('fold-epochs') ?? '50,40').split(',').map(Number);
class EnoughSteps extends Error {}

try {
  await selectBackend(backendName);
} catch (e) {
  if (e instanceof BackendError) {
    console.log(JSON.stringify({ backend: backendName, available: false, reason: e.message }));
    process.exit(0);
  }
  throw e;
}
loadBuiltins();

const DATASET = args.get('dataset') ?? 'synthetic-seed-iv';
const spec = datasetSpec(DATASET);
const split = buildSplit(loadDataset(DATASET), protocol, protocol === 'within-subject' ? 'subject-01' : 'loso-01', DEFAULT_PROTOCOL_OPTIONS);
const negatives = protocol === 'within-subject' ? spec.negatives.within : spec.negatives.cross;
const eeg = { x: split.train.eeg, dim: split.eegDim, labels: split.train.labels };
const em = { x: split.train.em, dim: split.emDim, labels: split.train.labels };
const test = { x: split.test.eeg, dim: split.eegDim, labels: split.test.labels };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** A training run of `stepEpochs` epochs that reports each step's milliseconds. */
type Task = (onStep: (ms: number) => void) => Promise<void>;

/**
 * Median step time per task, leaving out each run's first epoch (warm-up: kernels, allocations).
 * The tasks run in interleaved rounds (a, b, c, a, b, c, …): this machine's speed drifts by up to
 * 2× over minutes, and one task measured early against another measured late misstates the ratio.
 */
async function interleavedMedians(tasks: Record<string, Task>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(tasks).map((k) => [k, []]));
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(tasks)) {
      const these: number[] = [];
      try {
        await run((ms) => {
          these.push(ms);
          if (maxSteps && these.length >= maxSteps) throw new EnoughSteps();
        });
      } catch (e) {
        if (!(e instanceof EnoughSteps)) throw e;
      }
      times[name].push(...these.slice(maxSteps ? Math.min(2, these.length - 1) : Math.floor(these.length / stepEpochs)));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
}

const random = createRandom(1);
const teacherCfg = { ...DEFAULT_TEACHER_CONFIG, epochs: stepEpochs };
// With --max-steps (a quick check) the distillers' teacher is left untrained: step times do not
// depend on its weights, and a cross-subject epoch on a software adapter takes minutes.
const teacherModel = maxSteps
  ? getBackbone('dnn').create({ inputDim: em.dim, numClasses: spec.numClasses, modality: 'em', random: random.fork('t') })
  : (await trainTeacher({ modality: 'em', config: teacherCfg, numClasses: spec.numClasses, train: em, selection: 'last', random: random.fork('t') })).model;
const teacher = { model: teacherModel, modality: 'em' as const, train: em };

const methods = ['eeg-only', 'cmcrd', ...(args.get('methods')?.split(',').filter((m) => m && m !== 'cmcrd' && m !== 'eeg-only') ?? [])];
const studentTasks: Record<string, Task> = {
  teacher: async (onStep) => {
    (await trainTeacher({ modality: 'em', config: teacherCfg, numClasses: spec.numClasses, train: em, selection: 'last', random: random.fork('t'), onStep })).model.dispose();
  },
};
for (const method of methods) {
  const plugin = method === 'eeg-only' ? null : getDistiller(method);
  studentTasks[method] = async (onStep) => {
    const s = await trainStudent({
      modality: 'eeg',
      config: { ...DEFAULT_STUDENT_CONFIG, epochs: stepEpochs, warmupEpochs: 1 },
      numClasses: spec.numClasses,
      train: eeg,
      selection: 'last',
      random: random.fork('s'),
      onStep,
      teacher: plugin ? teacher : null,
      // Options as a run resolves them (defaults, and the dataset's K where the method takes one).
      distiller: plugin ? { plugin, options: planMethod(method, 'em->eeg', {}, spec, protocol).options } : null,
    });
    s.model.dispose();
  };
}
const { teacher: teacherStepMs, ...studentStep } = await interleavedMedians(studentTasks);

// Issue 4: a plain training step (cross-entropy, AdamW) of each backbone on each modality.
const backboneStepMs: Record<string, Record<string, number>> = {};
if (args.get('backbones') === '1') {
  const tasks: Record<string, Task> = {};
  for (const backbone of ['dnn', 'dgcnn', 'bihdm']) {
    for (const [modality, set] of [['eeg', eeg], ['em', em]] as const) {
      tasks[`${backbone}/${modality}`] = async (onStep) => {
        const s = await trainStudent({
          modality,
          config: { ...DEFAULT_STUDENT_CONFIG, backbone, epochs: stepEpochs, warmupEpochs: 1 },
          numClasses: spec.numClasses,
          train: set,
          selection: 'last',
          random: random.fork(`b-${backbone}-${modality}`),
          onStep,
          teacher: null,
          distiller: null,
        });
        s.model.dispose();
      };
    }
  }
  for (const [key, ms] of Object.entries(await interleavedMedians(tasks))) {
    const [backbone, modality] = key.split('/');
    backboneStepMs[backbone] ??= {};
    backboneStepMs[backbone][modality] = ms;
  }
}

let foldSeconds: number | null = null;
if (withFold) {
  // One within-subject fold at the paper's settings: teacher (50 epochs) then the CMCRD student (40).
  const t0 = performance.now();
  const t = await trainTeacher({ modality: 'em', config: { ...DEFAULT_TEACHER_CONFIG, epochs: foldTeacherEpochs }, numClasses: spec.numClasses, train: em, selection: 'last', random: random.fork('ft') });
  const plugin = getDistiller('cmcrd');
  const s = await trainStudent({
    modality: 'eeg',
    config: { ...DEFAULT_STUDENT_CONFIG, epochs: foldStudentEpochs, warmupEpochs: Math.min(DEFAULT_STUDENT_CONFIG.warmupEpochs, Math.floor(foldStudentEpochs / 4)) },
    numClasses: spec.numClasses,
    train: eeg,
    test,
    selection: 'last',
    random: random.fork('fs'),
    teacher: { model: t.model, modality: 'em', train: em },
    distiller: { plugin, options: parseDistillerOptions(plugin, { negatives }) },
  });
  foldSeconds = (performance.now() - t0) / 1000;
  s.model.dispose();
  t.model.dispose();
}

console.log(
  JSON.stringify({
    backend: backendName,
    available: true,
    trainRows: split.train.n,
    negatives,
    protocol,
    dataset: DATASET,
    foldEpochs: [foldTeacherEpochs, foldStudentEpochs],
    teacherStepMs,
    studentStepMs: studentStep,
    backboneStepMs,
    dims: { eeg: eeg.dim, em: em.dim },
    foldSeconds,
  }),
);
