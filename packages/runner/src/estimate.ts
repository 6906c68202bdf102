import { availableParallelism, cpus, hostname } from 'node:os';
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
import { buildSplit, datasetSpec, loadDataset, type Split, syntheticSplitSizes } from '@cmcrd/data';
import type { RunConfig } from './config.js';
import { dimOf, part } from './fold.js';
import { canonicalJson } from '@cmcrd/store';
import type { FoldJob } from './jobs.js';
import { distillerOf } from './plugins.js';
import type { Store } from '@cmcrd/store';

export interface TimeRange {
  /** From the fastest round's step times. */
  low: number;
  /** From the median step times. */
  mid: number;
  /** From the slowest round's step times. */
  high: number;
}

export interface StepTimeSource {
  kind: string;
  msPerStep: number;
  lowMs: number;
  highMs: number;
  /** CPU time per step (the median round's), when the backend computes on this process's one thread: an idle core's step time. */
  cpuMs: number | null;
  /** Kept in the store by an earlier dry run on this machine and backend, read from earlier folds, or timed now. */
  from: 'timings' | 'folds' | 'measured';
}

/** The student training time of one fold (teacher not counted) on one worker, for one group of pending folds. */
export interface FoldTime {
  protocol: string;
  /** method (direction) · dataset · protocol · backbone */
  what: string;
  folds: number;
  seconds: TimeRange;
  /** On one idle core (see SweepEstimate.idleSeconds); null when unknown. */
  idleSeconds: number | null;
}

export interface SweepEstimate {
  folds: number;
  stored: number;
  pending: number;
  /** Teachers the pending folds need that the store does not have yet. */
  teachersToTrain: number;
  /** The pending folds' training time on one worker, seconds (the range's middle). */
  seconds: number;
  /** Divided over the workers. */
  wallSeconds: number;
  /** Seconds on one worker, from the fastest to the slowest measured step times. */
  range: TimeRange;
  wallRange: TimeRange;
  /**
   * Seconds on one worker with a core to itself: the measured CPU time per step, where the backend
   * computes on one thread of this process (wasm, cpu). It does not move with the machine's load,
   * as wall time does; null for other backends or step times read from folds.
   */
  idleSeconds: number | null;
  /** The machine and backend the step times are for (measured, or looked up, under this name). */
  machine: string;
  backend: string | null;
  /** Where each kind of fold's step time came from. */
  sources: StepTimeSource[];
  /** One fold's training time per (protocol, dataset, backbone, method, direction), slowest first. */
  foldTimes: FoldTime[];
  /**
   * Each pending fold's seconds on one worker (an idle core's where known, else the median's), by
   * config hash; a teacher to train counts with the first fold that needs it. For splitting time
   * over shards (`sweep --slurm`).
   */
  jobSeconds: Map<string, number>;
}

export interface TimingProgress {
  /** 1-based: which kind of this round is being timed, of how many. */
  kind: number;
  kinds: number;
  round: number;
  rounds: number;
  what: string;
}

export interface EstimateOptions {
  workers: number;
  backend?: string;
  /** Timed steps per kind and round (after two warm-up steps; fewer when a step is slow). */
  calibrationSteps?: number;
  /** Rounds over all the kinds to time: each kind is timed once per round, interleaved with the others. */
  rounds?: number;
  onProgress?: (p: TimingProgress) => void;
}

/** Backends that compute a step on this process's one thread: its CPU time is a step's time on an idle core. */
const SINGLE_THREADED = new Set(['wasm', 'cpu']);

/** The machine step times are kept for: host name, CPU model and core count. */
export function machineId(): string {
  return `${hostname()} · ${cpus()[0]?.model.trim() ?? 'unknown CPU'} × ${availableParallelism()}`;
}

/** What a kind of fold needs to be timed: its configuration and one of its folds (for the split). */
interface KindPlan {
  key: string;
  role: 'student' | 'teacher';
  config: RunConfig;
  foldKey: string;
  modality?: 'eeg' | 'em';
  /** Training steps of the pending folds of this kind (fusion counts its two models). */
  steps: number;
  what: string;
}

/**
 * An estimate of a sweep's time from step times, for each kind of fold (backbone, method,
 * direction, batch; and dataset and protocol for memory-bank methods, whose step grows with the
 * training set) and each kind of teacher: step times kept in the store by an earlier dry run on
 * this machine and backend; otherwise those of the store's finished folds of the kind; otherwise
 * a few steps timed here, the kinds interleaved over several rounds (so that a change in the
 * machine's load spreads over every kind instead of skewing some), then kept in the store. The
 * range runs from the fastest to the slowest round.
 */
export async function estimateSweep(jobs: FoldJob[], store: Store, o: EstimateOptions): Promise<SweepEstimate> {
  const calibrationSteps = o.calibrationSteps ?? 5;
  const rounds = Math.max(1, o.rounds ?? 3);
  const pending = jobs.filter((j) => store.findByHash(j.configHash)?.status !== 'done');
  const machine = machineId();
  const plans = new Map<string, KindPlan>();
  // Pending folds per (protocol, dataset, backbone, method, direction): the per-fold times printed.
  const perFold = new Map<string, { protocol: string; what: string; kind: string; folds: number; steps: number }>();
  const teacherChecked = new Set<string>();
  let teachersToTrain = 0;
  const perJob: { hash: string; parts: { key: string; steps: number }[] }[] = [];

  for (const job of pending) {
    const c = job.config;
    const m = c.method;
    const rows = trainRowsOf(c, job.foldKey);
    // A step costs the same on every dataset and protocol (same input sizes, same batch), except
    // for methods with a memory bank, whose step grows with the training set and K.
    const banked = 'negatives' in m.options;
    const shape = banked
      ? [c.dataset, c.protocol, c.backbone, m.name, m.direction, c.student.batchSize]
      : [c.backbone, m.name, m.direction, c.student.batchSize];
    const key = canonicalJson(['student', ...shape]);
    const steps = (m.testModality === 'eeg+em' ? 2 : 1) * c.student.epochs * stepsPerEpochOf(rows, c.student.batchSize);
    addPlan(plans, { key, role: 'student', config: c, foldKey: job.foldKey, steps, what: shape.join(' ') });
    const parts = [{ key, steps }];
    perJob.push({ hash: job.configHash, parts });
    const groupKey = canonicalJson([c.protocol, c.dataset, c.backbone, m.name, m.direction]);
    const group = perFold.get(groupKey) ?? { protocol: c.protocol, what: `${m.name}${m.direction === 'none' ? '' : ` ${m.direction}`} · ${c.dataset} · ${c.protocol} · ${c.backbone}`, kind: key, folds: 0, steps: 0 };
    group.folds++;
    group.steps += steps;
    perFold.set(groupKey, group);
    if (job.teacherKey && m.teacherModality && !teacherChecked.has(job.teacherKey)) {
      teacherChecked.add(job.teacherKey);
      if (store.hasTeacher(job.teacherKey)) continue;
      teachersToTrain++;
      const tShape = [c.backbone, m.teacherModality, DEFAULT_TEACHER_CONFIG.batchSize];
      const tKey = canonicalJson(['teacher', ...tShape]);
      const tSteps = c.teacherEpochs * stepsPerEpochOf(rows, DEFAULT_TEACHER_CONFIG.batchSize);
      addPlan(plans, {
        key: tKey,
        role: 'teacher',
        config: c,
        foldKey: job.foldKey,
        modality: m.teacherModality,
        steps: tSteps,
        what: `teacher ${tShape.join(' ')}`,
      });
      parts.push({ key: tKey, steps: tSteps });
    }
  }

  const backend = plans.size > 0 ? await selectBackend(o.backend) : (o.backend ?? null);
  const kept = backend ? store.stepTimesOf(machine, backend) : new Map();
  const sources = new Map<string, StepTimeSource>();
  const toMeasure: KindPlan[] = [];
  for (const plan of plans.values()) {
    const row = kept.get(plan.key);
    const fromFolds = row ? null : plan.role === 'student' ? storedStepMs(store, plan.config) : null;
    if (row) sources.set(plan.key, { kind: plan.key, msPerStep: row.msPerStep, lowMs: row.lowMs, highMs: row.highMs, cpuMs: row.cpuMs, from: 'timings' });
    else if (fromFolds) sources.set(plan.key, { kind: plan.key, ...fromFolds, cpuMs: null, from: 'folds' });
    else toMeasure.push(plan);
  }

  if (toMeasure.length > 0 && backend) {
    const samples = new Map<string, number[]>(toMeasure.map((p) => [p.key, []]));
    const cpuSamples = new Map<string, number[]>(toMeasure.map((p) => [p.key, []]));
    const timed = new Map<string, number>();
    const splits = new Map<string, Split>();
    for (let round = 1; round <= rounds; round++) {
      for (const [i, plan] of toMeasure.entries()) {
        o.onProgress?.({ kind: i + 1, kinds: toMeasure.length, round, rounds, what: plan.what });
        const split = splitFor(splits, plan.config, plan.foldKey);
        const calibration = { steps: calibrationSteps, warmup: round === 1 ? 2 : 1 };
        const { ms, cpuMs, steps } = await (
          plan.role === 'teacher'
            ? measureTeacherStep(plan.config, split, plan.modality!, calibration)
            : measureStudentStep(plan.config, split, calibration)
        );
        samples.get(plan.key)!.push(ms);
        cpuSamples.get(plan.key)!.push(cpuMs);
        timed.set(plan.key, (timed.get(plan.key) ?? 0) + steps);
      }
    }
    const measured = toMeasure.map((plan) => {
      const xs = [...samples.get(plan.key)!].sort((a, b) => a - b);
      const cpu = [...cpuSamples.get(plan.key)!].sort((a, b) => a - b);
      return {
        kind: plan.key,
        msPerStep: median(xs),
        lowMs: xs[0],
        highMs: xs[xs.length - 1],
        cpuMs: SINGLE_THREADED.has(backend) ? median(cpu) : null,
        steps: timed.get(plan.key) ?? 0,
      };
    });
    store.saveStepTimes(measured.map((r) => ({ machine, backend, ...r })));
    for (const r of measured) sources.set(r.kind, { kind: r.kind, msPerStep: r.msPerStep, lowMs: r.lowMs, highMs: r.highMs, cpuMs: r.cpuMs, from: 'measured' });
  }

  const range: TimeRange = { low: 0, mid: 0, high: 0 };
  let idle: number | null = 0;
  for (const plan of plans.values()) {
    const t = sources.get(plan.key);
    if (!t) continue;
    idle = idle === null || t.cpuMs === null ? null : idle + (plan.steps * t.cpuMs) / 1000;
    range.low += (plan.steps * t.lowMs) / 1000;
    range.mid += (plan.steps * t.msPerStep) / 1000;
    range.high += (plan.steps * t.highMs) / 1000;
  }
  const foldTimes: FoldTime[] = [];
  for (const g of perFold.values()) {
    const t = sources.get(g.kind);
    if (!t) continue;
    const perStep = g.steps / g.folds / 1000;
    foldTimes.push({
      protocol: g.protocol,
      what: g.what,
      folds: g.folds,
      seconds: { low: perStep * t.lowMs, mid: perStep * t.msPerStep, high: perStep * t.highMs },
      idleSeconds: t.cpuMs === null ? null : perStep * t.cpuMs,
    });
  }
  foldTimes.sort((a, b) => (b.idleSeconds ?? b.seconds.mid) - (a.idleSeconds ?? a.seconds.mid));
  const jobSeconds = new Map<string, number>();
  for (const j of perJob) {
    let seconds = 0;
    for (const p of j.parts) {
      const t = sources.get(p.key);
      if (t) seconds += (p.steps * (t.cpuMs ?? t.msPerStep)) / 1000;
    }
    jobSeconds.set(j.hash, seconds);
  }
  const share = Math.max(1, Math.min(o.workers, pending.length));
  const wallRange = { low: range.low / share, mid: range.mid / share, high: range.high / share };
  return {
    folds: jobs.length,
    stored: jobs.length - pending.length,
    pending: pending.length,
    teachersToTrain,
    seconds: range.mid,
    wallSeconds: wallRange.mid,
    range,
    wallRange,
    idleSeconds: idle,
    machine,
    backend,
    sources: [...sources.values()],
    foldTimes,
    jobSeconds,
  };
}

function addPlan(plans: Map<string, KindPlan>, plan: KindPlan): void {
  const known = plans.get(plan.key);
  if (known) known.steps += plan.steps;
  else plans.set(plan.key, plan);
}

const median = (sorted: number[]) => sorted[Math.floor(sorted.length / 2)] ?? 0;

const splitKey = (c: RunConfig, foldKey: string) => canonicalJson([c.dataset, c.dataSeed, c.protocol, foldKey, c.protocolOptions]);

/** Training rows of a fold's split: from the spec for the synthetic presets, otherwise by building the split (cached). */
const importedRows = new Map<string, number>();
function trainRowsOf(c: RunConfig, foldKey: string): number {
  const sizes = syntheticSplitSizes(datasetSpec(c.dataset), c.protocol, foldKey, c.protocolOptions);
  if (sizes) return sizes.train;
  const key = splitKey(c, foldKey);
  let n = importedRows.get(key);
  if (n === undefined) {
    n = buildSplit(loadDataset(c.dataset, { seed: c.dataSeed }), c.protocol, foldKey, c.protocolOptions).train.n;
    importedRows.set(key, n);
  }
  return n;
}

function splitFor(splits: Map<string, Split>, c: RunConfig, foldKey: string): Split {
  const key = splitKey(c, foldKey);
  let split = splits.get(key);
  if (!split) {
    split = buildSplit(loadDataset(c.dataset, { seed: c.dataSeed }), c.protocol, foldKey, c.protocolOptions);
    splits.set(key, split);
  }
  return split;
}

/** ms per student step of earlier folds of the same kind (median, and the quartiles as its range), or null. */
function storedStepMs(store: Store, c: RunConfig): { msPerStep: number; lowMs: number; highMs: number } | null {
  const rows = store
    .listFolds({ dataset: c.dataset, protocol: c.protocol, backbone: c.backbone, method: c.method.name, direction: c.method.direction, status: 'done' })
    .filter((f) => f.trainMs && f.trainSize && f.epochs);
  if (rows.length === 0) return null;
  const per = rows.map((f) => f.trainMs! / ((c.method.testModality === 'eeg+em' ? 2 : 1) * f.epochs * stepsPerEpochOf(f.trainSize!, c.student.batchSize)));
  per.sort((a, b) => a - b);
  const at = (q: number) => per[Math.min(per.length - 1, Math.floor(q * per.length))];
  return { msPerStep: at(0.5), lowMs: at(0.25), highMs: at(0.75) };
}

class StopCalibration extends Error {}

/** How many steps to time, after how many untimed warm-up ones (the first round warms the backend up for the later ones). */
interface Calibration {
  steps: number;
  warmup: number;
}

/**
 * Median of `steps` timed steps after the warm-up ones, or of as many as fit in about 0.6 s (at
 * least one: a cross-subject memory-bank step takes a quarter of a second or more, and each kind
 * is timed in several rounds); the run is then abandoned.
 */
async function timeSteps({ steps, warmup }: Calibration, run: (onStep: (ms: number) => void) => Promise<unknown>): Promise<Timed> {
  const times: number[] = [];
  const cpu: number[] = [];
  let lastCpu = process.cpuUsage();
  let spent = 0;
  try {
    await run((ms) => {
      const used = process.cpuUsage(lastCpu);
      lastCpu = process.cpuUsage();
      times.push(ms);
      cpu.push((used.user + used.system) / 1000);
      if (times.length > warmup) spent += ms;
      if (times.length >= warmup + steps || (times.length > warmup && spent > 600)) throw new StopCalibration();
    });
  } catch (e) {
    if (!(e instanceof StopCalibration)) throw e;
  }
  const from = Math.min(warmup, Math.max(0, times.length - 1));
  const timed = times.slice(from).sort((a, b) => a - b);
  const cpuTimed = cpu.slice(from).sort((a, b) => a - b);
  return { ms: median(timed), cpuMs: median(cpuTimed), steps: timed.length };
}

/** Median wall and CPU time of a step, and how many timed steps they are the medians of. */
interface Timed {
  ms: number;
  cpuMs: number;
  steps: number;
}

/** The training set of one modality. */
const trainOf = (split: Split, modality: 'eeg' | 'em') => part(split.train, modality, dimOf(split, modality))!;

async function measureStudentStep(c: RunConfig, split: Split, steps: Calibration): Promise<Timed> {
  const m = c.method;
  const modality = m.testModality === 'eeg+em' ? 'eeg' : m.testModality;
  const random = createRandom(1);
  const plugin = await distillerOf(m);
  let teacher = null;
  if (plugin && m.teacherModality) {
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
        distiller: plugin ? { plugin, options: m.options } : null,
      }),
    );
  } finally {
    teacher?.model.dispose();
  }
}

function measureTeacherStep(c: RunConfig, split: Split, modality: 'eeg' | 'em', steps: Calibration): Promise<Timed> {
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
