// Feature windows for a trained model to classify (`cmcrd predict`): one file of one modality, in
// the official releases' layouts (a SEED/SEED-IV .mat trial or session, a SEED-V .npz), a plain
// .npz array, a CSV, or an Arrow file with the cache's column names. Checked as the importers
// check the releases: shape, feature count, NaN/Inf with their position, each an ImportError
// naming the file and the variable.
import { extname } from 'node:path';
import { tableFromIPC } from 'apache-arrow';
import { parse } from 'csv-parse/sync';
import { EEG_BANDS, EEG_CHANNELS, EEG_DIM } from '../constants.js';
import { readBytes } from './files.js';
import { ImportError } from './import-error.js';
import { readMatFile } from './mat-trials.js';
import { isNdArray, npyNumeric, npzMembers, unpickleMember } from './npz.js';
import { checkFinite } from './table.js';

export interface WindowsFile {
  /** n × dim, row-major, in the model's feature order. */
  x: Float32Array;
  n: number;
  /** Where the rows came from, in order: e.g. ['de_LDS1 (185 windows)', …]. */
  parts: string[];
}

export interface WindowsSpec {
  modality: 'eeg' | 'em';
  /** Features per window the model reads. */
  dim: number;
  /** The model's feature names in order (CSV headers and Arrow columns are matched against them). */
  featureNames: readonly string[];
}

export const WINDOW_FILE_TYPES = ['.mat', '.npz', '.csv', '.arrow', '.feather', '.ipc'] as const;

const trialNumber = (name: string) => Number(/(\d+)$/.exec(name)?.[1] ?? 0);

/** Reads and checks the windows of `path` (see the module comment); nothing is written. */
export function readWindowsFile(path: string, spec: WindowsSpec): WindowsFile {
  const ext = extname(path).toLowerCase();
  switch (ext) {
    case '.mat':
      return fromMat(path, spec);
    case '.npz':
      return fromNpz(path, spec);
    case '.csv':
      return fromCsv(path, spec);
    case '.arrow':
    case '.feather':
    case '.ipc':
      return fromArrow(path, spec);
    default:
      throw new ImportError(`is not a file type predict reads (${ext || 'no extension'}); expected one of ${WINDOW_FILE_TYPES.join(', ')}`, path);
  }
}

function joinParts(blocks: { x: Float32Array; label: string }[], dim: number): WindowsFile {
  const n = blocks.reduce((s, b) => s + b.x.length / dim, 0);
  const x = new Float32Array(n * dim);
  let o = 0;
  for (const b of blocks) {
    x.set(b.x, o);
    o += b.x.length;
  }
  return { x, n, parts: blocks.map((b) => `${b.label} (${b.x.length / dim} windows)`) };
}

/**
 * SEED / SEED-IV: EEG `de_LDS<t>` (62 × windows × 5) or eye movements `eye_<t>` (features × windows);
 * every such variable of the file (one trial, or a whole session's), in trial order.
 */
function fromMat(path: string, spec: WindowsSpec): WindowsFile {
  const pattern = spec.modality === 'eeg' ? /^de_LDS\d+$/ : /^eye_\d+$/;
  const all = readMatFile(path, (v) => pattern.test(v));
  const names = [...all.keys()].sort((a, b) => trialNumber(a) - trialNumber(b));
  if (names.length === 0) {
    const want = spec.modality === 'eeg' ? 'de_LDS<trial> (62 × windows × 5)' : 'eye_<trial> (features × windows)';
    throw new ImportError(`holds no ${want} variable, as the SEED releases' ${spec.modality === 'eeg' ? 'EEG' : 'eye-movement'} files do`, path);
  }
  const blocks = names.map((name) => {
    const v = all.get(name)!;
    if (spec.modality === 'eeg') {
      const [c, w, b] = v.dims;
      if (spec.dim !== EEG_DIM || v.dims.length !== 3 || c !== EEG_CHANNELS || b !== EEG_BANDS || w < 1) {
        throw new ImportError(`has shape ${v.dims.join(' × ')}, the model reads ${spec.dim} features per window (expected ${EEG_CHANNELS} × windows × ${EEG_BANDS})`, path, name);
      }
      checkFinite(v.values, path, name, (i) => `(${(i % c) + 1}, ${(Math.floor(i / c) % w) + 1}, ${Math.floor(i / (c * w)) + 1})`);
      const out = new Float32Array(w * EEG_DIM);
      for (let band = 0; band < b; band++) {
        for (let win = 0; win < w; win++) {
          for (let ch = 0; ch < c; ch++) out[win * EEG_DIM + ch * EEG_BANDS + band] = v.values[c * win + c * w * band + ch];
        }
      }
      return { x: out, label: name };
    }
    const [f, w] = v.dims;
    if (v.dims.length !== 2 || f !== spec.dim || w < 1) {
      throw new ImportError(`has shape ${v.dims.join(' × ')}, the model reads ${spec.dim} features per window (expected ${spec.dim} × windows)`, path, name);
    }
    checkFinite(v.values, path, name, (i) => `(${(i % f) + 1}, ${Math.floor(i / f) + 1})`);
    return { x: Float32Array.from(v.values), label: name };
  });
  return joinParts(blocks, spec.dim);
}

/** windows × dim values, checked: `where(i)` names a bad value's position. */
function rows(values: ArrayLike<number>, shape: number[], spec: WindowsSpec, path: string, variable: string): Float32Array {
  if (shape.length !== 2 || shape[1] !== spec.dim || shape[0] < 1) {
    throw new ImportError(`has shape (${shape.join(', ')}), the model reads ${spec.dim} features per window (expected (windows, ${spec.dim}))`, path, variable);
  }
  checkFinite(values, path, variable, (i) => `[${Math.floor(i / spec.dim)}, ${i % spec.dim}] (window ${Math.floor(i / spec.dim)}, ${spec.featureNames[i % spec.dim]})`);
  return Float32Array.from(values);
}

/** SEED-V: `data`, a pickled dict of windows × dim arrays (keys in order); or one plain 2-D numeric array. */
function fromNpz(path: string, spec: WindowsSpec): WindowsFile {
  const npz = npzMembers(readBytes(path), path);
  if (npz.has('data') && !npyNumeric(npz, 'data', path)) {
    const d = unpickleMember(npz, 'data', path);
    if (!(d instanceof Map)) throw new ImportError("member 'data' does not hold a pickled dict (SEED-V's layout)", path, 'data');
    const keys = [...d.keys()].sort((a, b) => Number(a) - Number(b));
    return joinParts(
      keys.map((k) => {
        const a = d.get(k);
        if (!isNdArray(a)) throw new ImportError('is not an array', path, `data[${k}]`);
        return { x: rows(a.values, a.shape, spec, path, `data[${k}]`), label: `data[${k}]` };
      }),
      spec.dim,
    );
  }
  const numeric = [...npz.keys()].map((m) => ({ m, a: npyNumeric(npz, m, path) })).filter((e) => e.a && e.a.shape.length === 2);
  if (numeric.length !== 1) {
    throw new ImportError(
      `holds ${numeric.length} two-dimensional numeric arrays (members: ${[...npz.keys()].join(', ') || 'none'}); expected SEED-V's pickled 'data' dict or exactly one (windows, ${spec.dim}) array`,
      path,
    );
  }
  const { m, a } = numeric[0] as { m: string; a: { shape: number[]; values: Float64Array } };
  return joinParts([{ x: rows(a.values, a.shape, spec, path, m), label: m }], spec.dim);
}

/** One window per line; a header line of feature names (checked against the model's) or none. */
function fromCsv(path: string, spec: WindowsSpec): WindowsFile {
  let records: string[][];
  try {
    records = parse(Buffer.from(readBytes(path)).toString('utf8'), { skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
  } catch (e) {
    throw new ImportError(`is not readable CSV: ${(e as Error).message}`, path);
  }
  if (records.length === 0) throw new ImportError('holds no rows', path);
  const hasHeader = records[0].some((v) => v !== '' && !Number.isFinite(Number(v)) && !/^[-+]?(nan|inf(inity)?)$/i.test(v));
  if (hasHeader) {
    const header = records[0];
    if (header.length !== spec.dim) throw new ImportError(`has ${header.length} columns in its header, the model reads ${spec.dim} features`, path, 'line 1');
    const wrong = header.findIndex((h, i) => h !== spec.featureNames[i]);
    if (wrong >= 0) throw new ImportError(`column ${wrong + 1} is '${header[wrong]}', the model's feature ${wrong + 1} is '${spec.featureNames[wrong]}'`, path, 'line 1');
  }
  const body = hasHeader ? records.slice(1) : records;
  if (body.length === 0) throw new ImportError('holds a header but no rows', path);
  const x = new Float32Array(body.length * spec.dim);
  body.forEach((r, i) => {
    const line = i + (hasHeader ? 2 : 1);
    if (r.length !== spec.dim) throw new ImportError(`has ${r.length} values, the model reads ${spec.dim} features per window`, path, `line ${line}`);
    r.forEach((v, j) => {
      const num = v === '' ? Number.NaN : Number(v.replace(/^([-+]?)inf(inity)?$/i, '$1Infinity').replace(/^nan$/i, 'NaN'));
      if (!Number.isFinite(num)) throw new ImportError(`holds ${v === '' ? 'an empty value' : v} at column ${j + 1} (${spec.featureNames[j]})`, path, `line ${line}`);
      x[i * spec.dim + j] = num;
    });
  });
  return { x, n: body.length, parts: [`${body.length} rows`] };
}

/** An Arrow IPC file with one column per feature, named as the model's features (the cache's names). */
function fromArrow(path: string, spec: WindowsSpec): WindowsFile {
  let table: ReturnType<typeof tableFromIPC>;
  try {
    table = tableFromIPC(readBytes(path));
  } catch (e) {
    throw new ImportError(`is not an Arrow IPC file: ${(e as Error).message}`, path);
  }
  const n = table.numRows;
  if (n === 0) throw new ImportError('holds no rows', path);
  const missing = spec.featureNames.filter((name) => !table.getChild(name));
  if (missing.length) {
    throw new ImportError(`lacks ${missing.length} of the model's ${spec.dim} feature columns (first: ${missing.slice(0, 3).join(', ')})`, path);
  }
  const x = new Float32Array(n * spec.dim);
  spec.featureNames.forEach((name, j) => {
    const col = table.getChild(name)!.toArray() as ArrayLike<number>;
    for (let r = 0; r < n; r++) {
      const v = Number(col[r]);
      if (!Number.isFinite(v)) throw new ImportError(`holds ${col[r]} at row ${r}`, path, name);
      x[r * spec.dim + j] = v;
    }
  });
  return { x, n, parts: [`${n} rows`] };
}
