import { createHash } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { RecordBatch, Schema, Table, tableFromArrays, tableFromIPC, tableToIPC } from 'apache-arrow';
import { EEG_BAND_NAMES, MONTAGE } from '../montage.js';
import { EEG_BANDS, EEG_CHANNELS, EEG_DIM } from '../constants.js';
import { UserError } from '../user-error.js';
import type { WindowTable } from './table.js';

/**
 * The cache: one Apache Arrow IPC file per dataset (`<data dir>/<name>.arrow`). It has one column
 * per EEG feature (`eeg_FP1_delta` … `eeg_CB2_gamma`, channel-major), one per eye-movement feature
 * (`em_00` …), and `subject`, `session`, `trial`, `window`, `label`. pyarrow, polars, pandas or
 * DuckDB read it as is. The import provenance is kept in the schema's metadata.
 */
export const CACHE_FORMAT = '1';

export interface CacheMetadata {
  dataset: string;
  /** The folder the release was imported from. */
  source: string;
  importedAt: string;
  /** Subjects with eye-movement data. */
  emSubjects: number[];
  /** Per subject, the file (or date) that each session came from, in session order. */
  sessions: Record<string, string[]>;
  /** SHA-256 of the imported values and ids: the same release imported twice gives the same digest. */
  contentHash: string;
}

/** An import cache that cannot be used (missing parts, another dataset's, damaged): import again. */
export class CacheFileError extends UserError {
  override name = 'CacheFileError';
}

export const eegColumnNames: readonly string[] = Object.freeze(
  Array.from({ length: EEG_DIM }, (_, i) => {
    const c = Math.floor(i / EEG_BANDS);
    return `eeg_${MONTAGE[c].name}_${EEG_BAND_NAMES[i % EEG_BANDS]}`;
  }),
);

export function emColumnNames(emDim: number): string[] {
  return Array.from({ length: emDim }, (_, f) => `em_${String(f).padStart(2, '0')}`);
}

const ID_COLUMNS = ['subject', 'session', 'trial', 'window', 'label'] as const;

/** A digest of everything the cache holds but its provenance. */
export function contentHash(t: WindowTable): string {
  const h = createHash('sha256');
  for (const a of [t.subject, t.session, t.trial, t.window, t.label, t.eeg, t.em]) {
    h.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  }
  return h.digest('hex');
}

/** Row-major [n, d] → d column arrays. */
function columnsOf(values: Float32Array, n: number, d: number): Float32Array[] {
  const cols = Array.from({ length: d }, () => new Float32Array(n));
  for (let r = 0; r < n; r++) {
    const base = r * d;
    for (let c = 0; c < d; c++) cols[c][r] = values[base + c];
  }
  return cols;
}

/**
 * Writes the cache atomically: to a temporary file in the same folder, flushed, then renamed over
 * the old one. A failure at any point leaves the previous cache (if any) as it was.
 */
export function writeCacheFile(path: string, table: WindowTable, meta: Omit<CacheMetadata, 'contentHash'>): number {
  if (EEG_CHANNELS !== MONTAGE.length) throw new Error('montage and EEG channel count disagree');
  const columns: Record<string, Float32Array | Int32Array> = {};
  for (const id of ID_COLUMNS) columns[id] = table[id];
  columnsOf(table.eeg, table.n, EEG_DIM).forEach((col, i) => {
    columns[eegColumnNames[i]] = col;
  });
  const emNames = emColumnNames(table.emDim);
  columnsOf(table.em, table.n, table.emDim).forEach((col, i) => {
    columns[emNames[i]] = col;
  });
  const plain = tableFromArrays(columns);
  const schema = new Schema(
    plain.schema.fields,
    new Map([
      ['cmcrd.format', CACHE_FORMAT],
      ['cmcrd.dataset', meta.dataset],
      ['cmcrd.source', meta.source],
      ['cmcrd.importedAt', meta.importedAt],
      ['cmcrd.emSubjects', JSON.stringify(meta.emSubjects)],
      ['cmcrd.sessions', JSON.stringify(meta.sessions)],
      ['cmcrd.contentHash', contentHash(table)],
    ]),
  );
  const bytes = tableToIPC(new Table(schema, plain.batches.map((b) => new RecordBatch(schema, b.data))), 'file');
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
  return bytes.length;
}

/** Reads a cache file back into row-major arrays; a damaged or foreign file is an error naming it. */
export function readCacheFile(path: string, expectedDataset: string): { table: WindowTable; meta: CacheMetadata; bytes: number } {
  const bytes = readFileSync(path);
  const damaged = (what: string) =>
    new CacheFileError(`${path} is not a usable ${expectedDataset} cache (${what}); import the dataset again`, { file: path });
  let arrow: Table;
  try {
    arrow = tableFromIPC(bytes);
  } catch (e) {
    throw damaged(`not an Arrow IPC file: ${(e as Error).message}`);
  }
  const m = arrow.schema.metadata;
  if (m.get('cmcrd.format') !== CACHE_FORMAT) throw damaged(`format '${m.get('cmcrd.format')}', expected '${CACHE_FORMAT}'`);
  if (m.get('cmcrd.dataset') !== expectedDataset) throw damaged(`it holds '${m.get('cmcrd.dataset')}'`);
  const n = arrow.numRows;
  const emNames = arrow.schema.fields.map((f) => f.name).filter((name) => name.startsWith('em_'));
  const column = <T extends Float32Array | Int32Array>(name: string, kind: 'float' | 'int'): T => {
    const values = arrow.getChild(name)?.toArray() as unknown;
    const ok = kind === 'float' ? values instanceof Float32Array : values instanceof Int32Array;
    if (!ok || (values as T).length !== n) throw damaged(`column '${name}' is missing or not ${kind === 'float' ? 'float32' : 'int32'}`);
    return values as T;
  };
  const rowMajor = (names: readonly string[]) => {
    const d = names.length;
    const out = new Float32Array(n * d);
    names.forEach((name, c) => {
      const col = column<Float32Array>(name, 'float');
      for (let r = 0; r < n; r++) out[r * d + c] = col[r];
    });
    return out;
  };
  // Copies, so that the file's buffer can be freed once the rows are laid out.
  const ids = Object.fromEntries(ID_COLUMNS.map((id) => [id, Int32Array.from(column<Int32Array>(id, 'int'))])) as Record<
    (typeof ID_COLUMNS)[number],
    Int32Array
  >;
  const table: WindowTable = { n, emDim: emNames.length, eeg: rowMajor(eegColumnNames), em: rowMajor(emNames), ...ids };
  const json = <T>(key: string): T => {
    try {
      return JSON.parse(m.get(key) ?? '') as T;
    } catch {
      throw damaged(`metadata '${key}' is not JSON`);
    }
  };
  const meta: CacheMetadata = {
    dataset: expectedDataset,
    source: m.get('cmcrd.source') ?? '',
    importedAt: m.get('cmcrd.importedAt') ?? '',
    emSubjects: json<number[]>('cmcrd.emSubjects'),
    sessions: json<Record<string, string[]>>('cmcrd.sessions'),
    contentHash: m.get('cmcrd.contentHash') ?? '',
  };
  if (!/^[0-9a-f]{64}$/.test(meta.contentHash)) throw damaged('no content digest');
  return { table, meta, bytes: bytes.length };
}
