import type { Dataset } from './dataset-types.js';

export interface FeatureSummary {
  dim: number;
  min: number;
  max: number;
  mean: number;
  /** NaN or ±Inf values. */
  nonFinite: number;
}

export interface DatasetDescription {
  name: string;
  synthetic: boolean;
  subjects: number[];
  emSubjects: number[];
  sessions: number;
  /** Trials per (subject, session), as found. */
  trialsPerSession: [number, number];
  trials: number;
  windows: number;
  windowsPerTrial: [number, number];
  classBalance: { label: number; name: string; windows: number }[];
  eeg: FeatureSummary;
  /** Over the subjects that have eye movements (the others' rows are NaN by design). */
  em: FeatureSummary;
}

function summarise(values: Float32Array, dim: number, rows: (r: number) => boolean, n: number): FeatureSummary {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  let sum = 0;
  let count = 0;
  let nonFinite = 0;
  for (let r = 0; r < n; r++) {
    if (!rows(r)) continue;
    for (let i = r * dim; i < (r + 1) * dim; i++) {
      const v = values[i];
      if (!Number.isFinite(v)) {
        nonFinite++;
        continue;
      }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
      count++;
    }
  }
  return { dim, min, max, mean: count ? sum / count : Number.NaN, nonFinite };
}

/** What `cmcrd data inspect` prints: the shape of the data, its balance and its value ranges. */
export function describeDataset(ds: Dataset): DatasetDescription {
  const { spec, n } = ds;
  const subjects = [...new Set(ds.subject)].sort((a, b) => a - b);
  const emSet = new Set(spec.emSubjects);
  const trialKeys = new Set<string>();
  const trialsOf = new Map<string, Set<number>>();
  let minW = Number.POSITIVE_INFINITY;
  let maxW = 0;
  const counts = new Array<number>(spec.numClasses).fill(0);
  for (let r = 0; r < n; r++) {
    const ss = `${ds.subject[r]}/${ds.session[r]}`;
    trialKeys.add(`${ss}/${ds.trial[r]}`);
    if (!trialsOf.has(ss)) trialsOf.set(ss, new Set());
    trialsOf.get(ss)!.add(ds.trial[r]);
    if (r + 1 === n || ds.window[r + 1] === 0) {
      minW = Math.min(minW, ds.window[r] + 1);
      maxW = Math.max(maxW, ds.window[r] + 1);
    }
    counts[ds.label[r]]++;
  }
  const perSession = [...trialsOf.values()].map((s) => s.size);
  return {
    name: spec.name,
    synthetic: spec.synthetic,
    subjects,
    emSubjects: subjects.filter((s) => emSet.has(s)),
    sessions: new Set(ds.session).size,
    trialsPerSession: [Math.min(...perSession), Math.max(...perSession)],
    trials: trialKeys.size,
    windows: n,
    windowsPerTrial: [minW, maxW],
    classBalance: counts.map((windows, label) => ({ label, name: spec.classNames[label], windows })),
    eeg: summarise(ds.eeg, spec.eegDim, () => true, n),
    em: summarise(ds.em, spec.emDim, (r) => emSet.has(ds.subject[r]), n),
  };
}
