import { join } from 'node:path';
import { EEG_DIM } from '../constants.js';
import { ImportError } from './import-error.js';
import { listMatching, readBytes, requireDir } from './files.js';
import type { Importer } from './importer.js';
import { isNdArray, type NdArray, npzMembers, unpickleMember } from './npz.js';
import { checkFinite, checkLabels, WindowTableBuilder } from './table.js';

const TRIALS_PER_SESSION = 15;
const KEYS = 3 * TRIALS_PER_SESSION;
const EM_DIM = 33;
const CLASSES = 5;
const FILE = /^(\d+)_.*\.npz$/;

/** `data` and `label` of one SEED-V .npz: pickled dicts keyed 0..44. */
function readPickledDicts(path: string): { data: Map<number, NdArray>; label: Map<number, NdArray> } {
  const npz = npzMembers(readBytes(path), path);
  const dict = (member: string) => {
    const d = unpickleMember(npz, member, path);
    if (!(d instanceof Map)) throw new ImportError(`member '${member}' does not hold a pickled dict`, path, member);
    for (let k = 0; k < KEYS; k++) {
      if (!isNdArray(d.get(k))) throw new ImportError(`has no array under key ${k} (keys 0..${KEYS - 1} expected)`, path, `${member}[${k}]`);
    }
    return d as Map<number, NdArray>;
  };
  return { data: dict('data'), label: dict('label') };
}

/** windows × width features, checked. */
function features(a: NdArray, width: number, file: string, variable: string): Float32Array {
  if (a.shape.length !== 2 || a.shape[1] !== width || a.shape[0] < 1) {
    throw new ImportError(`has shape (${a.shape.join(', ')}), expected (windows, ${width})`, file, variable);
  }
  checkFinite(a.values, file, variable, (i) => `[${Math.floor(i / width)}, ${i % width}]`);
  return Float32Array.from(a.values);
}

/**
 * SEED-V: `EEG_DE_features/{subject}_123.npz` and `Eye_movement_features/{subject}_123.npz`, each
 * holding `data` and `label`, pickled dicts keyed 0..44 (session = key div 15). EEG arrays are
 * windows × 310, taken as channel-major × band like the other releases; eye arrays windows × 33;
 * labels one per window (0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy), equal in both files.
 */
export const importSeedV: Importer = (root, _options, progress) => {
  requireDir(root, 'the SEED-V release folder (holding EEG_DE_features/ and Eye_movement_features/)');
  const eegDir = requireDir(join(root, 'EEG_DE_features'), "SEED-V's EEG_DE_features/");
  const eyeDir = requireDir(join(root, 'Eye_movement_features'), "SEED-V's Eye_movement_features/");
  const files = listMatching(eegDir, FILE);
  if (files.length === 0) throw new ImportError('holds no {subject}_123.npz files', eegDir);
  const builder = new WindowTableBuilder(EM_DIM);
  const subjects: number[] = [];
  files.forEach((f, i) => {
    progress?.(i, files.length, f.path);
    const subject = Number(f.match[1]);
    subjects.push(subject);
    const eyePath = join(eyeDir, f.name);
    const eeg = readPickledDicts(f.path);
    const eye = readPickledDicts(eyePath);
    for (let k = 0; k < KEYS; k++) {
      const x = features(eeg.data.get(k)!, EEG_DIM, f.path, `data[${k}]`);
      const windows = x.length / EEG_DIM;
      const m = features(eye.data.get(k)!, EM_DIM, eyePath, `data[${k}]`);
      if (m.length / EM_DIM !== windows) {
        throw new ImportError(`has ${m.length / EM_DIM} windows but the EEG of this trial in ${f.path} has ${windows}`, eyePath, `data[${k}]`);
      }
      const labels = eeg.label.get(k)!;
      if (labels.values.length !== windows) {
        throw new ImportError(`has ${labels.values.length} labels for ${windows} windows`, f.path, `label[${k}]`);
      }
      checkLabels(labels.values, CLASSES, f.path, `label[${k}]`);
      const eyeLabels = eye.label.get(k)!.values;
      if (eyeLabels.length !== windows || eyeLabels.some((v, w) => v !== labels.values[w])) {
        throw new ImportError(`disagrees with the labels in ${f.path}`, eyePath, `label[${k}]`);
      }
      builder.add(
        {
          subject,
          session: Math.floor(k / TRIALS_PER_SESSION) + 1,
          trial: (k % TRIALS_PER_SESSION) + 1,
          labels: Int32Array.from(labels.values),
          eeg: x,
          em: m,
        },
        f.path,
      );
    }
  });
  progress?.(files.length, files.length, '');
  subjects.sort((a, b) => a - b);
  return {
    table: builder.build(),
    emSubjects: subjects,
    sessions: Object.fromEntries(
      files.map((f) => [f.match[1], [0, 1, 2].map((s) => `${f.name} keys ${s * TRIALS_PER_SESSION}-${s * TRIALS_PER_SESSION + 14}`)]),
    ),
  };
};
