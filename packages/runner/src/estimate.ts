import {
  createRandom,
  DEFAULT_STUDENT_CONFIG,
  DEFAULT_TEACHER_CONFIG,
  getBackbone,
  selectBackend,
  stepsPerEpochOf,
  trainStudent,
  trainTeacher,
} from '@cmcrd/core';
import { buildSplit, loadDataset, type Split } from '@cmcrd/data';
import { type RunConfig, resolveRun } from './config.js';
import { dimOf, part } from './fold.js';
import { canonicalJson } from './identity.js';
import type { FoldJob } from './jobs.js';
import type { Store } from './store/store.js';

export interface SweepEstimate {
  folds: number;
  stored: number;
  pending: number;
  /** Teachers the pending folds need that the store does not have yet. */
  teachersToTrain: number;
  /** Sum of the pending folds' training time on one worker. */
  seconds: number;
  /** Divided over the workers. */
  wallSeconds: number;
  /** Where each step time came from: earlier folds in the store, or a short measurement here. */
  sources: { shape: string; msPerStep: number; from: 'store' | 'measured' }[];
}

class StopCalibration extends Error {}


/**
 * An estimate of a sweep's time from measured step times: for each kind of fold (backbone,
 * method, direction; and dataset and protocol for memory-bank methods) the store's finished
 * folds of that kind if there are any, otherwise a few training steps timed here on the kind's
 * first fold.
 */
export async function estimateSweep(
  jobs: FoldJob[],
  store: Store,
  o: { workers: number; backend?: string; calibrationSteps?: number; onMeasure?: (what: string) => void },
): Promise<SweepEstimate> {
  const calibrationSteps = o.calibrationSteps ?? 8;
  const pending = jobs.filter((j) => store.findByHash(j.configHash)?.status !== 'done');
  // Training-set sizes per split, and the last split built (for measuring): the pending folds of
  // one split are spread over the sweep (one group per backbone and seed), and cross-subject
  // splits are large.
  const trainRows = new Map<string, number>();
  let lastSplit: { key: string; split: Split } | null = null;
  const splitOf = (c: RunConfig, foldKey: string) => {
    const key = canonicalJson([c.dataset, c.dataSeed, c.protocol, foldKey, c.protocolOptions]);
    if (lastSplit?.key !== key) {
      lastSplit = { key, split: buildSplit(loadDataset(c.dataset, { seed: c.dataSeed }), c.protocol, foldKey, c.protocolOptions) };
      trainRows.set(key, lastSplit.split.train.n);
    }
    return lastSplit.split;
  };
  const trainRowsOf = (c: RunConfig, foldKey: string) =>
    trainRows.get(canonicalJson([c.dataset, c.dataSeed, c.protocol, foldKey, c.protocolOptions])) ?? splitOf(c, foldKey).train.n;
  let backendReady = false;
  const ensureBackend = async () => {
    if (!backendReady) await selectBackend(o.backend);
    backendReady = true;
  };
  const stepMs = new Map<string, { msPerStep: number; from: 'store' | 'measured' }>();
  const teacherMs = new Map<string, number>();
  const teachersSeen = new Set<string>();
  let seconds = 0;

  for (const job of pending) {
    const c = resolveRun(job.input);
    const m = c.method;
    // A step costs the same on every dataset and protocol (same input sizes, same batch), except
    // for methods with a memory bank, whose step grows with the training set and K.
    const banked = 'negatives' in m.options;
    const shape = canonicalJson(banked ? [c.dataset, c.protocol, c.backbone, m.name, m.direction, c.student.batchSize] : [c.backbone, m.name, m.direction, c.student.batchSize]);
    const rows = trainRowsOf(c, job.foldKey);
    const studentSteps = c.student.epochs * stepsPerEpochOf(rows, c.student.batchSize);
    let known = stepMs.get(shape);
    if (!known) {
      const fromStore = storedStepMs(store, c);
      if (fromStore !== null) known = { msPerStep: fromStore, from: 'store' };
      else {
        await ensureBackend();
        o.onMeasure?.(`${c.dataset} ${c.protocol} ${c.backbone} ${m.name} ${m.direction}`);
        known = { msPerStep: await measureStudentStep(c, splitOf(c, job.foldKey), calibrationSteps), from: 'measured' };
      }
      stepMs.set(shape, known);
    }
    // Fusion trains the two unimodal models.
    seconds += ((m.testModality === 'eeg+em' ? 2 : 1) * studentSteps * known.msPerStep) / 1000;
    if (job.teacherKey && m.teacherModality && !teachersSeen.has(job.teacherKey) && !store.getTeacher(job.teacherKey)) {
      teachersSeen.add(job.teacherKey);
      const tShape = canonicalJson([c.backbone, m.teacherModality]);
      let ms = teacherMs.get(tShape);
      if (ms === undefined) {
        await ensureBackend();
        ms = await measureTeacherStep(c, splitOf(c, job.foldKey), m.teacherModality, calibrationSteps);
        teacherMs.set(tShape, ms);
      }
      seconds += (c.teacherEpochs * stepsPerEpochOf(rows, DEFAULT_TEACHER_CONFIG.batchSize) * ms) / 1000;
    }
  }
  return {
    folds: jobs.length,
    stored: jobs.length - pending.length,
    pending: pending.length,
    teachersToTrain: teachersSeen.size,
    seconds,
    wallSeconds: seconds / Math.max(1, Math.min(o.workers, pending.length)),
    sources: [...stepMs].map(([shape, v]) => ({ shape, ...v })),
  };
}

/** ms per student step of earlier folds of the same kind, or null. */
function storedStepMs(store: Store, c: RunConfig): number | null {
  const rows = store
    .listFolds({ dataset: c.dataset, protocol: c.protocol, backbone: c.backbone, method: c.method.name, direction: c.method.direction, status: 'done' })
    .filter((f) => f.trainMs && f.trainSize && f.epochs);
  if (rows.length === 0) return null;
  const per = rows.map((f) => f.trainMs! / ((c.method.testModality === 'eeg+em' ? 2 : 1) * f.epochs * stepsPerEpochOf(f.trainSize!, c.student.batchSize)));
  per.sort((a, b) => a - b);
  return per[Math.floor(per.length / 2)];
}

/**
 * Median of `steps` timed steps after two warm-up ones, or of as many as fit in about a second
 * (a cross-subject memory-bank step takes a quarter of a second); the run is then abandoned.
 */
async function timeSteps(steps: number, run: (onStep: (ms: number) => void) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  const warmup = 2;
  let spent = 0;
  try {
    await run((ms) => {
      times.push(ms);
      spent += ms;
      if (times.length >= warmup + steps || (times.length >= warmup + 2 && spent > 1000)) throw new StopCalibration();
    });
  } catch (e) {
    if (!(e instanceof StopCalibration)) throw e;
  }
  const timed = times.slice(Math.min(warmup, Math.max(0, times.length - 1))).sort((a, b) => a - b);
  return timed[Math.floor(timed.length / 2)] ?? 0;
}

/** The training set of one modality. */
const trainOf = (split: Split, modality: 'eeg' | 'em') => part(split.train, modality, dimOf(split, modality))!;

async function measureStudentStep(c: RunConfig, split: Split, steps: number): Promise<number> {
  const m = c.method;
  const modality = m.testModality === 'eeg+em' ? 'eeg' : m.testModality;
  const random = createRandom(1);
  let teacher = null;
  if (m.plugin && m.teacherModality) {
    // An untrained teacher of the right shape: its weights do not change the step time.
    const t = getBackbone(c.backbone).create({
      inputDim: trainOf(split, m.teacherModality).dim,
      numClasses: split.numClasses,
      modality: m.teacherModality,
      random: random.fork('t'),
    });
    teacher = { model: t, modality: m.teacherModality, train: trainOf(split, m.teacherModality) };
  }
  try {
    return await timeSteps(steps, (onStep) =>
      trainStudent({
        modality,
        config: { ...DEFAULT_STUDENT_CONFIG, backbone: c.backbone, ...c.student },
        numClasses: split.numClasses,
        train: trainOf(split, modality),
        selection: 'last',
        random: random.fork('s'),
        onStep,
        teacher,
        distiller: m.plugin ? { plugin: m.plugin, options: m.options } : null,
      }),
    );
  } finally {
    teacher?.model.dispose();
  }
}

function measureTeacherStep(c: RunConfig, split: Split, modality: 'eeg' | 'em', steps: number): Promise<number> {
  return timeSteps(steps, (onStep) =>
    trainTeacher({
      modality,
      config: { ...DEFAULT_TEACHER_CONFIG, backbone: c.backbone, epochs: c.teacherEpochs },
      numClasses: split.numClasses,
      train: trainOf(split, modality),
      selection: 'last',
      random: createRandom(1),
      onStep,
    }),
  );
}
