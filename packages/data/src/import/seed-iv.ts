import { join } from 'node:path';
import { SEED_IV_LABELS } from '../spec.js';
import { ImportError } from './import-error.js';
import { listMatching, requireDir } from './files.js';
import { eegTrial, emTrial, readMatFile } from './mat-trials.js';
import type { Importer } from './importer.js';
import { WindowTableBuilder } from './table.js';

const TRIALS = 24;
const EM_DIM = 31;
const FILE = /^(\d+)_(\d+)\.mat$/;

/**
 * SEED-IV: `eeg_feature_smooth/{1,2,3}/{subject}_{date}.mat` with `de_LDS1..24` (62 × windows × 5)
 * and `eye_feature_smooth/{1,2,3}/` with the same file names holding `eye_1..24` (31 × windows).
 * The folder number is the session; the labels are the release's fixed per-session sequences.
 */
export const importSeedIv: Importer = (root, _options, progress) => {
  requireDir(root, 'the SEED-IV release folder (holding eeg_feature_smooth/ and eye_feature_smooth/)');
  const eegRoot = requireDir(join(root, 'eeg_feature_smooth'), "SEED-IV's eeg_feature_smooth/{1,2,3}/");
  const eyeRoot = requireDir(join(root, 'eye_feature_smooth'), "SEED-IV's eye_feature_smooth/{1,2,3}/");
  const builder = new WindowTableBuilder(EM_DIM);
  const sessionsOf = new Map<number, string[]>();
  const jobs = [1, 2, 3].flatMap((session) => {
    const dir = requireDir(join(eegRoot, String(session)), `session ${session}'s EEG files`);
    const eyeDir = requireDir(join(eyeRoot, String(session)), `session ${session}'s eye-movement files`);
    const files = listMatching(dir, FILE);
    if (files.length === 0) throw new ImportError('holds no {subject}_{date}.mat files', dir);
    return files.map((f) => ({ session, eegPath: f.path, eyePath: join(eyeDir, f.name), subject: Number(f.match[1]), name: f.name }));
  });
  jobs.forEach((job, i) => {
    progress?.(i, jobs.length, job.eegPath);
    const eeg = readMatFile(job.eegPath, (v) => /^de_LDS\d+$/.test(v));
    const eye = readMatFile(job.eyePath, (v) => /^eye_\d+$/.test(v));
    for (let t = 1; t <= TRIALS; t++) {
      const eegValues = eegTrial(eeg, `de_LDS${t}`, job.eegPath);
      const windows = eegValues.length / 310;
      const em = emTrial(eye, `eye_${t}`, job.eyePath, EM_DIM, windows, job.eegPath);
      const label = SEED_IV_LABELS[job.session - 1][t - 1];
      builder.add(
        { subject: job.subject, session: job.session, trial: t, labels: new Int32Array(windows).fill(label), eeg: eegValues, em },
        job.eegPath,
      );
    }
    const sessions = sessionsOf.get(job.subject) ?? [];
    sessions[job.session - 1] = job.name;
    sessionsOf.set(job.subject, sessions);
  });
  progress?.(jobs.length, jobs.length, '');
  for (const [subject, sessions] of sessionsOf) {
    const missing = [1, 2, 3].filter((s) => !sessions[s - 1]);
    if (missing.length > 0) {
      throw new ImportError(`subject ${subject} has no file in session folder(s) ${missing.join(', ')}`, eegRoot);
    }
  }
  const subjects = [...sessionsOf.keys()].sort((a, b) => a - b);
  return {
    table: builder.build(),
    emSubjects: subjects,
    sessions: Object.fromEntries(subjects.map((s) => [String(s), sessionsOf.get(s)!])),
  };
};
