// Fixture stores for tests and benchmarks (here and in the API and dashboard): fold rows shaped as the
// runner writes them, from a few fields. Exported as @cmcrd/runner/testing; not part of the main entry.
import { variantOf } from './variant.js';
import { canonicalJson, hashOf } from './identity.js';
import { type ModelArtifact, buildModelArtifact } from './model/artifact.js';
import { type EpochInput, Store } from './store.js';
import { type ArtifactInput, type NewFoldRow, folds as schemaFolds } from './schema.js';
import { packWeights } from './teacher-weights.js';

/** Deterministic pseudo-random numbers (mulberry32), so fixture stores are the same on every machine. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEFAULT_PROTOCOL = { normalisation: 'train', mccSource: 'train', epochSelection: 'last' };
const STUDENT = { epochs: 40, warmupEpochs: 10, batchSize: 32, lr: 0.001, weightDecay: 0.001 };
export const CMCRD_DEFAULTS = {
  iew: true,
  mcc: true,
  negatives: 1200,
  temperature: 0.07,
  us: true,
  weight: 0.8,
};

export interface FixtureFold {
  dataset: string;
  protocol: string;
  foldKey: string;
  method: string;
  backbone: string;
  direction: string;
  seed?: number;
  options?: Record<string, unknown>;
  protocolOptions?: Record<string, string>;
  status?: 'done' | 'failed';
  accuracy?: number;
  trainMs?: number;
  testMs?: number;
  teacherMs?: number | null;
  /** The synthetic data seed, or the release's content digest. */
  dataRevision?: string | number;
  student?: Partial<typeof STUDENT>;
  backend?: string;
  /** The code revision stored with the fold (default 'fixture'). */
  codeRevision?: string;
  /** The method's display name as recorded with the fold (default: none recorded). */
  displayName?: string;
}

const isSynthetic = (dataset: string) => dataset.startsWith('synthetic-');

/** A fold row as the runner writes it (config JSON shaped like foldIdentity), from a few fields. */
export function fixtureRow(f: FixtureFold): NewFoldRow {
  const synthetic = isSynthetic(f.dataset);
  const options = f.options ?? {};
  const protocolOptions = f.protocolOptions ?? DEFAULT_PROTOCOL;
  const distilled = f.direction !== 'none';
  const config = {
    dataset: f.dataset,
    dataSeed: synthetic ? Number(f.dataRevision ?? 0) : null,
    ...(synthetic ? {} : { dataVersion: String(f.dataRevision ?? '5eed1v0000000000') }),
    protocol: f.protocol,
    foldKey: f.foldKey,
    method: f.method,
    backbone: f.backbone,
    direction: f.direction,
    seed: f.seed ?? 1,
    options,
    protocolOptions,
    student: { ...STUDENT, ...f.student },
    teacher: distilled
      ? { backbone: f.backbone, epochs: 50, mcc: options.mcc !== false, mccSource: protocolOptions.mccSource }
      : null,
  };
  const status = f.status ?? 'done';
  const done = status === 'done';
  return {
    configHash: hashOf(config),
    config: canonicalJson(config),
    dataset: f.dataset,
    synthetic,
    protocol: f.protocol,
    foldKey: f.foldKey,
    method: f.method,
    backbone: f.backbone,
    direction: f.direction,
    testModality:
      f.direction === 'none'
        ? f.method === 'em-only'
          ? 'em'
          : f.method === 'fusion'
            ? 'eeg+em'
            : 'eeg'
        : f.direction.split('->')[1],
    seed: f.seed ?? 1,
    options: canonicalJson(options),
    protocolOptions: canonicalJson(protocolOptions),
    variant: variantOf(config as Parameters<typeof variantOf>[0]),
    dataRevision: String(config.dataVersion ?? config.dataSeed ?? ''),
    status,
    accuracy: done ? (f.accuracy ?? 0.5) : null,
    balancedAccuracy: done ? (f.accuracy ?? 0.5) : null,
    trainMs: done ? (f.trainMs ?? 1000) : null,
    testMs: done ? (f.testMs ?? 10) : null,
    epochs: config.student.epochs,
    backend: f.backend ?? 'wasm',
    host: 'fixture',
    codeRevision: f.codeRevision ?? 'fixture',
    displayName: f.displayName ?? '',
    teacherKey: distilled ? 'teacher' : null,
    teacherMs: distilled ? (f.teacherMs ?? 500) : null,
    error: done ? null : 'fixture failure',
    startedAt: '2026-11-28T00:00:00.000Z',
    finishedAt: '2026-11-28T00:00:01.000Z',
  };
}

/** Writes rows in one transaction per chunk (recordFold would be 100× slower for the benchmark's 100,000). */
export function insertFolds(store: Store, rows: readonly NewFoldRow[]): void {
  for (let i = 0; i < rows.length; i += 5000) {
    const chunk = rows.slice(i, i + 5000);
    store.db.transaction((tx) => {
      for (const r of chunk) tx.insert(schemaFolds).values(r).run();
    });
  }
}

const foldKeys = (protocol: string, n: number) =>
  Array.from(
    { length: n },
    (_, i) => `${protocol === 'within-subject' ? 'subject' : 'loso'}-${String(i + 1).padStart(2, '0')}`,
  );

const ABLATION = [false, true].flatMap((mcc) =>
  [false, true].flatMap((us) => [false, true].map((iew) => ({ mcc, us, iew }))),
);

/**
 * A fixture column's rows: the unimodal models, fusion, these distillers (with their options) in
 * both directions, and on DGCNN CMCRD's 7 other MCC/US/IEW combinations (EM-guided EEG).
 */
function fixtureCells(
  backbone: string,
  distillers: Record<string, Record<string, unknown>>,
): { method: string; direction: string; options?: Record<string, unknown> }[] {
  return [
    { method: 'eeg-only', direction: 'none' },
    { method: 'em-only', direction: 'none' },
    { method: 'fusion', direction: 'none' },
    ...['em->eeg', 'eeg->em'].flatMap((direction) =>
      Object.entries(distillers).map(([method, options]) => ({ method, direction, options })),
    ),
    ...(backbone === 'dgcnn'
      ? ABLATION.filter((f) => !(f.mcc && f.us && f.iew)).map((flags) => ({
          method: 'cmcrd',
          direction: 'em->eeg',
          options: { ...CMCRD_DEFAULTS, ...flags },
        }))
      : []),
  ];
}

/**
 * The small fixed store behind the golden outputs: a real release (seed-iv) and a synthetic
 * preset, both protocols, DNN and DGCNN, the unimodal models, fusion, two baselines and CMCRD in
 * both directions, CMCRD's 8 ablation variants on DGCNN, two seeds in some cells, a failed fold
 * and a missing one. Accuracies and times come from a fixed pseudo-random sequence.
 */
export function goldenFolds(): FixtureFold[] {
  const random = seeded(20261128);
  const acc = () => Math.round((0.45 + 0.4 * random()) * 10000) / 10000;
  const ms = (base: number) => Math.round(base * (0.8 + 0.4 * random()));
  const out: FixtureFold[] = [];
  for (const dataset of ['seed-iv', 'synthetic-seed-iv']) {
    for (const protocol of ['within-subject', 'cross-subject']) {
      for (const backbone of ['dnn', 'dgcnn']) {
        const cells = fixtureCells(backbone, {
          kd: { temperature: 4, weight: 1 },
          crd: { negatives: 1200, temperature: 0.07, weight: 0.8 },
          cmcrd: CMCRD_DEFAULTS,
        });
        for (const c of cells) {
          for (const foldKey of foldKeys(protocol, 4)) {
            // CRD on the synthetic preset's cross-subject DNN never ran its last fold.
            if (
              c.method === 'crd' &&
              dataset.startsWith('synthetic') &&
              protocol === 'cross-subject' &&
              backbone === 'dnn' &&
              foldKey === 'loso-04'
            )
              continue;
            const failed =
              c.method === 'kd' &&
              c.direction === 'em->eeg' &&
              dataset === 'seed-iv' &&
              protocol === 'within-subject' &&
              backbone === 'dnn' &&
              foldKey === 'subject-04';
            const seeds =
              c.method === 'cmcrd' && backbone === 'dnn' && protocol === 'within-subject' ? [1, 2] : [1];
            for (const seed of seeds) {
              out.push({
                dataset,
                protocol,
                foldKey,
                backbone,
                seed,
                ...c,
                ...(failed ? { status: 'failed' as const } : { accuracy: acc() }),
                trainMs: ms(c.method === 'fusion' ? 12000 : c.direction === 'none' ? 6000 : 18000),
                testMs: ms(20),
                teacherMs: c.direction === 'none' ? null : ms(5000),
              });
            }
          }
        }
      }
    }
  }
  return out;
}

const DISTILLERS = ['kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];

/**
 * A store shaped like the paper's sweep run over many seeds: the three releases, both protocols,
 * the three backbones, 15 folds, the unimodal models, fusion, the eight distillers in both
 * directions and CMCRD's ablation on DGCNN: 5,760 folds per seed.
 */
export function* paperShapedFolds(seeds: number): Generator<FixtureFold> {
  const random = seeded(7);
  for (let seed = 1; seed <= seeds; seed++) {
    for (const dataset of ['seed', 'seed-iv', 'seed-v']) {
      for (const protocol of ['within-subject', 'cross-subject']) {
        for (const backbone of ['dnn', 'dgcnn', 'bihdm']) {
          const cells = fixtureCells(
            backbone,
            Object.fromEntries(DISTILLERS.map((m) => [m, m === 'cmcrd' ? CMCRD_DEFAULTS : { weight: 1 }])),
          );
          for (const c of cells) {
            for (const foldKey of foldKeys(protocol, 15)) {
              yield {
                dataset,
                protocol,
                backbone,
                foldKey,
                seed,
                ...c,
                accuracy: 0.4 + 0.5 * random(),
                trainMs: 20000 * random(),
                testMs: 50 * random(),
                teacherMs: 8000,
              };
            }
          }
        }
      }
    }
  }
}

/** Writes a store of `seeds` × 5,760 paper-shaped folds (the benchmarks' 100,000-fold store); returns the fold count and seconds taken. */
export function writePaperShapedStore(file: string, seeds: number): { folds: number; seconds: number } {
  const t0 = performance.now();
  const store = Store.open(file);
  try {
    insertFolds(store, [...paperShapedFolds(seeds)].map(fixtureRow));
    return { folds: store.countFolds(), seconds: (performance.now() - t0) / 1000 };
  } finally {
    store.close();
  }
}

/**
 * The golden folds in a store with everything else a store holds, for tests that compare every
 * read: the within-subject folds asked for by a finished sweep, the cross-subject ones by a running
 * sweep, the synthetic release's folds outside any sweep (runs); epochs for every 5th fold, a t-SNE
 * embedding for every 7th done fold, an exportable model for every 61st if it is a DNN fold (fold 1
 * is one); one teacher and one step time.
 */
export function writeGoldenStore(file: string): Store {
  const store = Store.open(file);
  const golden = goldenFolds();
  const sweepOf = (f: FixtureFold) => (f.dataset.startsWith('synthetic') ? null : f.protocol);
  const sweeps = new Map(
    ['within-subject', 'cross-subject'].map((protocol) => {
      const spec = `name: golden ${protocol}\nprotocol: ${protocol}\n`;
      const n = golden.filter((f) => sweepOf(f) === protocol).length;
      return [protocol, store.openSweep({ name: `golden ${protocol}`, file: `sweeps/golden-${protocol}.yaml`, spec, options: { real: true }, folds: n })];
    }),
  );
  store.finishSweep(sweeps.get('within-subject')!.id, 1);
  golden.forEach((f, i) => {
    const row = fixtureRow(f);
    const sweep = sweepOf(f);
    const epochRows: EpochInput[] = Array.from({ length: i % 5 === 0 ? 3 : 0 }, (_, e) => ({
      epoch: e + 1,
      lr: 0.001,
      losses: canonicalJson({ ce: 1 / (e + 2), total: 1 / (e + 1) }),
      trainAccuracy: 0.5 + e / 10,
      valAccuracy: e === 0 ? null : 0.45 + e / 10,
      testAccuracy: 0.4 + e / 10,
    }));
    const artifacts: ArtifactInput[] = [];
    if (row.status === 'done' && i % 7 === 0) {
      artifacts.push({
        kind: 'tsne',
        data: { points: [[i, -i / 2], [0.25, 1e-3]], labels: [0, 1], predicted: [0, 0], indices: [2, 9], perplexity: 30, iterations: 500, seed: row.seed, features: 'fixture, 2-d', ms: 12 },
      });
    }
    if (row.status === 'done' && row.backbone === 'dnn' && i % 61 === 0) artifacts.push({ kind: 'model', data: fixtureModel(row, i) });
    store.recordFold({ ...row, sweepId: sweep === null ? null : sweeps.get(sweep)!.id }, epochRows, artifacts);
  });
  store.putTeacher({
    key: 'teacher',
    config: canonicalJson({ backbone: 'dnn', modality: 'em' }),
    dataset: 'seed-iv',
    foldKey: 'subject-01',
    modality: 'em',
    backbone: 'dnn',
    seed: 1,
    weights: packWeights([Float32Array.of(0.5, -1.25, 3), Float32Array.of(7)]),
    accuracy: 0.7,
    trainMs: 5000,
    backend: 'wasm',
    host: 'fixture',
  });
  store.saveStepTimes([{ machine: 'fixture-host', backend: 'wasm', kind: canonicalJson(['student', 32, 310]), msPerStep: 1.5, lowMs: 1.25, highMs: 2, cpuMs: null, steps: 12 }]);
  return store;
}

/**
 * A stored DNN of 4 inputs and 3 classes (the backbone's snapshot layout: 4 blocks of 128 units with
 * their batch norms, then the head) with pseudo-random weights and a fold's provenance.
 */
function fixtureModel(row: NewFoldRow, i: number): ModelArtifact {
  const inputDim = 4;
  const random = seeded(i + 1);
  const values = (n: number) => Float32Array.from({ length: n }, () => random() - 0.5);
  const snapshot: Float32Array[] = [];
  for (let b = 0, fanIn = inputDim; b < 4; b++, fanIn = 128) {
    snapshot.push(values(128 * fanIn), values(128), values(128), values(128), Float32Array.from(values(128), (v) => 1 + v));
  }
  snapshot.push(values(128 * 3), values(3));
  return buildModelArtifact({
    snapshot,
    architecture: {
      backbone: 'dnn',
      modality: row.testModality === 'em' ? 'em' : 'eeg',
      inputDim,
      numClasses: 3,
      featureDims: [128],
      parameterCount: snapshot.reduce((n, a) => n + a.length, 0),
    },
    preprocess: { normalisation: 'train', mean: [0, 0, 0, 0], std: [1, 1, 1, 1], featureNames: ['f1', 'f2', 'f3', 'f4'], classNames: ['a', 'b', 'c'] },
    provenance: {
      dataset: row.dataset,
      synthetic: row.synthetic,
      dataRevision: row.dataRevision ?? '',
      protocol: row.protocol,
      foldKey: row.foldKey,
      protocolOptions: JSON.parse(row.protocolOptions) as Record<string, unknown>,
      method: row.method,
      options: JSON.parse(row.options) as Record<string, unknown>,
      direction: row.direction,
      teacherKey: row.teacherKey ?? null,
      teacherAccuracy: null,
      seed: row.seed,
      student: {},
      accuracy: row.accuracy ?? 0,
      balancedAccuracy: row.balancedAccuracy ?? 0,
      testSize: 10,
      trainSize: 30,
      confusion: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
      selectedEpoch: null,
      backend: row.backend,
      codeRevision: row.codeRevision ?? '',
      configHash: row.configHash,
      trainedAt: row.finishedAt,
    },
  });
}
