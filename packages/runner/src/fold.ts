import { hostname } from 'node:os';
import {
  type Backbone,
  DEFAULT_TEACHER_CONFIG,
  type EpochRecord,
  type LabelledSet,
  type TeacherConfig,
  classificationMetrics,
  createRandom,
  currentBackend,
  predict,
  trainStudent,
  trainTeacher,
} from '@cmcrd/core';
import { type Split, type SplitPart, buildSplit, loadDataset } from '@cmcrd/data';
import type { Modality, RunConfig } from './config.js';
import { canonicalJson, hashOf } from './identity.js';
import type { EpochInput } from './store/store.js';
import type { NewFoldRow } from './store/schema.js';

export interface FoldOutcome {
  row: NewFoldRow;
  epochs: EpochInput[];
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
    protocol: config.protocol,
    foldKey,
    method: m.name,
    backbone: config.backbone,
    direction: m.direction,
    seed: config.seed,
    options: m.options,
    protocolOptions: config.protocolOptions,
    student: config.student,
    teacher: m.teacherModality ? teacherConfig(config) : null,
  };
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

function part(p: SplitPart | null, modality: Modality, dim: number): LabelledSet | null {
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
}

/**
 * Runs folds in one process. Consecutive methods of the same fold share its split and, where
 * their teacher settings agree, one trained teacher (the teacher is frozen, so sharing it is exact).
 */
export class FoldExecutor {
  private split: { key: string; split: Split } | null = null;
  private teachers = new Map<string, TrainedTeacher>();
  private teacherFold: string | null = null;

  run(config: RunConfig, foldKey: string, onProgress?: (p: FoldProgress) => void): FoldOutcome {
    const identity = foldIdentity(config, foldKey);
    const m = config.method;
    const started = new Date();
    const base = {
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
      epochs: config.student.epochs,
      backend: currentBackend(),
      host: hostname(),
      startedAt: started.toISOString(),
    };
    let teacherInfo: { teacherKey: string | null; teacherAccuracy: number | null; teacherMs: number | null } = {
      teacherKey: null,
      teacherAccuracy: null,
      teacherMs: null,
    };
    try {
      const split = this.splitFor(config, foldKey);
      const dims = { eeg: split.eegDim, em: split.emDim };
      const dimOf = (mod: Modality) => dims[mod];
      const random = createRandom(config.seed);
      const teacher = m.teacherModality ? this.teacherFor(config, foldKey, split, m.teacherModality, onProgress) : null;
      if (teacher) teacherInfo = { teacherKey: teacher.key, teacherAccuracy: teacher.accuracy, teacherMs: teacher.ms };
      const mod = m.testModality;
      const t0 = performance.now();
      const trained = trainStudent({
        modality: mod,
        config: { backbone: config.backbone, ...config.student },
        numClasses: split.numClasses,
        train: part(split.train, mod, dimOf(mod))!,
        val: part(split.val, mod, dimOf(mod)),
        test: part(split.test, mod, dimOf(mod)),
        selection: config.protocolOptions.epochSelection,
        // Students of one modality and fold share initial weights and batch order across methods,
        // so that method comparisons are paired.
        random: random.fork(`student:${mod}:${foldKey}`),
        onEpoch: (r) => onProgress?.({ foldKey, method: m.name, stage: 'student', epoch: r.epoch, epochs: config.student.epochs }),
        teacher: teacher && m.teacherModality ? { model: teacher.model, modality: m.teacherModality, train: part(split.train, m.teacherModality, dimOf(m.teacherModality))! } : null,
        distiller: m.plugin ? { plugin: m.plugin, options: m.options } : null,
      });
      const trainMs = performance.now() - t0;
      const t1 = performance.now();
      const test = part(split.test, mod, dimOf(mod))!;
      const predictions = predict(trained.model, test.x, test.dim);
      const testMs = performance.now() - t1;
      trained.model.dispose();
      const metrics = classificationMetrics(test.labels, predictions, split.numClasses);
      return {
        row: {
          ...base,
          ...teacherInfo,
          status: 'done',
          accuracy: metrics.accuracy,
          balancedAccuracy: metrics.balancedAccuracy,
          confusion: JSON.stringify(metrics.confusion),
          trainSize: split.train.n,
          testSize: split.test.n,
          trainMs,
          testMs,
          selectedEpoch: trained.selectedEpoch,
          finishedAt: new Date().toISOString(),
        },
        epochs: toEpochRows(trained.history),
      };
    } catch (e) {
      const err = e as Error;
      return {
        row: { ...base, ...teacherInfo, status: 'failed', error: `${err.name}: ${err.message}`, finishedAt: new Date().toISOString() },
        epochs: [],
      };
    }
  }

  private splitFor(config: RunConfig, foldKey: string): Split {
    const key = canonicalJson([config.dataset, config.dataSeed, config.protocol, foldKey, config.protocolOptions]);
    if (this.split?.key !== key) {
      const ds = loadDataset(config.dataset, { seed: config.dataSeed });
      this.split = { key, split: buildSplit(ds, config.protocol, foldKey, config.protocolOptions) };
    }
    return this.split.split;
  }

  private teacherFor(
    config: RunConfig,
    foldKey: string,
    split: Split,
    modality: Modality,
    onProgress?: (p: FoldProgress) => void,
  ): TrainedTeacher {
    const tc = teacherConfig(config);
    const identity = {
      dataset: config.dataset,
      dataSeed: config.spec.synthetic ? config.dataSeed : null,
      protocol: config.protocol,
      foldKey,
      modality,
      seed: config.seed,
      protocolOptions: config.protocolOptions,
      teacher: tc,
    };
    const key = hashOf(identity);
    const foldId = canonicalJson([config.dataset, config.protocol, foldKey]);
    if (this.teacherFold !== foldId) this.releaseTeachers(foldId);
    const cached = this.teachers.get(key);
    if (cached) return cached;
    const dim = modality === 'eeg' ? split.eegDim : split.emDim;
    const t0 = performance.now();
    const trained = trainTeacher({
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
    const metrics = classificationMetrics(test.labels, predict(trained.model, test.x, test.dim), split.numClasses);
    const t: TrainedTeacher = { key, model: trained.model, accuracy: metrics.accuracy, ms };
    this.teachers.set(key, t);
    return t;
  }

  private releaseTeachers(nextFold: string | null): void {
    for (const t of this.teachers.values()) t.model.dispose();
    this.teachers.clear();
    this.teacherFold = nextFold;
  }

  dispose(): void {
    this.releaseTeachers(null);
    this.split = null;
  }
}
