import { checkBackendHealth } from '../backend.js';
import type { Backbone, Modality } from '../backbones/types.js';
import type { FlatOptimizer } from '../optim/flat-optimizer.js';
import type { Random } from '../random.js';
import { type Scalar, type Tensor1D, type Tensor2D, tf } from '../tf.js';
import { type LabelledSet, gatherRows, oneHot, rowCount } from './data.js';
import { predictAsync } from './evaluate.js';

export type EpochSelection = 'last' | 'best-val' | 'oracle-test';
export const EPOCH_SELECTIONS: readonly EpochSelection[] = ['last', 'best-val', 'oracle-test'];

export interface EpochRecord {
  epoch: number;
  lr: number;
  /** Mean over the epoch's batches of each loss part ('total', 'ce', ...). */
  losses: Record<string, number>;
  trainAccuracy: number;
  valAccuracy: number | null;
  /** Monitored for learning curves; used for selection only under 'oracle-test'. */
  testAccuracy: number | null;
}

export interface BatchInput {
  rows: Int32Array;
  /** Device placement: the same rows as an int32 tensor, for gathers from device-resident data. */
  rowsTensor: Tensor1D | null;
  x: Tensor2D;
  oneHot: Tensor2D;
}

export interface BatchLoss {
  total: Scalar;
  parts: Record<string, Scalar>;
  logits: Tensor2D;
}

export interface LoopOptions {
  label: string;
  model: Backbone;
  optimizer: FlatOptimizer;
  train: LabelledSet;
  numClasses: number;
  epochs: number;
  batchSize: number;
  lrAt(step: number, stepsPerEpoch: number): number;
  /** Runs inside the gradient tape. */
  batchLoss(batch: BatchInput): BatchLoss;
  afterStep?(batch: BatchInput): void;
  val?: LabelledSet | null;
  test?: LabelledSet | null;
  selection: EpochSelection;
  random: Random;
  onEpoch?(record: EpochRecord): void;
  /** Wall time of each optimisation step (batch assembly, forward, backward, update), for benchmarks. */
  onStep?(ms: number): void;
}

/** What every trainer is given besides its own configuration. */
export interface TrainingRun {
  modality: Modality;
  numClasses: number;
  train: LabelledSet;
  val?: LabelledSet | null;
  /** The test split: monitored per epoch (and used for selection only under 'oracle-test'). */
  test?: LabelledSet | null;
  selection: EpochSelection;
  random: Random;
  onEpoch?(r: EpochRecord): void;
  onStep?(ms: number): void;
}

export interface LoopResult {
  history: EpochRecord[];
  /** 1-based epoch whose weights the model holds at the end. */
  selectedEpoch: number;
}

/**
 * Not a UserError: a config can be valid and still diverge on some fold; the fold is recorded as
 * failed and the run goes on, rather than the CLI refusing the input.
 */
export class TrainingDivergedError extends Error {
  override name = 'TrainingDivergedError';
}

async function accuracyOf(model: Backbone, set: LabelledSet): Promise<number> {
  const pred = await predictAsync(model, set.x, set.dim);
  let ok = 0;
  for (let i = 0; i < pred.length; i++) if (pred[i] === set.labels[i]) ok++;
  return pred.length ? ok / pred.length : Number.NaN;
}

/** The shared epoch loop of teacher and student training. */
/** Optimizer steps in an epoch: a last batch of one row would make batch normalisation degenerate, so it is dropped. */
export function stepsPerEpochOf(rows: number, batchSize: number): number {
  return Math.floor(rows / batchSize) + (rows % batchSize >= 2 ? 1 : 0);
}

/** Device placement: the loop waits for one step's loss this often (the only read within an epoch). */
export const DEVICE_SYNC_STEPS = 32;

/** Reads a scalar without blocking: on webgpu a synchronous read is impossible in Node. */
async function scalarOf(t: tf.Tensor): Promise<number> {
  return (await t.data())[0] as number;
}

/**
 * The loop reads the backend once per epoch (loss means, accuracy, evaluation); within an epoch it
 * only uploads. With device placement the training set lives on the device and each batch is a
 * gather by uploaded row indices.
 */
export async function runEpochs(o: LoopOptions): Promise<LoopResult> {
  if (o.selection === 'best-val' && !o.val)
    throw new Error(`${o.label}: epoch selection 'best-val' needs a validation split`);
  if (o.selection === 'oracle-test' && !o.test)
    throw new Error(`${o.label}: epoch selection 'oracle-test' needs the test split`);
  const n = rowCount(o.train);
  const order = new Int32Array(n).map((_, i) => i);
  const stepsPerEpoch = stepsPerEpochOf(n, o.batchSize);
  if (stepsPerEpoch === 0) throw new Error(`${o.label}: the training set has ${n} rows, too few to train`);
  const shuffler = o.random.fork('shuffle');
  const history: EpochRecord[] = [];
  let best = { score: -Infinity, epoch: 0, state: null as Float32Array[] | null };
  let step = 0;
  const onDevice = o.optimizer.placement === 'device';
  const resident = onDevice
    ? { x: tf.tensor2d(o.train.x, [n, o.train.dim]), y: oneHot(o.train.labels, Int32Array.from(order.keys()), o.numClasses) }
    : null;
  try {
    for (let epoch = 1; epoch <= o.epochs; epoch++) {
      shuffler.shuffle(order);
      const partLog: Record<string, Scalar[]> = {};
      const correctLog: Scalar[] = [];
      let lr = 0;
      let seen = 0;
      for (let s = 0; s < stepsPerEpoch; s++) {
        const stepStart = o.onStep ? performance.now() : 0;
        const rows = order.slice(s * o.batchSize, Math.min(n, (s + 1) * o.batchSize));
        seen += rows.length;
        lr = o.lrAt(step, stepsPerEpoch);
        const rowsTensor = resident ? tf.tensor1d(rows, 'int32') : null;
        const x = resident ? (tf.gather(resident.x, rowsTensor!) as Tensor2D) : gatherRows(o.train.x, o.train.dim, rows);
        const y = resident ? (tf.gather(resident.y, rowsTensor!) as Tensor2D) : oneHot(o.train.labels, rows, o.numClasses);
        const batch: BatchInput = { rows, rowsTensor, x, oneHot: y };
        let parts: Record<string, Scalar> = {};
        const value = o.optimizer.minimize(() => {
          const out = o.batchLoss(batch);
          // A part may be the total itself; a clone keeps the two lists' disposals independent.
          parts = Object.fromEntries(
            Object.entries(out.parts).map(([k, v]) => [k, tf.keep(v === out.total ? tf.clone(v) : v)]),
          );
          correctLog.push(
            tf.keep(tf.sum(tf.cast(tf.equal(tf.argMax(out.logits, 1), tf.argMax(y, 1)), 'float32')) as Scalar),
          );
          return out.total;
        }, lr);
        for (const [k, v] of [['total', value] as const, ...Object.entries(parts)]) {
          if (!partLog[k]) partLog[k] = [];
          partLog[k].push(v);
        }
        o.model.commitBatchStats();
        o.afterStep?.(batch);
        x.dispose();
        y.dispose();
        rowsTensor?.dispose();
        step++;
        if (o.onStep) {
          // On a GPU the step is only queued by now: timing waits for its loss (benchmarks and
          // estimates only).
          if (onDevice) await value.data();
          o.onStep(performance.now() - stepStart);
        } else if (onDevice && step % DEVICE_SYNC_STEPS === 0) {
          // One scalar every DEVICE_SYNC_STEPS steps: without it JavaScript queues a whole epoch
          // ahead of the GPU, and the buffers of finished steps are recycled only in event-loop
          // callbacks that never get to run (a cross-subject epoch of ~1,000 steps crashed
          // lavapipe). Waiting for a loss bounds the queue and lets those callbacks run.
          await value.data();
        }
      }

      checkBackendHealth();
      const losses: Record<string, number> = {};
      for (const [k, list] of Object.entries(partLog)) {
        const mean = tf.tidy(() => tf.mean(tf.stack(list)));
        losses[k] = await scalarOf(mean);
        mean.dispose();
        tf.dispose(list);
      }
      // A stack, not addN: webgpu's AddN binds every input at once, past the 8 storage buffers a
      // shader stage may have (an epoch has dozens of steps).
      const correct = tf.tidy(() => tf.sum(tf.stack(correctLog)));
      const trainAccuracy = (await scalarOf(correct)) / seen;
      correct.dispose();
      tf.dispose(correctLog);
      // GPU errors of this epoch's steps have arrived by now (during the reads).
      checkBackendHealth();
      // The parts first: the one that broke says more than the total.
      for (const k of [...Object.keys(losses).filter((k) => k !== 'total'), 'total']) {
        const v = losses[k];
        if (!Number.isFinite(v)) throw new TrainingDivergedError(`${o.label}: loss '${k}' became ${v} in epoch ${epoch}`);
      }

      const valAccuracy = o.val ? await accuracyOf(o.model, o.val) : null;
      const testAccuracy = o.test ? await accuracyOf(o.model, o.test) : null;
      const record: EpochRecord = { epoch, lr, losses, trainAccuracy, valAccuracy, testAccuracy };
      history.push(record);
      // One turn of the event loop per epoch. A fold's awaits otherwise resolve as microtasks and
      // hold the loop for the whole fold, so a scheduler's SIGTERM, a claim's heartbeat timer or a
      // message from the coordinator would wait for its end. Costs microseconds against an epoch.
      await new Promise<void>((resolve) => setImmediate(resolve));
      o.onEpoch?.(record);

      const score =
        o.selection === 'best-val' ? valAccuracy : o.selection === 'oracle-test' ? testAccuracy : null;
      if (score !== null && score > best.score) best = { score, epoch, state: await o.model.snapshotAsync() };
    }
  } finally {
    if (resident) tf.dispose([resident.x, resident.y]);
  }
  checkBackendHealth();

  if (o.selection !== 'last' && best.state) {
    o.model.restore(best.state);
    return { history, selectedEpoch: best.epoch };
  }
  return { history, selectedEpoch: o.epochs };
}
