import { EEG_DIM } from './constants.js';
import type { DatasetSpec } from './dataset-types.js';
import { UnknownDatasetError } from './errors.js';
import { loadImported } from './imported.js';
import { DATASET_NAMES, RELEASE_NAMES } from './names.js';

export type { DatasetFamily, DatasetSpec, Modality } from './dataset-types.js';
export { EEG_BANDS, EEG_CHANNELS, EEG_DIM } from './constants.js';

/** SEED `label.mat` (1 positive, 0 neutral, -1 negative), identical for every session; mapped +1 to class indices. */
export const SEED_RAW_LABELS: readonly number[] = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1];

/** SEED-IV labels per session (0 neutral, 1 sad, 2 fear, 3 happy). */
export const SEED_IV_LABELS: readonly (readonly number[])[] = [
  [1, 2, 3, 0, 2, 0, 0, 1, 0, 1, 2, 1, 1, 1, 2, 3, 2, 2, 3, 3, 0, 3, 0, 3],
  [2, 1, 3, 0, 0, 2, 0, 2, 3, 3, 2, 3, 2, 0, 1, 1, 2, 1, 0, 3, 0, 1, 3, 1],
  [1, 2, 2, 1, 3, 3, 3, 1, 1, 2, 1, 0, 2, 3, 3, 0, 2, 3, 0, 0, 2, 0, 1, 0],
];

/**
 * SEED-V labels per session (0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy), from the release's
 * emotion_label_and_stimuli_order (the real files carry a label per window; these are the per-trial values).
 */
export const SEED_V_LABELS: readonly (readonly number[])[] = [
  [4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0],
  [2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0],
  [2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0],
];

function range1(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    for (const v of Object.values(o as object)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const SEED_SPEC: DatasetSpec = {
  name: 'synthetic-seed',
  family: 'seed',
  synthetic: true,
  subjects: 15,
  // The multimodal SEED release has eye movements for 12 of the 15 subjects; we take 1..12.
  emSubjects: range1(12),
  sessions: 3,
  trialsPerSession: 15,
  trainTrialsPerSession: 9,
  classNames: ['negative', 'neutral', 'positive'],
  numClasses: 3,
  eegDim: EEG_DIM,
  emDim: 33,
  sessionLabels: [0, 1, 2].map(() => SEED_RAW_LABELS.map((l) => l + 1)),
  // SEED de_LDS features: one window per second of a 3-4 minute clip.
  windowsPerTrialRange: [185, 265],
  negatives: { within: 900, cross: 21000 },
};

const SEED_IV_SPEC: DatasetSpec = {
  name: 'synthetic-seed-iv',
  family: 'seed-iv',
  synthetic: true,
  subjects: 15,
  emSubjects: range1(15),
  sessions: 3,
  trialsPerSession: 24,
  trainTrialsPerSession: 16,
  classNames: ['neutral', 'sad', 'fear', 'happy'],
  numClasses: 4,
  eegDim: EEG_DIM,
  emDim: 31,
  sessionLabels: SEED_IV_LABELS.map((s) => [...s]),
  // 4-s windows; approximate range of the real release.
  windowsPerTrialRange: [12, 64],
  negatives: { within: 1200, cross: 25000 },
};

const SEED_V_SPEC: DatasetSpec = {
  name: 'synthetic-seed-v',
  family: 'seed-v',
  synthetic: true,
  subjects: 16,
  emSubjects: range1(16),
  sessions: 3,
  trialsPerSession: 15,
  trainTrialsPerSession: 10,
  classNames: ['disgust', 'fear', 'sad', 'neutral', 'happy'],
  numClasses: 5,
  eegDim: EEG_DIM,
  emDim: 33,
  sessionLabels: SEED_V_LABELS.map((s) => [...s]),
  // 4-s windows; approximate range of the real release.
  windowsPerTrialRange: [20, 65],
  negatives: { within: 900, cross: 17000 },
};

const SPECS: ReadonlyMap<string, DatasetSpec> = new Map(
  [SEED_SPEC, SEED_IV_SPEC, SEED_V_SPEC].map((s) => [s.name, deepFreeze(s)]),
);

/**
 * The imported releases, named like the built-ins without 'synthetic-'. Their specs start from the
 * synthetic presets' structure (the presets imitate the releases) and are completed from the cache
 * (subjects present, eye-movement subjects, labels, window counts) when the data are loaded.
 */
const RELEASES: ReadonlyMap<string, DatasetSpec> = new Map(
  [SEED_SPEC, SEED_IV_SPEC, SEED_V_SPEC].map((s) => {
    const name = s.name.replace(/^synthetic-/, '');
    return [name, deepFreeze({ ...structuredClone(s), name, synthetic: false })];
  }),
);

export { DATASET_NAMES, RELEASE_NAMES };
// names.ts lists them for the command line's help without loading this module: they must agree.
if ([...SPECS.keys(), ...RELEASES.keys()].join() !== [...DATASET_NAMES, ...RELEASE_NAMES].join()) {
  throw new Error(`names.ts lists the datasets ${[...DATASET_NAMES, ...RELEASE_NAMES].join(', ')}, spec.ts has ${[...SPECS.keys(), ...RELEASES.keys()].join(', ')}`);
}

/** The release's static spec (before its data are known), or undefined for any other name. */
export function releaseSpec(name: string): DatasetSpec | undefined {
  return RELEASES.get(name);
}

/**
 * The (frozen) spec of a named dataset; throws {@link UnknownDatasetError} for an unknown name and
 * DatasetNotImportedError for a release whose cache does not exist. A release's spec reads its cache.
 */
export function datasetSpec(name: string): DatasetSpec {
  const spec = typeof name === 'string' ? SPECS.get(name) : undefined;
  if (spec) return spec;
  const release = typeof name === 'string' ? RELEASES.get(name) : undefined;
  if (release) return loadImported(name, release).spec;
  throw new UnknownDatasetError(
    `unknown dataset ${JSON.stringify(name)}; known datasets: ${[...DATASET_NAMES, ...RELEASE_NAMES].join(', ')}`,
  );
}
