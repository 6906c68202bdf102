/**
 * The shapes of a dataset and of its spec. Types only, importing nothing: every module of the
 * package may import them without forming a cycle (spec.ts reads a release's cache through
 * imported.ts, which builds a DatasetSpec; both once imported each other for these types).
 */

export type Modality = 'eeg' | 'em';
export type DatasetFamily = 'seed' | 'seed-iv' | 'seed-v';

export interface DatasetSpec {
  /** 'synthetic-seed' | 'synthetic-seed-iv' | 'synthetic-seed-v', or an imported release: 'seed' | 'seed-iv' | 'seed-v'. */
  name: string;
  family: DatasetFamily;
  synthetic: boolean;
  subjects: number;
  /** 1-based ids of the subjects that have eye-movement data. */
  emSubjects: number[];
  sessions: number;
  trialsPerSession: number;
  /** Within-subject protocol: the first this-many trials of every session train, the rest test. */
  trainTrialsPerSession: number;
  classNames: string[];
  numClasses: number;
  /** 310 = 62 channels x 5 bands (delta theta alpha beta gamma), channel-major: index = channel*5 + band. */
  eegDim: number;
  emDim: number;
  /** [session][trial] 0-based class index: the real label sequences of the public releases. */
  sessionLabels: number[][];
  /** Approximate range of windows per trial in the real release (the synthetic presets draw from it). */
  windowsPerTrialRange: [number, number];
  /** Number of CRD/CMCRD negatives per protocol (paper, section 4.2). */
  negatives: { within: number; cross: number };
  /**
   * Imported releases: a digest of the cached content, part of every fold's identity, so that a
   * re-import of different files does not pass for the data earlier folds were run on.
   */
  dataVersion?: string;
}

/**
 * A dataset in memory: one row per window, rows ordered by subject, session, trial, window.
 * Treat the arrays as read-only: {@link loadDataset} caches and shares them.
 */
export interface Dataset {
  spec: DatasetSpec;
  /** Number of windows (rows). */
  n: number;
  /** n x eegDim, row-major. */
  eeg: Float32Array;
  /** n x emDim, row-major; the rows of subjects without eye-movement data are NaN. */
  em: Float32Array;
  label: Int32Array;
  /** 1-based. */
  subject: Int32Array;
  /** 1-based. */
  session: Int32Array;
  /** 1-based within the session. */
  trial: Int32Array;
  /** 0-based within the trial. */
  window: Int32Array;
}
