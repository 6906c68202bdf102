import { statSync } from 'node:fs';
import { cachePath } from './data-dir.js';
import type { Dataset, DatasetSpec } from './dataset-types.js';
import { UnknownDatasetError } from './errors.js';
import { type CacheMetadata, readCacheFile } from './import/cache-file.js';

/** Thrown when a real dataset is named but its release has not been imported into the cache. */
export class DatasetNotImportedError extends UnknownDatasetError {
  constructor(name: string, path: string) {
    super(`dataset '${name}' has not been imported (no cache at ${path}); run: cmcrd data import ${name} <folder of the official release>`);
    this.name = 'DatasetNotImportedError';
  }
}

export interface ImportedDataset extends Dataset {
  meta: CacheMetadata;
  /** Size of the cache file. */
  bytes: number;
}

const loaded = new Map<string, { stamp: string; ds: ImportedDataset }>();

/**
 * An imported dataset from its cache file, kept in memory while the file is unchanged. The spec
 * is the release's (`base`) with what only the data know: the subjects present, which have eye
 * movements, the per-trial labels and the window counts.
 */
export function loadImported(name: string, base: DatasetSpec): ImportedDataset {
  const path = cachePath(name);
  let stamp: string;
  try {
    const st = statSync(path);
    stamp = `${st.mtimeMs}:${st.size}`;
  } catch {
    throw new DatasetNotImportedError(name, path);
  }
  const hit = loaded.get(path);
  if (hit?.stamp === stamp) return hit.ds;
  const { table, meta, bytes } = readCacheFile(path, name);
  const subjects = [...new Set(table.subject)];
  const spec: DatasetSpec = Object.freeze({
    ...base,
    name,
    synthetic: false,
    subjects: Math.max(...subjects),
    emSubjects: meta.emSubjects.filter((s) => subjects.includes(s)),
    sessionLabels: trialLabels(table, base),
    windowsPerTrialRange: windowRange(table),
    dataVersion: meta.contentHash.slice(0, 16),
  });
  const ds: ImportedDataset = {
    spec,
    n: table.n,
    eeg: table.eeg,
    em: table.em,
    label: table.label,
    subject: table.subject,
    session: table.session,
    trial: table.trial,
    window: table.window,
    meta,
    bytes,
  };
  loaded.set(path, { stamp, ds });
  return ds;
}

export function forgetImported(name?: string): void {
  if (name === undefined) loaded.clear();
  else loaded.delete(cachePath(name));
}

/** [session][trial] → the label of that trial's first window in the first subject that has it. */
function trialLabels(t: { n: number; session: Int32Array; trial: Int32Array; label: Int32Array }, base: DatasetSpec): number[][] {
  const out = base.sessionLabels.map((s) => [...s]);
  const seen = new Set<string>();
  for (let r = 0; r < t.n; r++) {
    const key = `${t.session[r]}/${t.trial[r]}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const s = t.session[r] - 1;
    if (out[s] && t.trial[r] - 1 < out[s].length) out[s][t.trial[r] - 1] = t.label[r];
  }
  return out;
}

function windowRange(t: { n: number; window: Int32Array }): [number, number] {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  for (let r = 0; r < t.n; r++) {
    const last = r + 1 === t.n || t.window[r + 1] === 0;
    if (!last) continue;
    min = Math.min(min, t.window[r] + 1);
    max = Math.max(max, t.window[r] + 1);
  }
  return [min, max];
}
