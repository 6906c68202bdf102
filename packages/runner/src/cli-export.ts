// `cmcrd export`: a stored fold's model as files a TensorFlow.js user loads (src/model/export.ts).
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cutDirection, unknownDirectionMessage } from './directions.js';
import { ConfigError } from './errors.js';
import { exportFiles } from '@cmcrd/reports';
import { cellModelFold, parseCell, storedModel } from '@cmcrd/store';
import { userPath } from '@cmcrd/store';
import { Store } from '@cmcrd/store';

export interface ExportOptions {
  fold?: string;
  cell?: string;
  foldKey?: string;
  out: string;
  db: string;
}

/** Writes `files` into a new folder `out`, all or nothing: into a sibling first, renamed at the end. */
export function writeFolderAtomically(out: string, files: Map<string, Uint8Array>): void {
  if (existsSync(out) && readdirSync(out).length > 0) throw new ConfigError(`--out ${out} exists and is not empty: not overwriting it`);
  mkdirSync(dirname(out), { recursive: true });
  const tmp = `${out}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp);
  try {
    for (const [name, bytes] of files) writeFileSync(join(tmp, name), bytes);
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(tmp, out);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
}

export function cmdExport(o: ExportOptions): number {
  if ((o.fold === undefined) === (o.cell === undefined)) throw new ConfigError('export needs exactly one of --fold ID and --cell <filters>');
  if (o.foldKey !== undefined && o.cell === undefined) throw new ConfigError('--fold-key goes with --cell');
  if (o.fold !== undefined && !/^\d+$/.test(o.fold)) throw new ConfigError(`--fold must be a fold id (an integer), got '${o.fold}'`);
  const cell = o.cell === undefined ? null : parseCell(o.cell);
  if (cell?.direction !== undefined && cutDirection(cell.direction)) {
    throw new ConfigError(unknownDirectionMessage(cell.direction, (whole) => `--cell '…,direction=${whole}'`));
  }
  // A read command: it never creates a store (a missing one is refused, naming the stores there are).
  const store = Store.openExisting(userPath(o.db));
  try {
    const id = cell ? cellModelFold(store, cell, o.foldKey) : Number(o.fold);
    const { fold, artifact } = storedModel(store, id);
    const files = exportFiles(artifact, fold);
    const out = userPath(o.out);
    writeFolderAtomically(out, files);
    const p = artifact.provenance;
    console.log(
      `exported fold ${id} (${p.dataset} ${p.protocol} ${p.foldKey}, ${p.method} ${artifact.architecture.backbone}, ${artifact.architecture.modality.toUpperCase()} in, seed ${p.seed}) → ${out}`,
    );
    console.log(`  ${[...files.keys()].join(', ')}; test accuracy ${(100 * p.accuracy).toFixed(2)} % (n = ${p.testSize})`);
    return 0;
  } finally {
    store.close();
  }
}

