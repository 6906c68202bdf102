import { getBackbone } from '../backbones/registry.js';
import type { Backbone, Modality } from '../backbones/types.js';
import { type Distiller, type DistillerPlugin, PluginContractError, checkLossShape } from '../distiller.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { AdamW } from '../optim/flat-optimizer.js';
import { warmupCosine } from '../optim/schedule.js';
import { trainingPlacement } from '../placement.js';
import { type Scalar, type Tensor2D, type Variable, tf } from '../tf.js';
import { type LabelledSet, checkLabelledSet, rowCount } from './data.js';
import { inferAllAsync } from './evaluate.js';
import { type BatchInput, type BatchLoss, type TrainingRun, runEpochs } from './loop.js';
import type { TrainedModel } from './teacher.js';

export interface StudentConfig {
  backbone: string;
  epochs: number;
  warmupEpochs: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
}

export const DEFAULT_STUDENT_CONFIG: StudentConfig = {
  backbone: 'dnn',
  epochs: 40,
  warmupEpochs: 10,
  batchSize: 32,
  lr: 1e-3,
  weightDecay: 1e-3,
};

export interface TeacherForStudent {
  model: Backbone;
  modality: Modality;
  /** The teacher modality's rows of the student's training set, in the same order. */
  train: LabelledSet;
}

export interface StudentTraining extends TrainingRun {
  config: StudentConfig;
  teacher?: TeacherForStudent | null;
  distiller?: { plugin: DistillerPlugin; options: Record<string, unknown> } | null;
}

/** Not a UserError: a plugin failing inside a fold fails that fold (recorded), not the run. */
export class DistillerFailure extends Error {
  override name = 'DistillerFailure';
  constructor(
    readonly plugin: string,
    message: string,
    /** A broken contract (a non-scalar loss, an unlisted variable): the same every time, not worth a retry. */
    readonly contract = false,
  ) {
    super(`distiller '${plugin}': ${message}`);
  }
}

/** Trainable variables registered since `before` that the distiller did not list: they would never be trained. */
function unlistedVariables(before: Set<string>, listed: Variable[]): string[] {
  const names = new Set(listed.map((v) => v.name));
  return Object.entries(tf.engine().registeredVariables)
    .filter(([name, v]) => !before.has(name) && v.trainable && !names.has(name))
    .map(([name]) => name);
}

/** The student's per-batch objective CE + distiller, and everything it trains. */
export interface StudentObjective {
  model: Backbone;
  distiller: Distiller | null;
  /** Student weights and the distiller's own variables: what the optimizer updates. */
  variables: Variable[];
  batchLoss(batch: BatchInput): BatchLoss;
  afterStep(batch: BatchInput): void;
  dispose(): void;
  /** Frees what only training needs (distiller, teacher outputs), keeping the model. */
  disposeTraining(): void;
}

function rowsOf(data: Float32Array, width: number, rows: Int32Array): Tensor2D {
  const out = new Float32Array(rows.length * width);
  for (let r = 0; r < rows.length; r++)
    out.set(data.subarray(rows[r] * width, rows[r] * width + width), r * width);
  return tf.tensor2d(out, [rows.length, width]);
}

/** The frozen teacher's training-set outputs, as the student's batches read them. */
interface TeacherOutputs {
  rows(batch: BatchInput): { logits: Tensor2D; features: Tensor2D[] };
  dispose(): void;
}

/**
 * Host placement keeps them in Float32Arrays and uploads each batch's rows; device placement
 * uploads them once and gathers each batch's rows on the device.
 */
function teacherOutputs(out: { logits: Float32Array; features: Float32Array[] }, numClasses: number, dims: number[], onDevice: boolean): TeacherOutputs {
  if (!onDevice) {
    return {
      rows: ({ rows }) => ({ logits: rowsOf(out.logits, numClasses, rows), features: out.features.map((f, i) => rowsOf(f, dims[i], rows)) }),
      dispose: () => {},
    };
  }
  const logits = tf.tensor2d(out.logits, [out.logits.length / numClasses, numClasses]);
  const features = out.features.map((f, i) => tf.tensor2d(f, [f.length / dims[i], dims[i]]));
  return {
    rows: ({ rowsTensor }) => ({
      logits: tf.gather(logits, rowsTensor!) as Tensor2D,
      features: features.map((f) => tf.gather(f, rowsTensor!) as Tensor2D),
    }),
    dispose: () => tf.dispose([logits, ...features]),
  };
}

export async function buildStudentObjective(s: StudentTraining): Promise<StudentObjective> {
  const c = s.config;
  const model = getBackbone(c.backbone).create({
    inputDim: s.train.dim,
    numClasses: s.numClasses,
    modality: s.modality,
    random: s.random.fork('init'),
  });
  const d = s.distiller ?? null;
  if (d && !s.teacher) throw new Error(`distiller '${d.plugin.name}' needs a teacher`);
  const teacher = s.teacher ?? null;
  // The teacher is frozen: its outputs on the training set are computed once, in inference mode,
  // and enter every batch as constants — no gradient can reach it.
  const onDevice = trainingPlacement() === 'device';
  let teacherOut: TeacherOutputs | null = null;
  if (d && teacher) {
    try {
      const out = await inferAllAsync(teacher.model, teacher.train.x, teacher.train.dim, true);
      teacherOut = teacherOutputs(out, s.numClasses, teacher.model.featureDims, onDevice);
    } catch (e) {
      model.dispose();
      throw e;
    }
  }
  const labels = s.train.labels;
  let distiller: Distiller | null = null;
  if (d && teacher) {
    const before = new Set(Object.keys(tf.engine().registeredVariables));
    try {
      distiller = d.plugin.create(
        {
          student: { modality: s.modality, featureDims: model.featureDims },
          teacher: { modality: teacher.modality, featureDims: teacher.model.featureDims },
          numClasses: s.numClasses,
          train: { size: rowCount(s.train), labels },
          random: s.random.fork('distiller'),
        },
        d.options,
      );
    } catch (e) {
      model.dispose();
      teacherOut?.dispose();
      throw new DistillerFailure(d.plugin.name, `create() failed: ${(e as Error).message}`);
    }
    if (!distiller || !Array.isArray(distiller.variables) || typeof distiller.loss !== 'function') {
      model.dispose();
      teacherOut?.dispose();
      throw new DistillerFailure(
        d.plugin.name,
        'create() must return { variables: Variable[], loss(batch), dispose() }',
        true,
      );
    }
    const unlisted = unlistedVariables(before, distiller.variables);
    if (unlisted.length) {
      try {
        distiller.dispose();
      } finally {
        model.dispose();
      }
      throw new DistillerFailure(
        d.plugin.name,
        `create() made the trainable variable${unlisted.length > 1 ? 's' : ''} ${unlisted.map((n) => `'${n}'`).join(', ')} but left ${unlisted.length > 1 ? 'them' : 'it'} out of 'variables', so ${unlisted.length > 1 ? 'they' : 'it'} would never be trained (list ${unlisted.length > 1 ? 'them' : 'it'}, or create ${unlisted.length > 1 ? 'them' : 'it'} with trainable = false)`,
        true,
      );
    }
  }
  const name = d?.plugin.name ?? '';

  return {
    model,
    distiller,
    variables: [...model.trainableVariables, ...(distiller?.variables ?? [])],
    batchLoss(batch) {
      const { rows, x, oneHot } = batch;
      const out = model.apply(x, true);
      const ce = crossEntropy(out.logits, oneHot);
      if (!distiller || !teacherOut || !teacher)
        return { total: ce, parts: { ce } as Record<string, Scalar>, logits: out.logits };
      let loss: Scalar;
      try {
        loss = distiller.loss({
          student: out,
          teacher: teacherOut.rows(batch),
          labels: Int32Array.from(rows, (r) => labels[r]),
          labelsOneHot: oneHot,
          indices: rows,
        });
        checkLossShape(loss);
      } catch (e) {
        if (e instanceof DistillerFailure) throw e;
        throw new DistillerFailure(name, (e as Error).message, e instanceof PluginContractError);
      }
      return { total: tf.add(ce, loss) as Scalar, parts: { ce, distill: loss }, logits: out.logits };
    },
    afterStep(batch) {
      if (!distiller?.afterStep || !teacherOut) return;
      try {
        distiller.afterStep({ labels: Int32Array.from(batch.rows, (r) => labels[r]), indices: batch.rows });
      } catch (e) {
        throw new DistillerFailure(name, `afterStep() failed: ${(e as Error).message}`);
      }
    },
    dispose() {
      distiller?.dispose();
      teacherOut?.dispose();
      model.dispose();
    },
    disposeTraining() {
      distiller?.dispose();
      teacherOut?.dispose();
    },
  };
}

/** Trains a student: CE (+ λ·distiller) with AdamW, warm-up then cosine decay. */
export async function trainStudent(s: StudentTraining): Promise<TrainedModel> {
  const c = s.config;
  checkLabelledSet(`student (${s.modality}) training set`, s.train, s.numClasses);
  if (s.teacher)
    checkLabelledSet(
      `teacher (${s.teacher.modality}) rows of the training set`,
      s.teacher.train,
      s.numClasses,
    );
  const objective = await buildStudentObjective(s);
  const optimizer = new AdamW(objective.variables, { weightDecay: c.weightDecay });
  try {
    const result = await runEpochs({
      label: `student (${s.modality}, ${c.backbone}${s.distiller ? `, ${s.distiller.plugin.name}` : ''})`,
      model: objective.model,
      optimizer,
      train: s.train,
      numClasses: s.numClasses,
      epochs: c.epochs,
      batchSize: c.batchSize,
      lrAt: (step, perEpoch) => warmupCosine(step, c.lr, c.warmupEpochs * perEpoch, c.epochs * perEpoch),
      selection: s.selection,
      val: s.val,
      test: s.test,
      random: s.random,
      onEpoch: s.onEpoch,
      onStep: s.onStep,
      batchLoss: (b) => objective.batchLoss(b),
      afterStep: (b) => objective.afterStep(b),
    });
    objective.disposeTraining();
    return { model: objective.model, ...result };
  } catch (e) {
    objective.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
