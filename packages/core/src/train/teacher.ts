import { getBackbone } from '../backbones/registry.js';
import type { Backbone, } from '../backbones/types.js';
import { crossEntropy } from '../losses/cross-entropy.js';
import { MCC_TEMPERATURE, mccLoss } from '../losses/mcc.js';
import { SgdMomentum } from '../optim/flat-optimizer.js';
import { type Scalar, type Tensor2D, tf } from '../tf.js';
import { checkLabelledSet, gatherRows, rowCount } from './data.js';
import { type EpochRecord, type TrainingRun, runEpochs } from './loop.js';

export interface TeacherConfig {
  backbone: string;
  epochs: number;
  batchSize: number;
  lr: number;
  momentum: number;
  weightDecay: number;
  /** Minimum class confusion as a regulariser (λ1·L_mcc). */
  mcc: boolean;
  mccWeight: number;
  mccTemperature: number;
  /** 'train': MCC on the training batch; 'target': on an unlabelled batch of the test split (transductive). */
  mccSource: 'train' | 'target';
}

export const DEFAULT_TEACHER_CONFIG: TeacherConfig = {
  backbone: 'dnn',
  epochs: 50,
  batchSize: 32,
  lr: 1e-3,
  momentum: 0.9,
  weightDecay: 1e-3,
  mcc: true,
  mccWeight: 0.1,
  mccTemperature: MCC_TEMPERATURE,
  mccSource: 'train',
};

/** Under mccSource 'target', MCC reads the test split's features (never its labels). */
export interface TeacherTraining extends TrainingRun {
  config: TeacherConfig;
}

export interface TrainedModel {
  model: Backbone;
  history: EpochRecord[];
  selectedEpoch: number;
}

/** Trains the teacher (or any unimodal model) with SGD + momentum on CE (+ λ1·MCC). */
export async function trainTeacher(t: TeacherTraining): Promise<TrainedModel> {
  const c = t.config;
  checkLabelledSet(`teacher (${t.modality}) training set`, t.train, t.numClasses);
  if (c.mcc && c.mccSource === 'target' && !t.test)
    throw new Error("teacher: mccSource 'target' needs the test split");
  const model = getBackbone(c.backbone).create({
    inputDim: t.train.dim,
    numClasses: t.numClasses,
    modality: t.modality,
    random: t.random.fork('init'),
  });
  const optimizer = new SgdMomentum(model.trainableVariables, {
    momentum: c.momentum,
    weightDecay: c.weightDecay,
  });
  const targetDraw = t.random.fork('mcc-target');
  const targetRows = t.test ? rowCount(t.test) : 0;
  try {
    const result = await runEpochs({
      label: `teacher (${t.modality}, ${c.backbone})`,
      model,
      optimizer,
      train: t.train,
      numClasses: t.numClasses,
      epochs: c.epochs,
      batchSize: c.batchSize,
      lrAt: () => c.lr,
      selection: t.selection,
      val: t.val,
      test: t.test,
      random: t.random,
      onEpoch: t.onEpoch,
      onStep: t.onStep,
      batchLoss: ({ x, oneHot }) => {
        const n = x.shape[0];
        if (!(c.mcc && c.mccSource === 'target')) {
          const { logits } = model.apply(x, true);
          const ce = crossEntropy(logits, oneHot);
          if (!c.mcc) return { total: ce, parts: { ce } as Record<string, Scalar>, logits };
          const mcc = mccLoss(logits, c.mccTemperature);
          return { total: tf.add(ce, tf.mul(mcc, c.mccWeight)) as Scalar, parts: { ce, mcc }, logits };
        }
        // Transductive MCC: the labelled batch and an unlabelled test-split batch share one forward pass.
        const rows = Int32Array.from({ length: n }, () => targetDraw.int(targetRows));
        const target = gatherRows(t.test!.x, t.test!.dim, rows);
        const { logits: both } = model.apply(tf.concat([x, target]) as Tensor2D, true);
        const logits = tf.slice(both, [0, 0], [n, -1]) as Tensor2D;
        const ce = crossEntropy(logits, oneHot);
        const mcc = mccLoss(tf.slice(both, [n, 0], [n, -1]) as Tensor2D, c.mccTemperature);
        return { total: tf.add(ce, tf.mul(mcc, c.mccWeight)) as Scalar, parts: { ce, mcc }, logits };
      },
    });
    return { model, ...result };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
