import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import type { NewTeacherRow } from './schema.js';

/** SQLite's application_id of a CMCRD store (as Store.APPLICATION_ID; repeated to keep this module light). */
const APPLICATION_ID = 0x434d4352;

/** What a fold identity's rows in one store say. */
export type FoldState = 'done' | 'failed';

/** A fold a coordinator holds in a store now (its claim), for status listings. */
export interface HeldFold {
  configHash: string;
  host: string;
  pid: number;
  heartbeatAt: number;
}

/**
 * A store opened read-only, for what one process reads from a store another writes or wrote: a
 * Slurm task reading the merged store (the folds and teachers it need not train again), `sweep
 * --status` reading shards while their tasks run. It never migrates, creates or writes anything,
 * so a store of an older schema is read as it is (the columns read here exist since 0001).
 */
export class StoreReader {
  private constructor(
    readonly path: string,
    private readonly sqlite: Database.Database,
  ) {}

  /** Opens `path` read-only; undefined when there is no file there (nothing to read yet). */
  static openIfExists(path: string): StoreReader | undefined {
    const file = resolve(path);
    if (!existsSync(file) || statSync(file).size === 0) return undefined;
    if (statSync(file).isDirectory()) throw new StoreError(`${file} is a directory, not a store file`, { file });
    let sqlite: Database.Database;
    try {
      sqlite = new Database(file, { readonly: true, fileMustExist: true });
      const appId = sqlite.pragma('application_id', { simple: true }) as number;
      if (appId !== APPLICATION_ID) {
        sqlite.close();
        throw new StoreError(`${file} is not a CMCRD store (SQLite application_id ${appId})`, { file });
      }
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw new StoreError(`cannot read ${file} as a store: ${(e as Error).message}`, { file });
    }
    sqlite.pragma('busy_timeout = 10000');
    return new StoreReader(file, sqlite);
  }

  /** Every fold identity stored, with its status. */
  foldStates(): Map<string, FoldState> {
    const rows = this.sqlite.prepare('SELECT config_hash, status FROM folds').raw(true).all() as [string, FoldState][];
    return new Map(rows);
  }

  /** The folds coordinators hold now (their claims; an empty list in a store older than claims). */
  heldFolds(): HeldFold[] {
    const has = this.sqlite.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'claims'").pluck().get() === 1;
    if (!has) return [];
    return this.sqlite
      .prepare('SELECT config_hash AS configHash, host, pid, heartbeat_at AS heartbeatAt FROM claims')
      .all() as HeldFold[];
  }

  /** A stored teacher, whole, as Store.putTeacher takes it; undefined when it is not here. */
  teacher(key: string): NewTeacherRow | undefined {
    const row = this.sqlite
      .prepare(
        `SELECT key, config, dataset, fold_key AS foldKey, modality, backbone, seed, weights, accuracy, train_ms AS trainMs,
                backend, host, created_at AS createdAt FROM teachers WHERE key = ?`,
      )
      .get(key) as NewTeacherRow | undefined;
    return row;
  }

  close(): void {
    this.sqlite.close();
  }
}
