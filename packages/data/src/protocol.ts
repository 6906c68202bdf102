import type { Dataset, DatasetSpec } from './dataset-types.js';
import { ProtocolError } from './errors.js';
import { PROTOCOL_NAMES, type ProtocolName } from './names.js';
import { type ZscoreStats, zscoreApplyInPlace, zscoreFit, zscoreFitRows } from './zscore.js';

export { PROTOCOL_NAMES, type ProtocolName };

/** DESIGN.md section 8. Defaults are leak-free; every other value lets test data in and is recorded. */
export interface ProtocolOptions {
  /**
   * 'train' (default): z-score per feature fitted on the training part only, applied to train, val
   * and test. 'per-subject': each subject's rows z-scored with that subject's own statistics over all
   * of its rows in the split (label-free, but uses the test subject's data). 'paper': train z-scored
   * on itself, test on itself (as the reference code), val with the training statistics.
   */
  normalisation: 'train' | 'per-subject' | 'paper';
  /** 'train' (default): MCC on training batches; 'target': on unlabelled test batches (transductive). Recorded only. */
  mccSource: 'train' | 'target';
  /**
   * 'last' (default); 'best-val': buildSplit carves a validation part out of the training
   * trials/subjects; 'oracle-test': best test accuracy over epochs (optimistic).
   */
  epochSelection: 'last' | 'best-val' | 'oracle-test';
}

const OPTION_VALUES: { readonly [K in keyof ProtocolOptions]: readonly ProtocolOptions[K][] } = {
  normalisation: ['train', 'per-subject', 'paper'],
  mccSource: ['train', 'target'],
  epochSelection: ['last', 'best-val', 'oracle-test'],
};

export const DEFAULT_PROTOCOL_OPTIONS: ProtocolOptions = Object.freeze({
  normalisation: 'train',
  mccSource: 'train',
  epochSelection: 'last',
});

function describe(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : String(v);
}

/**
 * Validate protocol options and fill in the defaults. Keys whose value is `undefined` count as
 * absent. Throws {@link ProtocolError} naming the key and the allowed values for a bad value, and
 * naming the key and the known keys for an unknown key.
 */
export function parseProtocolOptions(partial: Record<string, unknown>): ProtocolOptions {
  if (partial === null || partial === undefined) return { ...DEFAULT_PROTOCOL_OPTIONS };
  if (typeof partial !== 'object' || Array.isArray(partial)) {
    throw new ProtocolError(`protocol options must be an object, got ${describe(partial)}`);
  }
  const known = Object.keys(OPTION_VALUES) as (keyof ProtocolOptions)[];
  for (const key of Object.keys(partial)) {
    if (!(known as string[]).includes(key)) {
      throw new ProtocolError(
        `unknown protocol option ${JSON.stringify(key)}; known options: ${known.join(', ')}`,
        { key: [key] },
      );
    }
  }
  const out: Record<string, string> = { ...DEFAULT_PROTOCOL_OPTIONS };
  for (const key of known) {
    const value = partial[key];
    if (value === undefined) continue;
    const allowed = OPTION_VALUES[key] as readonly string[];
    if (typeof value !== 'string' || !allowed.includes(value)) {
      throw new ProtocolError(
        `bad value ${describe(value)} for protocol option ${JSON.stringify(key)}; allowed: ${allowed.join(', ')}`,
        { key: [key] },
      );
    }
    out[key] = value;
  }
  return out as unknown as ProtocolOptions;
}

/** Throws {@link ProtocolError} naming the bad name and listing the known protocols. */
export function parseProtocol(name: string): ProtocolName {
  if (typeof name === 'string' && (PROTOCOL_NAMES as readonly string[]).includes(name))
    return name as ProtocolName;
  throw new ProtocolError(
    `unknown protocol ${describe(name)}; known protocols: ${PROTOCOL_NAMES.join(', ')}`,
  );
}

/** Subjects that take part in the protocols: those with both modalities (all have EEG), ascending. */
export function protocolSubjects(spec: DatasetSpec): number[] {
  return [...new Set(spec.emSubjects)].filter((s) => s >= 1 && s <= spec.subjects).sort((a, b) => a - b);
}

function foldPrefix(protocol: ProtocolName): string {
  return protocol === 'within-subject' ? 'subject-' : 'loso-';
}

function foldKeyOf(protocol: ProtocolName, subject: number): string {
  return `${foldPrefix(protocol)}${String(subject).padStart(2, '0')}`;
}

/**
 * One fold per subject with both modalities: 'subject-01'... (within-subject) or 'loso-01'...
 * (cross-subject, leave-one-subject-out); the number is the 1-based subject id.
 */
export function listFolds(spec: DatasetSpec, protocol: ProtocolName): string[] {
  const p = parseProtocol(protocol);
  return protocolSubjects(spec).map((s) => foldKeyOf(p, s));
}

/** The subject of a fold key; throws {@link ProtocolError} naming the key and the valid ones. */
export function foldSubject(spec: DatasetSpec, protocol: ProtocolName, foldKey: string): number {
  const p = parseProtocol(protocol);
  const folds = listFolds(spec, p);
  const i = folds.indexOf(foldKey);
  if (i < 0) {
    const range = folds.length > 0 ? `${folds[0]} .. ${folds[folds.length - 1]}` : '(none)';
    throw new ProtocolError(
      `bad fold key ${describe(foldKey)} for protocol ${p} on ${spec.name}; expected one of ${range}`,
    );
  }
  return protocolSubjects(spec)[i];
}

export interface SplitPart {
  n: number;
  eeg: Float32Array;
  em: Float32Array;
  labels: Int32Array;
  /** Row indices into the Dataset. */
  rows: Int32Array;
  subjects: Int32Array;
  /** A unique id per (subject, session, trial), for leak checks. */
  trialIds: Int32Array;
}

export interface Split {
  train: SplitPart;
  val: SplitPart | null;
  test: SplitPart;
  numClasses: number;
  eegDim: number;
  emDim: number;
  protocol: ProtocolName;
  foldKey: string;
  options: ProtocolOptions;
}

/** Unique id of a (subject, session, trial), all 1-based. */
export function trialId(spec: DatasetSpec, subject: number, session: number, trial: number): number {
  return ((subject - 1) * spec.sessions + (session - 1)) * spec.trialsPerSession + (trial - 1);
}

const TRAIN = 0;
const VAL = 1;
const TEST = 2;

/**
 * Build one fold of a protocol.
 *
 * - within-subject: the fold's subject only; in every session the first `trainTrialsPerSession`
 *   trials train and the rest test. With epochSelection 'best-val' the last 2 training trials of
 *   each session become the validation part.
 * - cross-subject (leave-one-subject-out): the fold's subject is the test part; every other subject
 *   with both modalities trains. With 'best-val' the next subject id (cyclically, among those
 *   subjects) becomes the validation part.
 *
 * Both modalities are normalised as `options.normalisation` says. No trial is ever in two parts.
 */
export function buildSplit(
  ds: Dataset,
  protocol: ProtocolName,
  foldKey: string,
  options: ProtocolOptions,
): Split {
  const p = parseProtocol(protocol);
  const opts = Object.freeze(parseProtocolOptions(options as unknown as Record<string, unknown>));
  const { spec } = ds;
  const testSubject = foldSubject(spec, p, foldKey);
  const withVal = opts.epochSelection === 'best-val';
  const eligible = protocolSubjects(spec);

  let valSubject = -1;
  if (p === 'cross-subject' && withVal) {
    if (eligible.length < 3) throw new ProtocolError(`best-val needs at least 3 subjects in ${spec.name}`);
    valSubject = eligible[(eligible.indexOf(testSubject) + 1) % eligible.length];
  }
  const trainT = spec.trainTrialsPerSession;
  const valFrom = trainT - 2; // within-subject best-val: trials valFrom+1 .. trainT
  if (p === 'within-subject' && withVal && valFrom < 1) {
    throw new ProtocolError(`best-val needs more than 2 training trials per session in ${spec.name}`);
  }
  const isEligible = new Uint8Array(spec.subjects + 1);
  for (const s of eligible) isEligible[s] = 1;

  // assign every row to a part (or none)
  const part = new Int8Array(ds.n).fill(-1);
  const counts = [0, 0, 0];
  for (let i = 0; i < ds.n; i++) {
    const s = ds.subject[i];
    let q = -1;
    if (p === 'within-subject') {
      if (s === testSubject) {
        const t = ds.trial[i];
        q = t > trainT ? TEST : withVal && t > valFrom ? VAL : TRAIN;
      }
    } else if (s === testSubject) {
      q = TEST;
    } else if (isEligible[s]) {
      q = s === valSubject ? VAL : TRAIN;
    }
    if (q >= 0) {
      part[i] = q;
      counts[q]++;
    }
  }
  const rowsOf = counts.map((c) => new Int32Array(c));
  const fill = [0, 0, 0];
  for (let i = 0; i < ds.n; i++) if (part[i] >= 0) rowsOf[part[i]][fill[part[i]]++] = i;

  const parts = rowsOf.map((rows) => gather(ds, rows));
  normalise(ds, parts, opts.normalisation);

  return {
    train: parts[TRAIN],
    val: withVal ? parts[VAL] : null,
    test: parts[TEST],
    numClasses: spec.numClasses,
    eegDim: spec.eegDim,
    emDim: spec.emDim,
    protocol: p,
    foldKey,
    options: opts,
  };
}

function gather(ds: Dataset, rows: Int32Array): SplitPart {
  const { spec } = ds;
  const n = rows.length;
  const ed = spec.eegDim;
  const md = spec.emDim;
  const eeg = new Float32Array(n * ed);
  const em = new Float32Array(n * md);
  const labels = new Int32Array(n);
  const subjects = new Int32Array(n);
  const trialIds = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = rows[i];
    eeg.set(ds.eeg.subarray(r * ed, (r + 1) * ed), i * ed);
    em.set(ds.em.subarray(r * md, (r + 1) * md), i * md);
    labels[i] = ds.label[r];
    subjects[i] = ds.subject[r];
    trialIds[i] = trialId(spec, ds.subject[r], ds.session[r], ds.trial[r]);
  }
  return { n, eeg, em, labels, rows, subjects, trialIds };
}

type Mod = 'eeg' | 'em';
const MODS: readonly Mod[] = ['eeg', 'em'];

function dimOf(ds: Dataset, m: Mod): number {
  return m === 'eeg' ? ds.spec.eegDim : ds.spec.emDim;
}

function normalise(ds: Dataset, parts: SplitPart[], how: ProtocolOptions['normalisation']): void {
  const [train, val, test] = parts;
  for (const m of MODS) {
    const dim = dimOf(ds, m);
    if (how === 'train' || how === 'paper') {
      const trainStats = zscoreFit(train[m], dim);
      zscoreApplyInPlace(train[m], dim, trainStats);
      zscoreApplyInPlace(val[m], dim, trainStats);
      const testStats = how === 'paper' ? zscoreFit(test[m], dim) : trainStats;
      zscoreApplyInPlace(test[m], dim, testStats);
    } else {
      // per-subject: each subject's statistics over all of its rows in the split (all parts)
      const bySubject = new Map<number, number[]>();
      for (const part of parts) for (const r of part.rows) pushTo(bySubject, ds.subject[r], r);
      const stats = new Map<number, ZscoreStats>();
      for (const [s, rows] of bySubject) stats.set(s, zscoreFitRows(ds[m], dim, Int32Array.from(rows)));
      for (const part of parts) {
        const local = new Map<number, number[]>();
        for (let i = 0; i < part.n; i++) pushTo(local, part.subjects[i], i);
        for (const [s, idx] of local) zscoreApplyInPlace(part[m], dim, stats.get(s) as ZscoreStats, idx);
      }
    }
  }
}

function pushTo(map: Map<number, number[]>, key: number, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
