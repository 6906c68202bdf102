import { join } from 'node:path';
import { ImportError } from './import-error.js';
import { isDir, listMatching, requireDir } from './files.js';
import { eegTrial, emTrial, readMatFile } from './mat-trials.js';
import type { Importer } from './importer.js';
import { checkLabels, WindowTableBuilder } from './table.js';

const TRIALS = 15;
const EM_DIM = 33;
const FILE = /^(\d+)_(\d{8})\.mat$/;

/**
 * SEED: `ExtractedFeatures/{subject}_{date}.mat` with `de_LDS1..15` (62 × windows × 5), the session
 * being the rank of the date among the subject's three files, and `label.mat` → `label` (15 values
 * in {−1, 0, 1}, the same for every session).
 *
 * SEED's eye movements ship in a separate release whose layout is not public. Accepted instead:
 * a folder (`--eye`, or `EyeFeatures/` next to `ExtractedFeatures/`) of files named exactly like
 * the EEG ones, each with `eye_1..15` (33 × windows, the windows of the matching EEG trial).
 * Subjects without such files have no eye movements (as 3 of SEED's 15 do).
 */
export const importSeed: Importer = (root, options, progress) => {
  requireDir(root, "SEED's ExtractedFeatures/ (or the release folder holding it)");
  const features = isDir(join(root, 'ExtractedFeatures')) ? join(root, 'ExtractedFeatures') : root;
  const eyeDir = options.eye ?? (features !== root && isDir(join(root, 'EyeFeatures')) ? join(root, 'EyeFeatures') : undefined);
  if (eyeDir) requireDir(eyeDir, 'eye-movement files {subject}_{date}.mat with eye_1..15');

  const labelFile = join(features, 'label.mat');
  const labelVar = readMatFile(labelFile, (v) => v === 'label').get('label');
  if (!labelVar) throw new ImportError('is missing', labelFile, 'label');
  if (labelVar.values.length !== TRIALS) {
    throw new ImportError(`has ${labelVar.values.length} values, expected ${TRIALS}`, labelFile, 'label');
  }
  checkLabels(labelVar.values, 3, labelFile, 'label', -1);
  const classes = Array.from(labelVar.values, (v) => v + 1);

  const bySubject = new Map<number, { date: string; path: string; name: string }[]>();
  for (const f of listMatching(features, FILE)) {
    const subject = Number(f.match[1]);
    bySubject.set(subject, [...(bySubject.get(subject) ?? []), { date: f.match[2], path: f.path, name: f.name }]);
  }
  if (bySubject.size === 0) throw new ImportError('holds no {subject}_{date}.mat files', features);
  for (const [subject, files] of bySubject) {
    if (files.length !== 3) {
      throw new ImportError(`subject ${subject} has ${files.length} session file(s) (${files.map((f) => f.name).join(', ')}), expected 3`, features);
    }
    files.sort((a, b) => Number(a.date) - Number(b.date));
  }

  const eyeFiles = new Set(eyeDir ? listMatching(eyeDir, FILE).map((f) => f.name) : []);
  const eegNames = new Set([...bySubject.values()].flat().map((f) => f.name));
  for (const name of eyeFiles) {
    if (!eegNames.has(name)) throw new ImportError(`has no EEG counterpart in ${features}`, join(eyeDir!, name));
  }
  const emSubjects = [...bySubject.keys()].filter((s) => bySubject.get(s)!.some((f) => eyeFiles.has(f.name))).sort((a, b) => a - b);
  for (const s of emSubjects) {
    const lacking = bySubject.get(s)!.filter((f) => !eyeFiles.has(f.name));
    if (lacking.length > 0) throw new ImportError(`subject ${s} has eye movements for some sessions only; missing ${lacking.map((f) => f.name).join(', ')}`, eyeDir!);
  }

  const builder = new WindowTableBuilder(EM_DIM);
  const jobs = [...bySubject].flatMap(([subject, files]) => files.map((f, i) => ({ subject, session: i + 1, ...f })));
  jobs.forEach((job, i) => {
    progress?.(i, jobs.length, job.path);
    const eeg = readMatFile(job.path, (v) => /^de_LDS\d+$/.test(v));
    const eyePath = eyeDir && eyeFiles.has(job.name) ? join(eyeDir, job.name) : null;
    const eye = eyePath ? readMatFile(eyePath, (v) => /^eye_\d+$/.test(v)) : null;
    for (let t = 1; t <= TRIALS; t++) {
      const eegValues = eegTrial(eeg, `de_LDS${t}`, job.path);
      const windows = eegValues.length / 310;
      const em = eye && eyePath ? emTrial(eye, `eye_${t}`, eyePath, EM_DIM, windows, job.path) : null;
      builder.add(
        { subject: job.subject, session: job.session, trial: t, labels: new Int32Array(windows).fill(classes[t - 1]), eeg: eegValues, em },
        job.path,
      );
    }
  });
  progress?.(jobs.length, jobs.length, '');
  const subjects = [...bySubject.keys()].sort((a, b) => a - b);
  return {
    table: builder.build(),
    emSubjects,
    sessions: Object.fromEntries(subjects.map((s) => [String(s), bySubject.get(s)!.map((f) => f.name)])),
  };
};
