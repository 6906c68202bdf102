import { sql } from 'drizzle-orm';
import { blob, index, integer, primaryKey, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import type { ModelArtifact } from './model/artifact.js';

/**
 * A fold is the unit of fact: one (dataset, protocol, fold key, backbone, method, direction,
 * options, seed) trained and tested once. Everything else is derived from folds.
 */
export const folds = sqliteTable(
  'folds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    /** sha256 of the canonical JSON of every identity field and option. */
    configHash: text('config_hash').notNull(),
    /** The full configuration of the fold, canonical JSON. */
    config: text('config').notNull(),
    dataset: text('dataset').notNull(),
    synthetic: integer('synthetic', { mode: 'boolean' }).notNull(),
    protocol: text('protocol').notNull(),
    foldKey: text('fold_key').notNull(),
    method: text('method').notNull(),
    backbone: text('backbone').notNull(),
    /** 'em->eeg', 'eeg->em', or 'none' for the unimodal references. */
    direction: text('direction').notNull(),
    /** Modality the model is tested on. */
    testModality: text('test_modality').notNull(),
    seed: integer('seed').notNull(),
    /** Method options after defaults, JSON. */
    options: text('options').notNull(),
    /** normalisation, mccSource, epochSelection: JSON. */
    protocolOptions: text('protocol_options').notNull(),
    /**
     * What sets a result apart beyond the identity columns: the options, the student's training
     * settings, the teacher's epochs and an outside plugin's module, joined by U+001F. Two folds of
     * one method that differ here are different variants (report rows). Derived from `config`.
     */
    variant: text('variant').notNull().default(''),
    /** The synthetic data seed, or the imported release's content digest. Derived from `config`. */
    dataRevision: text('data_revision').notNull().default(''),
    status: text('status', { enum: ['done', 'failed'] }).notNull(),
    accuracy: real('accuracy'),
    balancedAccuracy: real('balanced_accuracy'),
    /** confusion[true][predicted], JSON. */
    confusion: text('confusion'),
    trainSize: integer('train_size'),
    testSize: integer('test_size'),
    trainMs: real('train_ms'),
    testMs: real('test_ms'),
    epochs: integer('epochs').notNull(),
    selectedEpoch: integer('selected_epoch'),
    backend: text('backend').notNull(),
    host: text('host').notNull(),
    /**
     * The code that produced the fold: the git commit (with `+dirty` for uncommitted changes), or
     * `@cmcrd/runner@<version>` outside git; '' for folds stored before it was recorded.
     */
    codeRevision: text('code_revision').notNull().default(''),
    /** The method's display name as its plugin declared it ('KD', 'CMCRD'); '' when it declared none. */
    displayName: text('display_name').notNull().default(''),
    /**
     * The method's declared option defaults when the fold was written (canonical JSON), so that a
     * report can tell a default variant from the others without loading the plugin; null for the
     * reference methods and for folds stored before it was recorded.
     */
    methodDefaults: text('method_defaults'),
    /** Which teacher guided this fold (hash of its training identity), its test accuracy and training time. */
    teacherKey: text('teacher_key'),
    teacherAccuracy: real('teacher_accuracy'),
    teacherMs: real('teacher_ms'),
    error: text('error'),
    /** How many times the fold was started (a failure or a crashed worker starts it again). */
    attempts: integer('attempts').notNull().default(1),
    /** The sweep that asked for this fold first (null for single runs). */
    sweepId: integer('sweep_id').references(() => sweeps.id),
    startedAt: text('started_at').notNull(),
    finishedAt: text('finished_at').notNull(),
    createdAt: text('created_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  },
  (t) => [
    uniqueIndex('folds_config_hash_unique').on(t.configHash),
    index('folds_cell_idx').on(t.dataset, t.protocol, t.backbone, t.method, t.direction),
    // The display names recorded per method, read by every report without scanning the folds.
    index('folds_display_name_idx').on(t.method, t.displayName),
    index('folds_method_defaults_idx').on(t.method, t.methodDefaults),
    // Covers the report's grouped read (Store.foldFacts): a scan in group order, no table lookups.
    index('folds_report_idx').on(
      t.dataset,
      t.dataRevision,
      t.protocol,
      t.protocolOptions,
      t.direction,
      t.backbone,
      t.method,
      t.variant,
      t.foldKey,
      t.status,
      t.synthetic,
      t.seed,
      t.accuracy,
      t.trainMs,
      t.testMs,
      t.teacherMs,
      t.backend,
      t.codeRevision,
    ),
  ],
);

/**
 * A trained teacher, shared by every method of its fold: trained once per (dataset, fold,
 * modality, backbone, teacher options, seed) — the key hashes all of them — and reused from here.
 */
export const teachers = sqliteTable('teachers', {
  key: text('key').primaryKey(),
  /** The training identity, canonical JSON. */
  config: text('config').notNull(),
  dataset: text('dataset').notNull(),
  foldKey: text('fold_key').notNull(),
  modality: text('modality').notNull(),
  backbone: text('backbone').notNull(),
  seed: integer('seed').notNull(),
  /** Every weight and running statistic (see store/teacher-weights.ts). */
  weights: blob('weights', { mode: 'buffer' }).notNull(),
  accuracy: real('accuracy').notNull(),
  trainMs: real('train_ms').notNull(),
  backend: text('backend').notNull(),
  host: text('host').notNull(),
  createdAt: text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
});

/** A sweep file as it was run; its folds point back at it. */
export const sweeps = sqliteTable(
  'sweeps',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    file: text('file').notNull(),
    /** The file's text; with the options below it determines the folds. */
    spec: text('spec').notNull(),
    /** sha256 of spec + options: running the same sweep again resumes this row. */
    specHash: text('spec_hash').notNull(),
    /** e.g. {"real": true} */
    options: text('options').notNull(),
    /** 'stopped': a store fault (full disk, read-only, damaged) ended its coordinator; a re-run resumes it. */
    status: text('status', { enum: ['running', 'finished', 'cancelled', 'stopped'] }).notNull(),
    folds: integer('folds').notNull(),
    failed: integer('failed').notNull().default(0),
    createdAt: text('created_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
    finishedAt: text('finished_at'),
  },
  (t) => [uniqueIndex('sweeps_spec_hash_unique').on(t.specHash)],
);

/**
 * A fold a coordinator is training now. Several coordinators may share one store: each claims a
 * fold here before it trains it, renews `heartbeat_at` while it runs, and removes the claim once
 * the fold is stored. A claim whose heartbeat is older than the timeout (its coordinator was
 * killed) is taken over by another coordinator (src/claims.ts).
 */
export const claims = sqliteTable(
  'claims',
  {
    configHash: text('config_hash').primaryKey(),
    /** The coordinator: `host:pid:random`, unique per process. */
    owner: text('owner').notNull(),
    host: text('host').notNull(),
    pid: integer('pid').notNull(),
    sweepId: integer('sweep_id'),
    /** Milliseconds since the epoch. */
    claimedAt: integer('claimed_at').notNull(),
    heartbeatAt: integer('heartbeat_at').notNull(),
  },
  (t) => [index('claims_owner_idx').on(t.owner)],
);

/** Per-epoch training record of a fold's final model (the student, or the unimodal model). */
export const epochs = sqliteTable(
  'epochs',
  {
    foldId: integer('fold_id')
      .notNull()
      .references(() => folds.id, { onDelete: 'cascade' }),
    epoch: integer('epoch').notNull(),
    lr: real('lr').notNull(),
    /** Mean loss parts over the epoch's batches ('total', 'ce', 'distill', 'mcc'), JSON. */
    losses: text('losses').notNull(),
    trainAccuracy: real('train_accuracy').notNull(),
    valAccuracy: real('val_accuracy'),
    /** Monitored for learning curves; used for model selection only under 'oracle-test'. */
    testAccuracy: real('test_accuracy'),
  },
  (t) => [primaryKey({ columns: [t.foldId, t.epoch] })],
);

/**
 * What a fold leaves beside its numbers, for plots: one row per fold and kind, its data as JSON
 * (see ArtifactData). Written in the fold's transaction; deleted with the fold.
 */
export const artifacts = sqliteTable(
  'artifacts',
  {
    foldId: integer('fold_id')
      .notNull()
      .references(() => folds.id, { onDelete: 'cascade' }),
    /**
     * 'tsne': a 2-D t-SNE of the final model's test-set features (TsneArtifact);
     * 'model': the trained model itself, with its preprocessing and provenance (ModelArtifact,
     * src/model/artifact.ts). SQLite does not check the enum, so adding a kind needs no migration.
     */
    kind: text('kind', { enum: ['tsne', 'model'] }).notNull(),
    /** JSON, shaped by the kind (ArtifactData[kind]). */
    data: text('data').notNull(),
    createdAt: text('created_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  },
  (t) => [primaryKey({ columns: [t.foldId, t.kind] })],
);

/**
 * A 2-D t-SNE of a fold's test-set features (src/embedding.ts): the representation the classifier
 * reads, on a label-stratified subsample of at most 400 test rows.
 */
export interface TsneArtifact {
  /** [x, y] per point, in the order of `indices`. */
  points: [number, number][];
  /** True class of each point. */
  labels: number[];
  /** The fold's model's prediction for each point. */
  predicted: number[];
  /** Rows of the fold's test split (ascending). */
  indices: number[];
  perplexity: number;
  iterations: number;
  /** Seed of the subsample and of t-SNE's initial layout (the fold's training seed). */
  seed: number;
  /** Which feature tap was embedded and its dimension, e.g. 'dnn features[1] of 2 (penultimate), 64-d'. */
  features: string;
  /** Time to compute it (features, t-SNE) on the machine that ran the fold. */
  ms: number;
}

/** The data of each artifact kind. */
export interface ArtifactData {
  tsne: TsneArtifact;
  model: ModelArtifact;
}
export type ArtifactKind = keyof ArtifactData;
/** An artifact to store with a fold (Store.recordFold): its kind and data, serialised by the store. */
export type ArtifactInput = { [K in ArtifactKind]: { kind: K; data: ArtifactData[K] } }[ArtifactKind];

export type FoldRow = typeof folds.$inferSelect;
export type TeacherRow = typeof teachers.$inferSelect;
export type NewTeacherRow = typeof teachers.$inferInsert;
export type SweepRow = typeof sweeps.$inferSelect;
export type NewFoldRow = typeof folds.$inferInsert;
export type EpochRow = typeof epochs.$inferSelect;
export type NewEpochRow = typeof epochs.$inferInsert;
export type ArtifactRow = typeof artifacts.$inferSelect;

/**
 * Step times measured by `cmcrd sweep --dry-run`, per machine, backend and kind of fold, so that a
 * later dry run on the same machine estimates without training anything. Several interleaved
 * rounds per kind: the median and the slowest and fastest round's (the estimate's range).
 */
export const stepTimes = sqliteTable(
  'step_times',
  {
    /** The host name, CPU model and core count (estimate.ts machineId). */
    machine: text('machine').notNull(),
    backend: text('backend').notNull(),
    /** Canonical JSON: ['student', …shape] or ['teacher', backbone, modality]. */
    kind: text('kind').notNull(),
    msPerStep: real('ms_per_step').notNull(),
    lowMs: real('low_ms').notNull(),
    highMs: real('high_ms').notNull(),
    /**
     * CPU time per step, where the backend computes on the process's one thread (wasm, cpu): a
     * step's time on an idle core, whatever the machine's load was. Null for other backends.
     */
    cpuMs: real('cpu_ms'),
    /** Timed steps behind the figures. */
    steps: integer('steps').notNull(),
    measuredAt: text('measured_at')
      .notNull()
      .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`),
  },
  (t) => [primaryKey({ columns: [t.machine, t.backend, t.kind] })],
);

export type StepTimeRow = typeof stepTimes.$inferSelect;
export type ClaimRow = typeof claims.$inferSelect;
