/**
 * The synthetic SEED / SEED-IV / SEED-V generator (DESIGN.md section 5).
 *
 * Model, per window t of trial (subject s, session e, trial r) with class c, modality m:
 *
 *   shared latent   z_t   = rho_s * mu_c + clip_(e,r) + subj_s + sess_(s,e) + trial_(s,e,r) + drift_t
 *   modality view   v_m,t = gain_m (.) z_t + privTrial_m,(s,e,r) + privDrift_m,t
 *   features        x_m,t = base_m + off_m,s + shift_m,s,e + S_m,s ( L_m,s M_m,s v_m,t + noise_m,t )
 *
 * - z lives in a small latent space: three emotion axes (valence, arousal, avoidance) and three
 *   shared nuisance axes (luminance / visual input, vigilance, a generic one). mu_c is the class
 *   centre (EMOTION_CENTRES) times the preset's classSeparation, rho_s a per-subject
 *   responsiveness. The clip effect is shared by every subject who watched that clip, the trial
 *   effect is the subject's own reaction to it, drift_t is a stationary AR(1) within the trial, so
 *   features are temporally smooth.
 * - Each modality reads the latent with its own gains and adds its own (private) trial offset and
 *   AR(1) drift of fixed size, so an axis with a small gain is poorly seen by that modality. EEG:
 *   strong valence gain, weak arousal/avoidance gains (separates valence; confuses sad/fear and
 *   disgust/fear). EM: strong arousal gain through pupil-like features, fair avoidance gain
 *   (fixations, saccades, dispersion), weak valence gain. Private noise makes the two modalities'
 *   errors partly independent.
 * - L_m are fixed loadings (RMS 1 per axis). EEG loadings are broad, spatially smooth fields over
 *   the 62-electrode montage (frontal alpha asymmetry and lateral temporal beta/gamma carry valence);
 *   EM loadings follow the meaning of each eye feature (pupil diameter tracks arousal and
 *   luminance, etc.).
 * - Subject distortions: L_m,s = L_m + patternSd * R_s (the subject's own spatial/feature patterns),
 *   M_m,s = I + mixSd * G_s (a subject-specific mixing of the axes), per-subject feature offsets
 *   off_m,s and log-scales S_m,s, per (subject, session) feature shifts, plus the shared latent
 *   subject/session offsets and responsiveness above: cross-subject is harder than within-subject.
 * - Observation noise is per feature, AR(1) in time (the released features are LDS-smoothed).
 * - Artefacts: ~1% of windows per modality. EEG: large spikes in a few neighbouring channels,
 *   strongest in the low bands. EM: blink-like outliers (long blinks, lost pupil).
 * - EEG values look like differential-entropy features: positive, with a per channel-band baseline
 *   that decreases from delta to gamma.
 *
 * Every component draws from its own seeded stream (see rng.ts), so the same (preset, seed) gives
 * byte-identical arrays. Windows per trial depend on the preset only (not on the seed) and are the
 * same for every subject (everyone watched the same clips); SEED shows the same 15 clips in every
 * session, so its trial lengths and clip effects are shared by the three sessions.
 */
import type { Dataset } from './dataset-types.js';
import { MONTAGE } from './montage.js';
import { Rng } from './rng.js';
import { EEG_BANDS, EEG_CHANNELS } from './constants.js';
import type { DatasetFamily, DatasetSpec } from './dataset-types.js';

// ---------------------------------------------------------------------------------------------
// Knobs
// ---------------------------------------------------------------------------------------------

export interface ModalityKnobs {
  /** How strongly the modality shows the [valence, arousal, avoidance] axes. */
  gain: readonly [number, number, number];
  /** How strongly it shows the three shared nuisance axes. */
  nuisanceGain: number;
  /** SD of the modality's private per-trial offset on every axis of its view. */
  privateTrialSd: number;
  /** Stationary SD of the modality's private AR(1) drift (coefficient driftRho) on every axis. */
  privateDriftSd: number;
  /** SD of the per-feature observation noise (units of the feature scale), and its AR(1) coefficient. */
  noiseSd: number;
  noiseRho: number;
  /** Per-subject perturbation of the loadings, relative to their RMS of 1. */
  subjectPatternSd: number;
  /** Per-subject mixing of the axes: M_s = I + subjectMixSd * G_s. */
  subjectMixSd: number;
  /** Per-subject feature offsets, in units of the feature scale. */
  subjectOffsetSd: number;
  /** Per-subject feature log-scale SD. */
  subjectScaleSd: number;
  /** Per (subject, session) feature offsets, in units of the feature scale. */
  sessionShiftSd: number;
  /** Fraction of windows with an artefact in this modality. */
  artefactRate: number;
}

export interface GeneratorKnobs {
  /** Multiplies the class centres in latent space. */
  classSeparation: number;
  /** Per-subject log-SD of the responsiveness that scales the class centres. */
  responsivenessSd: number;
  /** Per-clip latent offset, shared by all subjects who watched the clip. */
  clipEffectSd: number;
  /** Per (subject, session, trial) latent offset: the subject's own reaction to the clip. */
  trialEffectSd: number;
  /** Per-subject latent offset (a subject's baseline mood), on the emotion axes only. */
  subjectLatentSd: number;
  /** Per (subject, session) latent offset (the mood of the day), on the emotion axes only. */
  sessionLatentSd: number;
  /** Stationary SD and AR(1) coefficient of the shared latent drift within a trial. */
  driftSd: number;
  driftRho: number;
  eeg: ModalityKnobs;
  em: ModalityKnobs;
}

/**
 * THE calibration table. These knobs set how hard each preset is; they are meant to be calibrated
 * once so that *unimodal* classifiers land near the accuracies the paper reports on the real data
 * (within-subject EEG ~64-79 %, EM ~58-74 %; cross-subject EEG ~46-74 %, EM ~54-68 %) and then left
 * alone. Never tune them by looking at how CMCRD or any distillation baseline does: the generator
 * must not decide the comparison. First pass: shrinkage-LDA accuracies (test/calibrate.ts, seed 0,
 * all folds, default options) within about 3 points of the paper's DNN rows; the unimodal DNN check on
 * SEED-IV within-subject is in README.md. Class structure lives in EMOTION_CENTRES, the modality's
 * strengths in `gain`.
 */
export const GENERATOR_KNOBS: Readonly<Record<DatasetFamily, GeneratorKnobs>> = {
  seed: {
    // 3 classes; the same 15 clips every session, so clip effects recur across sessions
    classSeparation: 2.4,
    responsivenessSd: 0.25,
    clipEffectSd: 0.3,
    trialEffectSd: 0.3,
    subjectLatentSd: 0.3,
    sessionLatentSd: 0.2,
    driftSd: 0.35,
    driftRho: 0.97, // 1-s windows: slow per-window drift
    eeg: {
      gain: [1.0, 0.3, 0.3],
      nuisanceGain: 0.8,
      privateTrialSd: 0.45,
      privateDriftSd: 0.35,
      noiseSd: 1.0,
      noiseRho: 0.6,
      subjectPatternSd: 0.6,
      subjectMixSd: 0.4,
      subjectOffsetSd: 0.8,
      subjectScaleSd: 0.2,
      sessionShiftSd: 0.4,
      artefactRate: 0.01,
    },
    em: {
      gain: [0.3, 1.0, 0.6],
      nuisanceGain: 0.8,
      privateTrialSd: 0.4,
      privateDriftSd: 0.35,
      noiseSd: 0.8,
      noiseRho: 0.5,
      subjectPatternSd: 0.6,
      subjectMixSd: 0.45,
      subjectOffsetSd: 0.6,
      subjectScaleSd: 0.2,
      sessionShiftSd: 0.3,
      artefactRate: 0.01,
    },
  },
  'seed-iv': {
    // 4 classes; distinct clips per session
    classSeparation: 2.3,
    responsivenessSd: 0.25,
    clipEffectSd: 0.5,
    trialEffectSd: 0.25,
    subjectLatentSd: 0.3,
    sessionLatentSd: 0.2,
    driftSd: 0.35,
    driftRho: 0.9, // 4-s windows
    eeg: {
      gain: [1.0, 0.3, 0.3],
      nuisanceGain: 0.8,
      privateTrialSd: 0.5,
      privateDriftSd: 0.35,
      noiseSd: 1.0,
      noiseRho: 0.4,
      subjectPatternSd: 0.7,
      subjectMixSd: 0.5,
      subjectOffsetSd: 0.8,
      subjectScaleSd: 0.2,
      sessionShiftSd: 0.4,
      artefactRate: 0.01,
    },
    em: {
      gain: [0.3, 1.0, 0.6],
      nuisanceGain: 0.8,
      privateTrialSd: 0.4,
      privateDriftSd: 0.35,
      noiseSd: 0.8,
      noiseRho: 0.4,
      subjectPatternSd: 0.2,
      subjectMixSd: 0.15,
      subjectOffsetSd: 0.6,
      subjectScaleSd: 0.2,
      sessionShiftSd: 0.3,
      artefactRate: 0.01,
    },
  },
  'seed-v': {
    // 5 classes; distinct clips per session
    classSeparation: 3.0,
    responsivenessSd: 0.25,
    clipEffectSd: 0.5,
    trialEffectSd: 0.25,
    subjectLatentSd: 0.3,
    sessionLatentSd: 0.2,
    driftSd: 0.35,
    driftRho: 0.9, // 4-s windows
    eeg: {
      gain: [1.0, 0.3, 0.3],
      nuisanceGain: 0.8,
      privateTrialSd: 0.35,
      privateDriftSd: 0.35,
      noiseSd: 1.0,
      noiseRho: 0.4,
      subjectPatternSd: 0.7,
      subjectMixSd: 0.5,
      subjectOffsetSd: 0.8,
      subjectScaleSd: 0.2,
      sessionShiftSd: 0.4,
      artefactRate: 0.01,
    },
    em: {
      gain: [0.25, 0.6, 0.6],
      nuisanceGain: 0.8,
      privateTrialSd: 0.6,
      privateDriftSd: 0.35,
      noiseSd: 0.8,
      noiseRho: 0.4,
      subjectPatternSd: 0.4,
      subjectMixSd: 0.3,
      subjectOffsetSd: 0.6,
      subjectScaleSd: 0.2,
      sessionShiftSd: 0.3,
      artefactRate: 0.01,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Latent space and class centres
// ---------------------------------------------------------------------------------------------

export const LATENT_AXES: readonly string[] = Object.freeze([
  'valence',
  'arousal',
  'avoidance',
  'luminance',
  'vigilance',
  'nuisance',
]);
const K = 6;
const NE = 3; // emotion axes come first

/**
 * Class centres on the [valence, arousal, avoidance] axes. Sad and fear differ mostly in arousal,
 * disgust and fear in arousal and avoidance: EEG (weak on those axes) confuses them, EM separates
 * them; positive/negative valence is EEG's strength and EM's weakness. SEED's 'negative' clips mix
 * sadness and fear.
 */
export const EMOTION_CENTRES: Readonly<Record<string, readonly [number, number, number]>> = {
  positive: [1.0, 0.4, -0.2],
  happy: [1.0, 0.4, -0.2],
  neutral: [0.0, -0.7, 0.0],
  negative: [-1.0, 0.3, 0.3],
  sad: [-0.9, -0.3, 0.0],
  fear: [-0.8, 1.0, 0.3],
  disgust: [-0.8, 0.3, 1.0],
};

// ---------------------------------------------------------------------------------------------
// EEG loadings (spatially smooth over the montage)
// ---------------------------------------------------------------------------------------------

const EEG_D = EEG_CHANNELS * EEG_BANDS;
/** DE baseline per band (decreasing with frequency) and per-band feature scale. */
const EEG_BAND_BASE = [4.6, 4.0, 3.6, 3.1, 2.6];
const EEG_BAND_SCALE = [0.1, 0.09, 0.085, 0.075, 0.07];
/** Size of an EEG artefact spike (units of the feature scale; x1 to x2.5), and its profile over bands. */
const EEG_ARTEFACT_SIZE = 25;
const EEG_ARTEFACT_BAND = [1.0, 0.8, 0.6, 0.5, 0.45];

function gauss1(d: number, w: number): number {
  return Math.exp(-(d * d) / (2 * w * w));
}

/** Hand-designed emotion patterns (broad, so no single feature dominates), value at electrode (x, y), band b. */
function eegEmotionLoading(axis: number, x: number, y: number, b: number): number {
  if (axis === 0) {
    // valence: frontal alpha/theta asymmetry, lateral temporal beta/gamma, a little broad gamma
    let v = -[0, 0.5, 1.0, 0.3, 0][b] * Math.tanh(2 * x) * gauss1(y - 0.6, 0.55);
    v += [0, 0, 0.1, 0.7, 1.0][b] * gauss1(Math.abs(x) - 0.9, 0.45) * gauss1(y - 0.1, 0.6);
    if (b === 4) v += 0.3;
    return v;
  }
  if (axis === 1) {
    // arousal: fronto-central beta/gamma up, parieto-occipital alpha down, frontal-midline theta
    let v = [0, 0, 0, 0.7, 0.5][b] * gauss1(y - 0.5, 0.5);
    if (b === 2) v -= 0.8 * gauss1(y + 0.6, 0.45);
    if (b === 1) v += 0.4 * gauss1(x, 0.45) * gauss1(y - 0.5, 0.45);
    return v;
  }
  // avoidance: temporo-parietal delta/theta, right-frontal beta
  let v = [0.6, 0.8, 0.2, 0, 0][b] * gauss1(Math.abs(x) - 0.6, 0.5) * gauss1(y + 0.1, 0.6);
  if (b === 3) v += 0.5 * gauss1(x - 0.5, 0.5) * gauss1(y - 0.6, 0.5);
  return v;
}

/** A random spatially smooth pattern: two (field x band profile) terms, each field a sum of bumps. */
function randomEegPattern(rng: Rng, out: Float64Array): void {
  out.fill(0);
  for (let term = 0; term < 2; term++) {
    const field = new Float64Array(EEG_CHANNELS);
    for (let bump = 0; bump < 3; bump++) {
      const cx = 2 * rng.uniform() - 1;
      const cy = 2 * rng.uniform() - 1;
      const w = 0.35 + 0.45 * rng.uniform();
      const amp = rng.normal();
      for (let ch = 0; ch < EEG_CHANNELS; ch++) {
        const e = MONTAGE[ch];
        field[ch] += amp * gauss1(Math.hypot(e.x - cx, e.y - cy), w);
      }
    }
    const prof = Array.from({ length: EEG_BANDS }, () => rng.normal());
    for (let ch = 0; ch < EEG_CHANNELS; ch++)
      for (let b = 0; b < EEG_BANDS; b++) out[ch * EEG_BANDS + b] += field[ch] * prof[b];
  }
  normaliseRms(out, 0, 1, out.length);
}

/** Scale the column (stride `stride`, starting at `offset`, `len` entries) to RMS 1. */
function normaliseRms(a: Float64Array, offset: number, stride: number, len: number): void {
  let ss = 0;
  for (let i = 0; i < len; i++) ss += a[offset + i * stride] ** 2;
  const f = ss > 0 ? 1 / Math.sqrt(ss / len) : 0;
  for (let i = 0; i < len; i++) a[offset + i * stride] *= f;
}

// ---------------------------------------------------------------------------------------------
// EM features (after the SEED eye-movement feature list)
// ---------------------------------------------------------------------------------------------

type EmKind = 'pupil-mean' | 'pupil-std' | 'pupil-de' | 'blink' | 'blink-freq' | 'other';
interface EmFeature {
  name: string;
  base: number;
  scale: number;
  /** loadings on [valence, arousal, avoidance] before normalisation */
  load: readonly [number, number, number];
  /** loadings on [luminance, vigilance] before normalisation */
  nuis: readonly [number, number];
  kind: EmKind;
}

function pupil(axis: 'x' | 'y'): EmFeature[] {
  return [
    {
      name: `pupil_${axis}_mean`,
      base: 3.6,
      scale: 0.25,
      load: [0.2, 1.0, 0.1],
      nuis: [-1.2, -0.2],
      kind: 'pupil-mean',
    },
    {
      name: `pupil_${axis}_std`,
      base: 0.25,
      scale: 0.05,
      load: [0, 0.5, 0.1],
      nuis: [0.2, 0.1],
      kind: 'pupil-std',
    },
    ...[1.2, 0.9, 0.7, 0.5].map(
      (base, i): EmFeature => ({
        name: `pupil_${axis}_de${i + 1}`,
        base,
        scale: 0.12,
        load: [0.1, 0.7 - 0.1 * i, 0],
        nuis: [-0.4, 0.1],
        kind: 'pupil-de',
      }),
    ),
  ];
}

/** 33 features (SEED, SEED-V); SEED-IV's 31 drop the last two event statistics. */
const EM_FEATURES: readonly EmFeature[] = [
  ...pupil('x'),
  ...pupil('y'),
  { name: 'disp_x_mean', base: 1.5, scale: 0.25, load: [-0.2, 0.2, 0.8], nuis: [0, -0.3], kind: 'other' },
  { name: 'disp_x_std', base: 0.8, scale: 0.15, load: [-0.1, 0.2, 0.6], nuis: [0, -0.2], kind: 'other' },
  { name: 'disp_y_mean', base: 1.2, scale: 0.2, load: [-0.2, 0.2, 0.8], nuis: [0, -0.3], kind: 'other' },
  { name: 'disp_y_std', base: 0.6, scale: 0.12, load: [-0.1, 0.2, 0.6], nuis: [0, -0.2], kind: 'other' },
  { name: 'fix_dur_mean', base: 280, scale: 35, load: [0.3, -0.3, -0.7], nuis: [0, 0.5], kind: 'other' },
  { name: 'fix_dur_std', base: 140, scale: 20, load: [0.2, -0.2, -0.5], nuis: [0, 0.3], kind: 'other' },
  { name: 'blink_dur_mean', base: 160, scale: 25, load: [0, -0.3, 0.3], nuis: [0, 0.6], kind: 'blink' },
  { name: 'blink_dur_std', base: 60, scale: 12, load: [0, -0.2, 0.2], nuis: [0, 0.4], kind: 'blink' },
  { name: 'sacc_dur_mean', base: 45, scale: 6, load: [0, 0.3, 0.5], nuis: [0, -0.3], kind: 'other' },
  { name: 'sacc_dur_std', base: 20, scale: 4, load: [0, 0.2, 0.3], nuis: [0, -0.2], kind: 'other' },
  { name: 'sacc_amp_mean', base: 4.5, scale: 0.8, load: [-0.1, 0.3, 0.6], nuis: [0, -0.3], kind: 'other' },
  { name: 'sacc_amp_std', base: 2.5, scale: 0.5, load: [0, 0.2, 0.4], nuis: [0, -0.2], kind: 'other' },
  { name: 'blink_freq', base: 0.35, scale: 0.08, load: [0, 0.3, 0.4], nuis: [0.1, 0.7], kind: 'blink-freq' },
  { name: 'fix_freq', base: 2.8, scale: 0.35, load: [0.1, -0.2, -0.4], nuis: [0, 0.2], kind: 'other' },
  { name: 'fix_dur_max', base: 900, scale: 150, load: [0.2, -0.2, -0.5], nuis: [0, 0.5], kind: 'other' },
  { name: 'fix_disp_total', base: 40, scale: 8, load: [-0.1, 0.2, 0.6], nuis: [0, -0.3], kind: 'other' },
  { name: 'fix_disp_max', base: 3.5, scale: 0.7, load: [-0.1, 0.2, 0.5], nuis: [0, -0.2], kind: 'other' },
  { name: 'sacc_freq', base: 2.5, scale: 0.35, load: [0, 0.3, 0.5], nuis: [0, -0.5], kind: 'other' },
  { name: 'sacc_dur_avg', base: 45, scale: 6, load: [0, 0.3, 0.4], nuis: [0, -0.2], kind: 'other' },
  { name: 'sacc_amp_avg', base: 4.5, scale: 0.8, load: [-0.1, 0.3, 0.5], nuis: [0, -0.2], kind: 'other' },
  { name: 'sacc_latency_avg', base: 220, scale: 30, load: [0, -0.4, 0.2], nuis: [0, 0.4], kind: 'other' },
];

/** Names of the synthetic EM features of a preset (33, or 31 for SEED-IV). */
export function emFeatureNames(emDim: number): string[] {
  return EM_FEATURES.slice(0, emDim).map((f) => f.name);
}

// ---------------------------------------------------------------------------------------------
// Structure shared by all subjects
// ---------------------------------------------------------------------------------------------

/** Fixed per preset (independent of the data seed) so trial lengths never change between seeds. */
const STRUCTURE_SEED: Readonly<Record<DatasetFamily, number>> = {
  seed: 0x5eed,
  'seed-iv': 0x5eed4,
  'seed-v': 0x5eed5,
};

// Stream tags
const T_WINDOWS = 1;
const T_WORLD = 2;
const T_SUBJECT = 3;
const T_SESSION = 4;
const T_CLIP = 5;
const T_TRIAL = 6;

/** Windows per trial, [session][trial]: same for every subject (same clips). */
export function windowsPerTrial(spec: DatasetSpec): number[][] {
  const rng = new Rng(STRUCTURE_SEED[spec.family], T_WINDOWS);
  const [lo, hi] = spec.windowsPerTrialRange;
  const first = Array.from({ length: spec.trialsPerSession }, () => rng.int(lo, hi));
  return Array.from({ length: spec.sessions }, (_, e) =>
    e === 0 || sameClipsEverySession(spec)
      ? [...first]
      : Array.from({ length: spec.trialsPerSession }, () => rng.int(lo, hi)),
  );
}

function sameClipsEverySession(spec: DatasetSpec): boolean {
  return spec.family === 'seed';
}

function clipId(spec: DatasetSpec, session0: number, trial0: number): number {
  return sameClipsEverySession(spec) ? trial0 : session0 * spec.trialsPerSession + trial0;
}

interface ModalityWorld {
  dim: number;
  /** dim x K base loadings (RMS 1 per column), before gains */
  L: Float64Array;
  base: Float64Array;
  featScale: Float64Array;
}

function eegWorld(rng: Rng): ModalityWorld {
  const L = new Float64Array(EEG_D * K);
  for (let ch = 0; ch < EEG_CHANNELS; ch++) {
    const { x, y } = MONTAGE[ch];
    for (let b = 0; b < EEG_BANDS; b++) {
      const j = ch * EEG_BANDS + b;
      for (let k = 0; k < NE; k++) L[j * K + k] = eegEmotionLoading(k, x, y, b);
      // luminance / visual input: occipital alpha down, beta up
      L[j * K + 3] = [0.1, 0.2, -1.0, 0.5, 0.3][b] * gauss1(y + 0.7, 0.6);
      // vigilance: broad theta/alpha up, beta down
      L[j * K + 4] = [0.3, 0.8, 0.6, -0.4, -0.3][b];
    }
  }
  // generic nuisance: a random smooth pattern; small random texture on the hand-designed ones
  const tmp = new Float64Array(EEG_D);
  randomEegPattern(rng, tmp);
  for (let j = 0; j < EEG_D; j++) L[j * K + 5] = tmp[j];
  for (let k = 0; k < K - 1; k++) {
    normaliseRms(L, k, K, EEG_D);
    randomEegPattern(rng, tmp);
    for (let j = 0; j < EEG_D; j++) L[j * K + k] += 0.15 * tmp[j];
  }
  for (let k = 0; k < K; k++) normaliseRms(L, k, K, EEG_D);

  const base = new Float64Array(EEG_D);
  const featScale = new Float64Array(EEG_D);
  const field = new Float64Array(EEG_D);
  randomEegPattern(rng, field);
  for (let ch = 0; ch < EEG_CHANNELS; ch++) {
    for (let b = 0; b < EEG_BANDS; b++) {
      const j = ch * EEG_BANDS + b;
      base[j] = EEG_BAND_BASE[b] + 0.2 * field[j];
      featScale[j] = EEG_BAND_SCALE[b];
    }
  }
  return { dim: EEG_D, L, base, featScale };
}

function emWorld(rng: Rng, dim: number): ModalityWorld {
  const L = new Float64Array(dim * K);
  const base = new Float64Array(dim);
  const featScale = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    const f = EM_FEATURES[j];
    for (let k = 0; k < NE; k++) L[j * K + k] = f.load[k] + 0.15 * rng.normal();
    L[j * K + 3] = f.nuis[0] + 0.1 * rng.normal();
    L[j * K + 4] = f.nuis[1] + 0.1 * rng.normal();
    L[j * K + 5] = rng.normal();
    base[j] = f.base;
    featScale[j] = f.scale;
  }
  for (let k = 0; k < K; k++) normaliseRms(L, k, K, dim);
  return { dim, L, base, featScale };
}

/** A subject's view of a modality: effective loadings, offsets and scales. */
interface SubjectModality {
  /** dim x K: S_s (L + patternSd R_s)(I + mixSd G_s), S_s = featScale * exp(scaleSd N) */
  A: Float64Array;
  /** S_s: multiplies the observation noise */
  noiseScale: Float64Array;
  /** base + subject offset */
  offset: Float64Array;
}

function subjectModality(
  world: ModalityWorld,
  knobs: ModalityKnobs,
  rng: Rng,
  isEeg: boolean,
): SubjectModality {
  const { dim, L } = world;
  // the subject's own loadings
  const Ls = new Float64Array(L);
  const tmp = new Float64Array(dim);
  for (let k = 0; k < K; k++) {
    if (isEeg) randomEegPattern(rng, tmp);
    else for (let j = 0; j < dim; j++) tmp[j] = rng.normal();
    for (let j = 0; j < dim; j++) Ls[j * K + k] += knobs.subjectPatternSd * tmp[j];
  }
  // the subject's mixing of the axes
  const M = new Float64Array(K * K);
  for (let a = 0; a < K; a++)
    for (let b = 0; b < K; b++) M[a * K + b] = (a === b ? 1 : 0) + knobs.subjectMixSd * rng.normal();
  // offsets: spatially smooth (plus a little texture) for EEG, independent for EM
  const offs = new Float64Array(dim);
  if (isEeg) {
    randomEegPattern(rng, offs);
    for (let j = 0; j < dim; j++) offs[j] = 0.8 * offs[j] + 0.6 * rng.normal();
  } else {
    for (let j = 0; j < dim; j++) offs[j] = rng.normal();
  }
  const A = new Float64Array(dim * K);
  const noiseScale = new Float64Array(dim);
  const offset = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    const sc = world.featScale[j] * Math.exp(knobs.subjectScaleSd * rng.normal());
    noiseScale[j] = sc;
    offset[j] = world.base[j] + knobs.subjectOffsetSd * world.featScale[j] * offs[j];
    for (let b = 0; b < K; b++) {
      let acc = 0;
      for (let a = 0; a < K; a++) acc += Ls[j * K + a] * M[a * K + b];
      A[j * K + b] = sc * acc;
    }
  }
  return { A, noiseScale, offset };
}

function sessionShift(world: ModalityWorld, knobs: ModalityKnobs, rng: Rng, isEeg: boolean): Float64Array {
  const shift = new Float64Array(world.dim);
  if (isEeg) {
    randomEegPattern(rng, shift);
    for (let j = 0; j < world.dim; j++) shift[j] = 0.7 * shift[j] + 0.7 * rng.normal();
  } else {
    for (let j = 0; j < world.dim; j++) shift[j] = rng.normal();
  }
  for (let j = 0; j < world.dim; j++) shift[j] *= knobs.sessionShiftSd * world.featScale[j];
  return shift;
}

// ---------------------------------------------------------------------------------------------
// Generation
// ---------------------------------------------------------------------------------------------

/** Precomputed EEG neighbour lists for spatially clustered artefacts. */
const NEIGHBOURS: readonly (readonly number[])[] = MONTAGE.map((e) =>
  MONTAGE.map((f, i) => [Math.hypot(e.x - f.x, e.y - f.y), i] as const)
    .sort((p, q) => p[0] - q[0])
    .map((p) => p[1]),
);

/** AR(1) step of a per-feature noise state: x = rho x + innov * N(0, 1). */
function arStep(rng: Rng, x: Float64Array, rho: number, innov: number): void {
  for (let j = 0; j < x.length; j++) x[j] = rho * x[j] + innov * rng.normal();
}

/** out[o + j] = offset[j] + (A z)[j] + noiseScale[j] * noise[j]; A is dim x K (K = 6). */
function emitRow(
  out: Float32Array,
  o: number,
  dim: number,
  A: Float64Array,
  z: Float64Array,
  offset: Float64Array,
  noiseScale: Float64Array,
  noise: Float64Array,
): void {
  const z0 = z[0];
  const z1 = z[1];
  const z2 = z[2];
  const z3 = z[3];
  const z4 = z[4];
  const z5 = z[5];
  for (let j = 0, a = 0; j < dim; j++, a += 6) {
    out[o + j] =
      offset[j] +
      A[a] * z0 +
      A[a + 1] * z1 +
      A[a + 2] * z2 +
      A[a + 3] * z3 +
      A[a + 4] * z4 +
      A[a + 5] * z5 +
      noiseScale[j] * noise[j];
  }
}

/** Generate a synthetic preset. Deterministic in (spec, seed). Prefer loadDataset (cached). */
export function generateSynthetic(spec: DatasetSpec, seed: number): Dataset {
  const knobs = GENERATOR_KNOBS[spec.family];
  const classCentres = spec.classNames.map((c) => {
    const centre = EMOTION_CENTRES[c];
    if (!centre) throw new Error(`no latent centre for class ${c}`);
    return centre.map((v) => v * knobs.classSeparation);
  });
  const wpt = windowsPerTrial(spec);
  const perSubject = wpt.reduce((acc, s) => acc + s.reduce((a, b) => a + b, 0), 0);
  const n = perSubject * spec.subjects;
  const eegDim = spec.eegDim;
  const emDim = spec.emDim;
  if (eegDim !== EEG_D) throw new Error(`eegDim must be ${EEG_D}`);
  if (emDim > EM_FEATURES.length) throw new Error(`emDim must be at most ${EM_FEATURES.length}`);

  const eeg = new Float32Array(n * eegDim);
  const em = new Float32Array(n * emDim);
  const label = new Int32Array(n);
  const subject = new Int32Array(n);
  const session = new Int32Array(n);
  const trial = new Int32Array(n);
  const window = new Int32Array(n);

  const worldRng = new Rng(seed, T_WORLD);
  const eegW = eegWorld(worldRng);
  const emW = emWorld(worldRng, emDim);
  const emSubjects = new Set(spec.emSubjects);

  const nClips = sameClipsEverySession(spec) ? spec.trialsPerSession : spec.sessions * spec.trialsPerSession;
  const clipEffects = Array.from({ length: nClips }, (_, c) => {
    const r = new Rng(seed, T_CLIP, c);
    return Float64Array.from({ length: K }, () => knobs.clipEffectSd * r.normal());
  });

  // EM artefact targets
  const pupilMean: number[] = [];
  const pupilStd: number[] = [];
  const pupilDe: number[] = [];
  const blink: number[] = [];
  const blinkFreq: number[] = [];
  const byKind: Record<EmKind, number[] | null> = {
    'pupil-mean': pupilMean,
    'pupil-std': pupilStd,
    'pupil-de': pupilDe,
    blink,
    'blink-freq': blinkFreq,
    other: null,
  };
  for (let j = 0; j < emDim; j++) byKind[EM_FEATURES[j].kind]?.push(j);

  const rho = knobs.driftRho;
  const innov = Math.sqrt(1 - rho * rho);
  const eegNr = knobs.eeg.noiseRho;
  const eegNi = Math.sqrt(1 - eegNr * eegNr) * knobs.eeg.noiseSd;
  const emNr = knobs.em.noiseRho;
  const emNi = Math.sqrt(1 - emNr * emNr) * knobs.em.noiseSd;

  const gEeg = Float64Array.from({ length: K }, (_, k) =>
    k < NE ? knobs.eeg.gain[k] : knobs.eeg.nuisanceGain,
  );
  const gEm = Float64Array.from({ length: K }, (_, k) => (k < NE ? knobs.em.gain[k] : knobs.em.nuisanceGain));
  const zt = new Float64Array(K); // trial-level shared latent
  const drift = new Float64Array(K); // shared AR(1) drift
  const qEeg = new Float64Array(K); // private trial offsets
  const qEm = new Float64Array(K);
  const pEeg = new Float64Array(K); // private AR(1) drifts
  const pEm = new Float64Array(K);
  const vEeg = new Float64Array(K); // the modalities' views
  const vEm = new Float64Array(K);
  const nEeg = new Float64Array(eegDim); // observation noise states
  const nEm = new Float64Array(emDim);
  const offEeg = new Float64Array(eegDim);
  const offEm = new Float64Array(emDim);
  const dSd = knobs.driftSd;
  const peSd = knobs.eeg.privateDriftSd;
  const pmSd = knobs.em.privateDriftSd;

  let row = 0;
  for (let s = 1; s <= spec.subjects; s++) {
    const srng = new Rng(seed, T_SUBJECT, s);
    const responsiveness = Math.exp(knobs.responsivenessSd * srng.normal());
    const subjLatent = Float64Array.from({ length: K }, (_, k) =>
      k < NE ? knobs.subjectLatentSd * srng.normal() : 0,
    );
    const sEeg = subjectModality(eegW, knobs.eeg, srng, true);
    const sEm = subjectModality(emW, knobs.em, srng, false);
    const hasEm = emSubjects.has(s);

    for (let e = 1; e <= spec.sessions; e++) {
      const erng = new Rng(seed, T_SESSION, s, e);
      const shEeg = sessionShift(eegW, knobs.eeg, erng, true);
      const shEm = sessionShift(emW, knobs.em, erng, false);
      for (let j = 0; j < eegDim; j++) offEeg[j] = sEeg.offset[j] + shEeg[j];
      for (let j = 0; j < emDim; j++) offEm[j] = sEm.offset[j] + shEm[j];
      const sessLatent = Float64Array.from({ length: K }, (_, k) =>
        k < NE ? knobs.sessionLatentSd * erng.normal() : 0,
      );

      for (let r = 1; r <= spec.trialsPerSession; r++) {
        const c = spec.sessionLabels[e - 1][r - 1];
        const nw = wpt[e - 1][r - 1];
        const trng = new Rng(seed, T_TRIAL, s, e, r);
        const clip = clipEffects[clipId(spec, e - 1, r - 1)];
        for (let k = 0; k < K; k++) {
          const centre = k < NE ? responsiveness * classCentres[c][k] : 0;
          zt[k] = centre + clip[k] + subjLatent[k] + sessLatent[k] + knobs.trialEffectSd * trng.normal();
          qEeg[k] = knobs.eeg.privateTrialSd * trng.normal();
          qEm[k] = knobs.em.privateTrialSd * trng.normal();
          drift[k] = dSd * trng.normal();
          pEeg[k] = peSd * trng.normal();
          pEm[k] = pmSd * trng.normal();
        }
        for (let j = 0; j < eegDim; j++) nEeg[j] = knobs.eeg.noiseSd * trng.normal();
        for (let j = 0; j < emDim; j++) nEm[j] = knobs.em.noiseSd * trng.normal();

        for (let w = 0; w < nw; w++, row++) {
          if (w > 0) {
            for (let k = 0; k < K; k++) {
              drift[k] = rho * drift[k] + innov * dSd * trng.normal();
              pEeg[k] = rho * pEeg[k] + innov * peSd * trng.normal();
              pEm[k] = rho * pEm[k] + innov * pmSd * trng.normal();
            }
            arStep(trng, nEeg, eegNr, eegNi);
            arStep(trng, nEm, emNr, emNi);
          }
          for (let k = 0; k < K; k++) {
            const zk = zt[k] + drift[k];
            vEeg[k] = gEeg[k] * zk + qEeg[k] + pEeg[k];
            vEm[k] = gEm[k] * zk + qEm[k] + pEm[k];
          }
          label[row] = c;
          subject[row] = s;
          session[row] = e;
          trial[row] = r;
          window[row] = w;

          const oe = row * eegDim;
          emitRow(eeg, oe, eegDim, sEeg.A, vEeg, offEeg, sEeg.noiseScale, nEeg);
          if (trng.uniform() < knobs.eeg.artefactRate) {
            const centreCh = trng.int(0, EEG_CHANNELS - 1);
            const nCh = trng.int(1, 4);
            for (let q = 0; q < nCh; q++) {
              const ch = NEIGHBOURS[centreCh][q];
              const amp = EEG_ARTEFACT_SIZE * (1 + 1.5 * trng.uniform());
              for (let b = 0; b < EEG_BANDS; b++) {
                const j = ch * EEG_BANDS + b;
                eeg[oe + j] += amp * EEG_ARTEFACT_BAND[b] * eegW.featScale[j];
              }
            }
          }

          const om = row * emDim;
          emitRow(em, om, emDim, sEm.A, vEm, offEm, sEm.noiseScale, nEm);
          if (trng.uniform() < knobs.em.artefactRate) {
            // blink-like outlier: long blink, pupil lost (diameter drops, variability jumps)
            const amp = 1 + trng.uniform();
            const fs = emW.featScale;
            for (const j of blink) em[om + j] += 15 * amp * fs[j];
            for (const j of blinkFreq) em[om + j] += 12 * amp * fs[j];
            for (const j of pupilMean) em[om + j] -= 5 * amp * fs[j];
            for (const j of pupilStd) em[om + j] += 12 * amp * fs[j];
            for (const j of pupilDe) em[om + j] += 8 * amp * fs[j];
          }
          if (!hasEm) em.fill(Number.NaN, om, om + emDim);
        }
      }
    }
  }
  return { spec, n, eeg, em, label, subject, session, trial, window };
}
