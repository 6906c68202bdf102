// `cmcrd plugin check`: a distiller plugin tried in seconds on random data, for each backbone's
// feature taps and both directions, the way the trainer calls it (buildStudentObjective and the
// AdamW step of runEpochs). It finds what a fold would only show after minutes, or never: a loss
// that is not a finite scalar, gradients that stop short, variables never trained, tensors leaked
// each step, results that differ under the same seed, options that accept typos.
import { listBackbones, getBackbone } from './backbones/registry.js';
import type { Backbone, Modality } from './backbones/types.js';
import { type DistillerPlugin, type OptionsContext, checkPlugin, parseDistillerOptions } from './distiller.js';
import { AdamW } from './optim/flat-optimizer.js';
import { createRandom } from './random.js';
import { type Scalar, type Tensor, tf } from './tf.js';
import { type LabelledSet, gatherRows, oneHot } from './train/data.js';
import type { BatchInput } from './train/loop.js';
import { DEFAULT_STUDENT_CONFIG, type StudentObjective, buildStudentObjective } from './train/student.js';

export interface PluginCheckOptions {
  /** Default: every registered backbone. */
  backbones?: string[];
  directions?: ('em->eeg' | 'eeg->em')[];
  /** The plugin's options (default: its defaults). */
  options?: Record<string, unknown>;
  /** What the plugin's `defaults` are given, as for a run (default: SEED-IV within-subject's K). */
  context?: OptionsContext;
  seed?: number;
  /** Input sizes per modality: SEED-IV's 62 × 5 differential-entropy features and 31 eye features. */
  inputDims?: Record<Modality, number>;
  numClasses?: number;
  /** Optimizer steps timed per objective, after one untimed warm-up step. */
  steps?: number;
}

export interface PluginCheckRow {
  backbone: string;
  direction: string;
  /** The distillation loss on the first batch (NaN when it could not be computed). */
  loss: number;
  /** check name → null when it passed, what went wrong when it failed; absent when it could not run. */
  failures: Record<string, string | null>;
  /** Milliseconds per optimizer step with the plugin ÷ without (the eeg-only/em-only student). */
  stepTimeRatio: number | null;
}

export interface PluginCheckReport {
  plugin: string;
  ok: boolean;
  /** Checks of the plugin itself, not of one (backbone, direction). */
  general: Record<string, string | null>;
  rows: PluginCheckRow[];
}

/** The checks of each row, in the order a table shows them. */
export const ROW_CHECKS = ['scalar loss', 'grad → student', 'grad → variables', 'all listed', 'no leak', 'same seed', 'dispose'] as const;

/** The options context of a SEED-IV within-subject run (DESIGN.md §2), as the input sizes are SEED-IV's. */
export const CHECK_OPTIONS_CONTEXT: OptionsContext = Object.freeze({ negatives: 1200 });

const ROWS = 64;
const BATCH = 32;

function randomSet(dim: number, numClasses: number, seed: number): LabelledSet {
  const r = createRandom(seed);
  const x = new Float32Array(ROWS * dim);
  for (let i = 0; i < x.length; i++) x[i] = r.normal();
  const labels = Int32Array.from({ length: ROWS }, (_, i) => i % numClasses);
  return { x, dim, labels };
}

function batchOf(set: LabelledSet, numClasses: number, start: number): BatchInput {
  const rows = Int32Array.from({ length: BATCH }, (_, i) => (start + i) % ROWS);
  // Host placement (the checker runs on cpu or wasm): no device-resident rows.
  return { rows, rowsTensor: null, x: gatherRows(set.x, set.dim, rows), oneHot: oneHot(set.labels, rows, numClasses) };
}

function disposeBatch(b: BatchInput): void {
  b.x.dispose();
  b.oneHot.dispose();
}

interface Setup {
  student: Modality;
  teacher: Modality;
  backbone: string;
  numClasses: number;
  studentSet: LabelledSet;
  teacherSet: LabelledSet;
  teacherModel: Backbone;
}

function objective(s: Setup, plugin: DistillerPlugin | null, options: Record<string, unknown>, seed: number): Promise<StudentObjective> {
  return buildStudentObjective({
    config: { ...DEFAULT_STUDENT_CONFIG, backbone: s.backbone },
    modality: s.student,
    numClasses: s.numClasses,
    train: s.studentSet,
    selection: 'last',
    random: createRandom(seed),
    teacher: plugin ? { model: s.teacherModel, modality: s.teacher, train: s.teacherSet } : null,
    distiller: plugin ? { plugin, options } : null,
  });
}

const magnitude = (t: Tensor | null | undefined): number => (t ? tf.tidy(() => tf.sum(tf.abs(t)).dataSync()[0]) : 0);

/** The first batch's distillation loss and where its gradient goes. */
function lossAndGradients(obj: StudentObjective, batch: BatchInput) {
  const studentVars = obj.model.trainableVariables;
  const own = obj.distiller?.variables ?? [];
  let distill = Number.NaN;
  const { value, grads } = tf.engine().gradients(
    () => {
      const out = obj.batchLoss(batch);
      const d = out.parts.distill as Scalar;
      distill = d.dataSync()[0];
      return d;
    },
    [...studentVars, ...own],
    undefined,
    true,
  );
  const toStudent = grads.slice(0, studentVars.length).reduce((a, g) => a + magnitude(g), 0);
  const toOwn = own.map((v, i) => ({ name: v.name, size: magnitude(grads[studentVars.length + i]) }));
  const finiteGrads = grads.every((g) => !g || Number.isFinite(magnitude(g)));
  tf.dispose([value, ...grads.filter((g): g is Tensor => g !== null)]);
  return { distill, toStudent, toOwn, finiteGrads };
}

/** One optimizer step as runEpochs takes it, on the i-th batch; returns its milliseconds. */
function stepper(obj: StudentObjective, s: Setup): (i: number) => number {
  const optimizer = new AdamW(obj.variables, { weightDecay: DEFAULT_STUDENT_CONFIG.weightDecay });
  return (i) => {
    const batch = batchOf(s.studentSet, s.numClasses, i * BATCH);
    const t0 = performance.now();
    try {
      optimizer.minimize(() => obj.batchLoss(batch).total, 1e-3).dispose();
      obj.model.commitBatchStats();
      obj.afterStep(batch);
      return performance.now() - t0;
    } finally {
      disposeBatch(batch);
    }
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Tensors left behind per step, after a first step (which may allocate state such as memory banks). */
function leakPerStep(step: (i: number) => number, steps: number): number {
  step(0);
  const tensors = tf.memory().numTensors;
  for (let i = 1; i <= steps; i++) step(i);
  return (tf.memory().numTensors - tensors) / steps;
}

/**
 * Median ms per step with the plugin ÷ without it, the two stepped in turn so that the machine's
 * other work slows both alike.
 */
function stepTimeRatio(withPlugin: (i: number) => number, plain: (i: number) => number, steps: number): number {
  plain(0);
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 1; i <= steps; i++) {
    a.push(withPlugin(i));
    b.push(plain(i));
  }
  return median(a) / median(b);
}

async function checkRow(plugin: DistillerPlugin, options: Record<string, unknown>, s: Setup, seed: number, steps: number): Promise<PluginCheckRow> {
  const failures: Record<string, string | null> = {};
  const row: PluginCheckRow = { backbone: s.backbone, direction: `${s.teacher}->${s.student}`, loss: Number.NaN, failures, stepTimeRatio: null };
  const variablesBefore = Object.keys(tf.engine().registeredVariables).length;
  let obj: StudentObjective;
  try {
    obj = await objective(s, plugin, options, seed);
  } catch (e) {
    const msg = (e as Error).message;
    failures[/left (it|them) out of 'variables'/.test(msg) ? 'all listed' : 'scalar loss'] = msg;
    return row;
  }
  failures['all listed'] = null;
  const first = batchOf(s.studentSet, s.numClasses, 0);
  try {
    const g = lossAndGradients(obj, first);
    row.loss = g.distill;
    failures['scalar loss'] = Number.isFinite(g.distill) ? null : `the loss is ${g.distill}`;
    failures['grad → student'] =
      g.toStudent === 0 ? "no gradient reaches the student's logits or features" : g.finiteGrads ? null : 'a gradient is not finite';
    const dead = g.toOwn.filter((v) => v.size === 0).map((v) => `'${v.name}'`);
    failures['grad → variables'] = dead.length ? `no gradient reaches ${dead.join(', ')}` : null;
    const step = stepper(obj, s);
    const leak = leakPerStep(step, steps);
    failures['no leak'] = leak > 0 ? `${leak} tensor(s) left behind per step` : null;
    const plain = await objective(s, null, options, seed);
    try {
      row.stepTimeRatio = stepTimeRatio(step, stepper(plain, s), steps);
    } finally {
      plain.dispose();
    }
  } catch (e) {
    failures['scalar loss'] ??= (e as Error).message;
  } finally {
    disposeBatch(first);
    obj.dispose();
  }
  const left = Object.keys(tf.engine().registeredVariables).length - variablesBefore;
  failures.dispose = left > 0 ? `dispose() left ${left} variable(s) registered` : null;
  // The same seed, a fresh instance: the same loss, to the bit.
  if (Number.isFinite(row.loss) && !failures.dispose) {
    try {
      const again = await objective(s, plugin, options, seed);
      const batch = batchOf(s.studentSet, s.numClasses, 0);
      try {
        const value = tf.tidy(() => (again.batchLoss(batch).parts.distill as Scalar).dataSync()[0]);
        failures['same seed'] = Object.is(value, row.loss) ? null : `the same seed gave ${row.loss} and then ${value}`;
      } finally {
        disposeBatch(batch);
        again.dispose();
      }
    } catch (e) {
      failures['same seed'] = `a second instance failed: ${(e as Error).message}`;
    }
  }
  return row;
}

/** The plugin's own checks: the contract's fields, default options, a strict options schema. */
function generalChecks(candidate: unknown, options: Record<string, unknown>, ctx: OptionsContext): Record<string, string | null> {
  const out: Record<string, string | null> = { contract: null, options: null, 'strict options': null };
  try {
    checkPlugin(candidate, 'the module');
  } catch (e) {
    out.contract = (e as Error).message;
    return out;
  }
  const plugin = candidate as DistillerPlugin;
  try {
    parseDistillerOptions(plugin, options, ctx);
  } catch (e) {
    out.options = (e as Error).message;
  }
  const typo = plugin.options.safeParse({ ...options, cmcrdCheckUnknownOption: 1 });
  if (typo.success) out['strict options'] = 'an unknown option is accepted silently: make the schema z.object({...}).strict()';
  return out;
}

/**
 * Checks a distiller plugin against the contract on random data, for each backbone and direction.
 * The backend must be selected already (selectBackend).
 */
export async function checkDistillerPlugin(candidate: unknown, o: PluginCheckOptions = {}): Promise<PluginCheckReport> {
  const ctx = o.context ?? CHECK_OPTIONS_CONTEXT;
  const general = generalChecks(candidate, o.options ?? {}, ctx);
  const name = (candidate as { name?: unknown } | null)?.name;
  const report: PluginCheckReport = { plugin: typeof name === 'string' ? name : '?', ok: false, general, rows: [] };
  if (general.contract || general.options) return report;
  const plugin = candidate as DistillerPlugin;
  const options = parseDistillerOptions(plugin, o.options ?? {}, ctx);
  const seed = o.seed ?? 1;
  const numClasses = o.numClasses ?? 4;
  const dims = o.inputDims ?? { eeg: 310, em: 31 };
  for (const backbone of o.backbones ?? listBackbones()) {
    for (const direction of o.directions ?? ['em->eeg', 'eeg->em']) {
      const [teacher, student] = direction.split('->') as [Modality, Modality];
      const teacherModel = getBackbone(backbone).create({ inputDim: dims[teacher], numClasses, modality: teacher, random: createRandom(seed + 1) });
      try {
        const setup: Setup = {
          student,
          teacher,
          backbone,
          numClasses,
          studentSet: randomSet(dims[student], numClasses, seed + 2),
          teacherSet: randomSet(dims[teacher], numClasses, seed + 3),
          teacherModel,
        };
        report.rows.push(await checkRow(plugin, options, setup, seed, o.steps ?? 5));
      } finally {
        teacherModel.dispose();
      }
    }
  }
  report.ok =
    Object.values(general).every((v) => v === null) &&
    report.rows.every((r) => ROW_CHECKS.every((c) => r.failures[c] === null));
  return report;
}
