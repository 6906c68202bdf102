import { codeRevision } from './revision.js';
import { hostname } from 'node:os';
import {
  DistillerFailure,
  type Backbone,
  type DistillerPlugin,
  DEFAULT_TEACHER_CONFIG,
  type EpochRecord,
  type LabelledSet,
  type TeacherConfig,
  classificationMetrics,
  createRandom,
  currentBackend,
  getBackbone,
  inferAllAsync,
  predictAsync,
  checkBackendHealth,
  explainFailure,
  recoverBackend,
  trainStudent,
  trainTeacher,
} from '@cmcrd/core';
import { type Dataset, type Split, type SplitPart, buildSplit, loadDataset } from '@cmcrd/data';
import type { Modality, RunConfig } from './config.js';
import { embedTestSetAsync, guardedArtifactsAsync } from './embedding.js';
import { canonicalJson, hashOf, variantOf } from '@cmcrd/store';
import { ConfigError } from './errors.js';
import { keptModel } from './model/keep.js';
import { distillerOf } from './plugins.js';
import type { EpochInput } from '@cmcrd/store';
import type { ArtifactInput, NewFoldRow, NewTeacherRow } from '@cmcrd/store';
import { packWeights, unpackWeights } from '@cmcrd/store';

export interface FoldOutcome {
  row: NewFoldRow;
  epochs: EpochInput[];
  /** What is stored beside the fold (its t-SNE embedding when asked for); none when it failed. */
  artifacts?: ArtifactInput[];
  /** A teacher this fold trained (and nobody had stored yet): the coordinator stores it. */
  newTeacher?: NewTeacherRow;
  /** The failure is the same on every attempt (a plugin broke its contract): no retry. */
  deterministic?: boolean;
}

/** Where stored teachers come from: the store itself, or what the coordinator sent with the job. */
export interface TeacherSource {
  lookup(key: string): { weights: Uint8Array; accuracy: number; trainMs: number } | undefined;
}

/** How a fold is run, beyond its configuration: nothing here changes its result or identity. */
export interface RunOptions {
  /**
   * Store a 2-D t-SNE of the final model's test-set features with the fold (src/embedding.ts).
   * Fusion folds have none: they have no single feature space, and their EEG model is the eeg-only
   * fold's (the same fold key, backbone, seed and training settings), whose embedding is stored.
   */
  embeddings?: boolean;
  /**
   * Store the fold's final model (weights, preprocessing, provenance: src/model/keep.ts) with it,
   * for `cmcrd export`. Fusion folds have none: their models are the eeg-only and em-only folds'.
   */
  keepModels?: boolean;
}

export interface FoldProgress {
  foldKey: string;
  method: string;
  stage: 'teacher' | 'student';
  epoch: number;
  epochs: number;
}

/** Everything that identifies a fold's result; its hash is the fold's key in the store. */
export function foldIdentity(config: RunConfig, foldKey: string) {
  const m = config.method;
  return {
    dataset: config.dataset,
    dataSeed: config.spec.synthetic ? config.dataSeed : null,
    ...(config.spec.dataVersion ? { dataVersion: config.spec.dataVersion } : {}),
    protocol: config.protocol,
    foldKey,
    method: m.name,
    ...(m.module ? { module: m.module } : {}),
    backbone: config.backbone,
    direction: m.direction,
    seed: config.seed,
    options: m.options,
    protocolOptions: config.protocolOptions,
    student: config.student,
    teacher: m.teacherModality ? teacherConfig(config) : null,
  };
}

/** Everything a teacher's training depends on; its hash is the teacher's key. */
export function teacherIdentity(config: RunConfig, foldKey: string, modality: Modality) {
  return {
    dataset: config.dataset,
    dataSeed: config.spec.synthetic ? config.dataSeed : null,
    ...(config.spec.dataVersion ? { dataVersion: config.spec.dataVersion } : {}),
    protocol: config.protocol,
    foldKey,
    modality,
    seed: config.seed,
    protocolOptions: config.protocolOptions,
    teacher: teacherConfig(config),
  };
}

/** The key of the teacher a fold of this config uses, or null for methods without one. */
export function teacherKeyOf(config: RunConfig, foldKey: string): string | null {
  const modality = config.method.teacherModality;
  return modality ? hashOf(teacherIdentity(config, foldKey, modality)) : null;
}

function teacherConfig(config: RunConfig): TeacherConfig {
  return {
    ...DEFAULT_TEACHER_CONFIG,
    backbone: config.backbone,
    epochs: config.teacherEpochs,
    mcc: config.method.teacherMcc,
    mccSource: config.protocolOptions.mccSource,
  };
}

export function dimOf(split: Split, modality: Modality): number {
  return modality === 'eeg' ? split.eegDim : split.emDim;
}

export function part(p: SplitPart | null, modality: Modality, dim: number): LabelledSet | null {
  return p ? { x: modality === 'eeg' ? p.eeg : p.em, dim, labels: p.labels } : null;
}

function toEpochRows(history: EpochRecord[]): EpochInput[] {
  return history.map((h) => ({
    epoch: h.epoch,
    lr: h.lr,
    losses: JSON.stringify(h.losses),
    trainAccuracy: h.trainAccuracy,
    valAccuracy: h.valAccuracy,
    testAccuracy: h.testAccuracy,
  }));
}

interface TrainedTeacher {
  key: string;
  model: Backbone;
  accuracy: number;
  ms: number;
  /** Set when trained here rather than restored: what the store should keep. */
  record?: NewTeacherRow;
}

interface TrainedStudent {
  model: Backbone;
  trainMs: number;
  selectedEpoch: number;
  history: EpochRecord[];
}

/** What the methods of one fold share: its split, its teachers, its unimodal models (for fusion). */
interface FoldCache {
  key: string;
  /** The raw dataset the split was built from (a stored model's training statistics are fitted on it). */
  ds: Dataset;
  split: Split;
  teachers: Map<string, TrainedTeacher>;
  unimodal: Map<string, TrainedStudent>;
}

function softmaxRows(logits: Float32Array, c: number): Float32Array {
  const out = new Float32Array(logits.length);
  for (let i = 0; i < logits.length; i += c) {
    let max = -Infinity;
    for (let j = 0; j < c; j++) max = Math.max(max, logits[i + j]);
    let sum = 0;
    for (let j = 0; j < c; j++) sum += out[i + j] = Math.exp(logits[i + j] - max);
    for (let j = 0; j < c; j++) out[i + j] /= sum;
  }
  return out;
}


/** The columns of a fold's row that its configuration determines. */
function foldRowBase(config: RunConfig, foldKey: string, backend: string) {
  const identity = foldIdentity(config, foldKey);
  const m = config.method;
  return {
    configHash: hashOf(identity),
    config: canonicalJson(identity),
    dataset: config.dataset,
    synthetic: config.spec.synthetic,
    protocol: config.protocol,
    foldKey,
    method: m.name,
    backbone: config.backbone,
    direction: m.direction,
    testModality: m.testModality,
    seed: config.seed,
    options: canonicalJson(m.options),
    protocolOptions: canonicalJson(config.protocolOptions),
    variant: variantOf(identity),
    dataRevision: String(identity.dataVersion ?? identity.dataSeed ?? ''),
    epochs: config.student.epochs,
    backend,
    host: hostname(),
    codeRevision: codeRevision(),
    // Recorded so that a report names an outside plugin's rows without loading the plugin.
    displayName: m.displayName,
    // Recorded so that a report tells the method's default variant without loading the plugin.
    methodDefaults: m.optionDefaults === null ? null : canonicalJson(m.optionDefaults),
    startedAt: new Date().toISOString(),
  };
}

/** The record of a fold that never produced an outcome (its worker died on every attempt). */
export function failedFoldRow(config: RunConfig, foldKey: string, error: string, attempts: number): NewFoldRow {
  const base = foldRowBase(config, foldKey, 'unknown');
  return { ...base, status: 'failed', error, attempts, teacherKey: teacherKeyOf(config, foldKey), finishedAt: base.startedAt };
}

/**
 * The config was resolved where the cell was given, perhaps on another machine: a fold trained on
 * other data than its identity names (another import of the release) would be stored under the
 * wrong identity.
 */
function checkDataRevision(config: RunConfig, ds: Dataset): void {
  const want = config.spec.dataVersion ?? null;
  const here = ds.spec.dataVersion ?? null;
  if (want !== here) {
    throw new ConfigError(
      `${config.dataset} here is revision ${here ?? '(none)'}, but the fold was resolved with revision ${want ?? '(none)'}: import the same files on every machine of the run`,
    );
  }
}

/**
 * Runs folds in one process. Consecutive methods of the same fold share its split, one trained
 * teacher per teacher setting (the teacher is frozen, so sharing it is exact) and the unimodal
 * models that fusion combines.
 */
export class FoldExecutor {
  private cache: FoldCache | null = null;

  constructor(private readonly teachers?: TeacherSource) {}

  async run(config: RunConfig, foldKey: string, onProgress?: (p: FoldProgress) => void, options: RunOptions = {}): Promise<FoldOutcome> {
    const m = config.method;
    const base = foldRowBase(config, foldKey, currentBackend());
    let newTeacher: NewTeacherRow | undefined;
    let teacherInfo: { teacherKey: string | null; teacherAccuracy: number | null; teacherMs: number | null } = {
      teacherKey: null,
      teacherAccuracy: null,
      teacherMs: null,
    };
    try {
      // A GPU device lost in an earlier fold is replaced before this one starts; the models cached
      // from before lived on the lost device and are dropped (not disposed: their backend is gone).
      if (await recoverBackend()) this.cache = null;
      // The config came resolved (plain data): the plugin is looked up here, where it trains.
      const plugin = await distillerOf(m);
      const fold = this.foldCache(config, foldKey);
      const split = fold.split;
      // After testing, so that the fold's times leave it out; a failure costs the fold nothing.
      const embed = async (model: Backbone, mod: Modality): Promise<ArtifactInput[]> => {
        if (!options.embeddings) return [];
        const test = part(split.test, mod, dimOf(split, mod))!;
        return guardedArtifactsAsync(`${config.dataset} ${config.protocol} ${foldKey} ${m.name} ${config.backbone} seed ${config.seed}`, async () => ({
          kind: 'tsne',
          data: await embedTestSetAsync({ model, x: test.x, dim: test.dim, labels: test.labels, seed: config.seed, stream: foldKey }),
        }));
      };
      // The weights of a model to keep, read asynchronously (webgpu in Node has no synchronous read).
      const keepOf = async (model: Backbone, modality: Modality) =>
        options.keepModels ? { model, modality, snapshot: await model.snapshotAsync() } : undefined;
      const done = (r: {
        predictions: Int32Array;
        trainMs: number;
        testMs: number;
        selectedEpoch: number | null;
        history: EpochRecord[];
        artifacts?: ArtifactInput[];
        /** The fold's final model, stored when options.keepModels. */
        keep?: { model: Backbone; modality: Modality; snapshot: Float32Array[] };
      }) => {
        // A device lost after the last epoch's check: fail here, before anything is stored.
        checkBackendHealth();
        const metrics = classificationMetrics(split.test.labels, r.predictions, split.numClasses);
        const row = {
          ...base,
          ...teacherInfo,
          status: 'done' as const,
          accuracy: metrics.accuracy,
          balancedAccuracy: metrics.balancedAccuracy,
          confusion: JSON.stringify(metrics.confusion),
          trainSize: split.train.n,
          testSize: split.test.n,
          trainMs: r.trainMs,
          testMs: r.testMs,
          selectedEpoch: r.selectedEpoch,
          finishedAt: new Date().toISOString(),
        };
        const artifacts = [...(r.artifacts ?? [])];
        if (options.keepModels && r.keep) {
          artifacts.push({ kind: 'model', data: keptModel({ config, ds: fold.ds, split, ...r.keep, row }) });
        }
        return {
          row,
          epochs: toEpochRows(r.history),
          ...(artifacts.length ? { artifacts } : {}),
          ...(newTeacher ? { newTeacher } : {}),
        };
      };

      if (m.testModality === 'eeg+em') {
        // Decision fusion: the two unimodal models' class probabilities averaged.
        const eeg = await this.unimodalFor(config, foldKey, fold, 'eeg', onProgress);
        const em = await this.unimodalFor(config, foldKey, fold, 'em', onProgress);
        const t0 = performance.now();
        const c = split.numClasses;
        const pEeg = softmaxRows((await inferAllAsync(eeg.model, split.test.eeg, split.eegDim)).logits, c);
        const pEm = softmaxRows((await inferAllAsync(em.model, split.test.em, split.emDim)).logits, c);
        const predictions = new Int32Array(split.test.n);
        for (let i = 0; i < split.test.n; i++) {
          let best = 0;
          for (let j = 1; j < c; j++) if (pEeg[i * c + j] + pEm[i * c + j] > pEeg[i * c + best] + pEm[i * c + best]) best = j;
          predictions[i] = best;
        }
        const testMs = performance.now() - t0;
        return done({ predictions, trainMs: eeg.trainMs + em.trainMs, testMs, selectedEpoch: null, history: [] });
      }

      const mod = m.testModality;
      if (!plugin) {
        const trained = await this.unimodalFor(config, foldKey, fold, mod, onProgress);
        const t0 = performance.now();
        const test = part(split.test, mod, dimOf(split, mod))!;
        const predictions = await predictAsync(trained.model, test.x, test.dim);
        const testMs = performance.now() - t0;
        return done({ ...trained, predictions, testMs, artifacts: await embed(trained.model, mod), keep: await keepOf(trained.model, mod) });
      }

      const teacher = m.teacherModality ? await this.teacherFor(config, foldKey, fold, m.teacherModality, onProgress) : null;
      if (teacher) teacherInfo = { teacherKey: teacher.key, teacherAccuracy: teacher.accuracy, teacherMs: teacher.ms };
      // Handed to the store once, with the first fold that trained it.
      newTeacher = teacher?.record;
      if (teacher) teacher.record = undefined;
      const trained = await this.trainStudentFor(config, foldKey, split, mod, onProgress, teacher, plugin);
      const t1 = performance.now();
      const test = part(split.test, mod, dimOf(split, mod))!;
      try {
        const predictions = await predictAsync(trained.model, test.x, test.dim);
        const testMs = performance.now() - t1;
        return done({ ...trained, predictions, testMs, artifacts: await embed(trained.model, mod), keep: await keepOf(trained.model, mod) });
      } finally {
        trained.model.dispose();
      }
    } catch (e) {
      const err = explainFailure(e);
      return {
        row: { ...base, ...teacherInfo, status: 'failed', error: `${err.name}: ${err.message}`, finishedAt: new Date().toISOString() },
        epochs: [],
        // A teacher that trained fine is worth keeping even if the student failed.
        ...(newTeacher ? { newTeacher } : {}),
        ...(err instanceof DistillerFailure && err.contract ? { deterministic: true } : {}),
      };
    }
  }

  private async trainStudentFor(
    config: RunConfig,
    foldKey: string,
    split: Split,
    mod: Modality,
    onProgress: ((p: FoldProgress) => void) | undefined,
    teacher: TrainedTeacher | null,
    plugin: DistillerPlugin | null,
  ): Promise<TrainedStudent> {
    const m = config.method;
    const t0 = performance.now();
    const trained = await trainStudent({
      modality: mod,
      config: { backbone: config.backbone, ...config.student },
      numClasses: split.numClasses,
      train: part(split.train, mod, dimOf(split, mod))!,
      val: part(split.val, mod, dimOf(split, mod)),
      test: part(split.test, mod, dimOf(split, mod)),
      selection: config.protocolOptions.epochSelection,
      // Students of one modality and fold share initial weights and batch order across methods,
      // so that method comparisons are paired.
      random: createRandom(config.seed).fork(`student:${mod}:${foldKey}`),
      onEpoch: (r) => onProgress?.({ foldKey, method: m.name, stage: 'student', epoch: r.epoch, epochs: config.student.epochs }),
      teacher:
        teacher && m.teacherModality
          ? { model: teacher.model, modality: m.teacherModality, train: part(split.train, m.teacherModality, dimOf(split, m.teacherModality))! }
          : null,
      distiller: plugin ? { plugin, options: m.options } : null,
    });
    return { model: trained.model, trainMs: performance.now() - t0, selectedEpoch: trained.selectedEpoch, history: trained.history };
  }

  /** The unimodal model of a modality (the eeg-only / em-only recipe), trained once per fold. */
  private async unimodalFor(
    config: RunConfig,
    foldKey: string,
    fold: FoldCache,
    mod: Modality,
    onProgress?: (p: FoldProgress) => void,
  ): Promise<TrainedStudent> {
    const key = canonicalJson([mod, config.backbone, config.seed, config.student]);
    const cached = fold.unimodal.get(key);
    if (cached) return cached;
    const trained = await this.trainStudentFor(config, foldKey, fold.split, mod, onProgress, null, null);
    fold.unimodal.set(key, trained);
    return trained;
  }

  private foldCache(config: RunConfig, foldKey: string): FoldCache {
    const key = canonicalJson([config.dataset, config.dataSeed, config.protocol, foldKey, config.protocolOptions]);
    if (this.cache?.key !== key) {
      this.release();
      const ds = loadDataset(config.dataset, { seed: config.dataSeed });
      checkDataRevision(config, ds);
      this.cache = { key, ds, split: buildSplit(ds, config.protocol, foldKey, config.protocolOptions), teachers: new Map(), unimodal: new Map() };
    }
    return this.cache;
  }

  private async teacherFor(
    config: RunConfig,
    foldKey: string,
    fold: FoldCache,
    modality: Modality,
    onProgress?: (p: FoldProgress) => void,
  ): Promise<TrainedTeacher> {
    const tc = teacherConfig(config);
    const identity = teacherIdentity(config, foldKey, modality);
    const key = hashOf(identity);
    const cached = fold.teachers.get(key);
    if (cached) return cached;
    const stored = this.teachers?.lookup(key);
    if (stored) {
      const model = getBackbone(tc.backbone).create({
        inputDim: dimOf(fold.split, modality),
        numClasses: fold.split.numClasses,
        modality,
        random: createRandom(config.seed),
      });
      model.restore(unpackWeights(stored.weights));
      const t: TrainedTeacher = { key, model, accuracy: stored.accuracy, ms: stored.trainMs };
      fold.teachers.set(key, t);
      return t;
    }
    const split = fold.split;
    const dim = dimOf(split, modality);
    const t0 = performance.now();
    const trained = await trainTeacher({
      modality,
      config: tc,
      numClasses: split.numClasses,
      train: part(split.train, modality, dim)!,
      val: part(split.val, modality, dim),
      test: part(split.test, modality, dim),
      selection: config.protocolOptions.epochSelection,
      random: createRandom(config.seed).fork(`teacher:${modality}:${foldKey}`),
      onEpoch: (r) => onProgress?.({ foldKey, method: config.method.name, stage: 'teacher', epoch: r.epoch, epochs: tc.epochs }),
    });
    const ms = performance.now() - t0;
    const test = part(split.test, modality, dim)!;
    const weights = packWeights(await trained.model.snapshotAsync());
    const metrics = classificationMetrics(test.labels, await predictAsync(trained.model, test.x, test.dim), split.numClasses);
    // Weights read from a device lost meanwhile are not stored.
    checkBackendHealth();
    const t: TrainedTeacher = {
      key,
      model: trained.model,
      accuracy: metrics.accuracy,
      ms,
      record: {
        key,
        config: canonicalJson(identity),
        dataset: config.dataset,
        foldKey,
        modality,
        backbone: config.backbone,
        seed: config.seed,
        weights,
        accuracy: metrics.accuracy,
        trainMs: ms,
        backend: currentBackend(),
        host: hostname(),
      },
    };
    fold.teachers.set(key, t);
    return t;
  }

  private release(): void {
    if (!this.cache) return;
    for (const t of this.cache.teachers.values()) t.model.dispose();
    for (const u of this.cache.unimodal.values()) u.model.dispose();
    this.cache = null;
  }

  dispose(): void {
    this.release();
  }
}
