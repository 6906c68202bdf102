import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { eq } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { betterSqliteClient } from './better-sqlite3-client.js';
import { requireStoreFile } from './missing.js';
import { StoreError } from './errors.js';
import { StoreFaultError, storeFaultOf } from './faults.js';
import { APPLICATION_ID, type EpochInput, ReadStore } from './read-store.js';
import * as schema from './schema.js';
import { type ArtifactInput, type NewFoldRow, type NewTeacherRow, type StepTimeRow, type SweepRow, artifacts, epochs, folds, stepTimes, sweeps, teachers } from './schema.js';

export {
  APPLICATION_ID,
  type EpochInput,
  type FoldFact,
  type FoldFilter,
  type FoldQuery,
  type FoldSummaryRow,
  ReadStore,
  type RunRow,
  type StoreDatabase,
} from './read-store.js';

/** The committed migrations this code applies (drizzle's journal and SQL files). */
export const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../migrations');

export { StoreError } from './errors.js';

/** A read command named a store that does not exist. */
export class StoreNotFoundError extends StoreError {
  override name = 'StoreNotFoundError';
}

/**
 * A store file in Node, opened with better-sqlite3: the reads of ReadStore, and opening (creating,
 * migrating, verifying) and every write.
 */
export class Store extends ReadStore {
  declare readonly db: BetterSQLite3Database<typeof schema>;

  private constructor(
    path: string,
    private readonly sqlite: Database.Database,
  ) {
    super(path, drizzle(sqlite, { schema }), betterSqliteClient(sqlite));
  }

  /**
   * Opens (or creates) a store. A file that is not SQLite, or a SQLite database that is not
   * ours, is refused before anything is written to it.
   */
  static open(path: string, o: { verify?: boolean } = {}): Store {
    const file = resolve(path);
    const exists = existsSync(file) && statSync(file).size > 0;
    if (exists && statSync(file).isDirectory()) throw new StoreError(`${file} is a directory, not a store file`);
    if (!exists) mkdirSync(dirname(file), { recursive: true });
    let sqlite: Database.Database;
    try {
      sqlite = new Database(file);
    } catch (e) {
      throw storeFaultOf(e, file) ?? new StoreError(`cannot open ${file}: ${(e as Error).message}`);
    }
    try {
      if (exists) Store.checkOurs(sqlite, file);
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('foreign_keys = ON');
      sqlite.pragma('busy_timeout = 10000');
      // The busy timeout covers waiting for a lock, not upgrading one: a deferred transaction that
      // has read cannot take the write lock once another process has written since (SQLite answers
      // SQLITE_BUSY at once), which two coordinators on one store hit. So every transaction here
      // that reads and then writes begins IMMEDIATE, taking the write lock (and waiting) first.
      if (!exists) sqlite.pragma(`application_id = ${APPLICATION_ID}`);
      // An optional cap on the store's size (CMCRD_STORE_MAX_BYTES): past it, writes fail as on a full disk.
      const maxBytes = Number(process.env.CMCRD_STORE_MAX_BYTES);
      if (maxBytes > 0) {
        const pageSize = sqlite.pragma('page_size', { simple: true }) as number;
        sqlite.pragma(`max_page_count = ${Math.max(1, Math.floor(maxBytes / pageSize))}`);
      }
      const store = new Store(file, sqlite);
      if (exists && o.verify) store.verify();
      migrate(store.db, { migrationsFolder: MIGRATIONS });
      return store;
    } catch (e) {
      sqlite.close();
      if (e instanceof StoreError) throw e;
      throw storeFaultOf(e, file) ?? new StoreError(`cannot use ${file} as a store: ${(e as Error).message}`);
    }
  }

  /**
   * SQLite's quick_check: every page read and its structure checked (not the indexes against the
   * rows), so a store with zeroed or overwritten pages is refused when it is opened instead of
   * failing on some later read. It reads the whole file: about half a second for a store of
   * 100,000 folds (164 MB), so `serve` and `sweep` ask for it, `report` does not
   * (bench/store-faults.ts measures it).
   */
  verify(): void {
    let problems: string[];
    try {
      const rows = this.sqlite.prepare('PRAGMA quick_check(20)').pluck().all() as string[];
      // One problem per line, under a '*** in database main ***' heading.
      problems = rows.flatMap((r) => r.split('\n')).filter((l) => l && !l.startsWith('***'));
    } catch (e) {
      throw storeFaultOf(e, this.path) ?? e;
    }
    if (problems.length !== 1 || problems[0] !== 'ok') {
      const more = problems.length >= 20 ? '20 or more' : String(problems.length);
      throw new StoreFaultError(this.path, 'damaged', `quick_check found ${more} problem(s), the first: ${problems[0]}`);
    }
  }

  /** Throws StoreNotFoundError (naming the stores that exist) unless a store file is at `path`; writes nothing. */
  static requireExisting(path: string): string {
    return requireStoreFile(path, (m) => new StoreNotFoundError(m));
  }

  /**
   * Opens a store that must already exist, for commands that read (report, serve, the API): a
   * missing (or empty) file is refused, naming the stores that do exist, and nothing is created.
   */
  static openExisting(path: string, o: { verify?: boolean } = {}): Store {
    return Store.open(Store.requireExisting(path), o);
  }

  private static checkOurs(sqlite: Database.Database, file: string): void {
    let appId: number;
    try {
      appId = sqlite.pragma('application_id', { simple: true }) as number;
    } catch (e) {
      // A file SQLite cannot read at all (read-only media, damaged pages) is a fault, not a foreign file.
      if ((e as { code?: string }).code !== 'SQLITE_NOTADB') throw storeFaultOf(e, file) ?? e;
      throw new StoreError(`${file} is not a CMCRD store (not a SQLite database: ${(e as Error).message})`);
    }
    if (appId !== APPLICATION_ID) {
      throw new StoreError(
        `${file} is not a CMCRD store (SQLite application_id ${appId}, expected ${APPLICATION_ID}); nothing was written`,
      );
    }
  }

  /**
   * Writes a fold, its epochs and its artifacts (t-SNE embeddings, …) in one transaction. A fold
   * already stored as done is kept, with what was stored with it (returns inserted: false); a failed
   * attempt is replaced.
   */
  recordFold(fold: NewFoldRow, epochRows: EpochInput[], artifactRows: readonly ArtifactInput[] = []): { id: number; inserted: boolean } {
    return this.sqlite.transaction(() => {
      const existing = this.db.select().from(folds).where(eq(folds.configHash, fold.configHash)).get();
      if (existing?.status === 'done') return { id: existing.id, inserted: false };
      if (existing) this.db.delete(folds).where(eq(folds.id, existing.id)).run();
      const { id } = this.db.insert(folds).values(fold).returning({ id: folds.id }).get();
      if (epochRows.length) this.db.insert(epochs).values(epochRows.map((e) => ({ ...e, foldId: id }))).run();
      if (artifactRows.length) {
        this.db
          .insert(artifacts)
          .values(artifactRows.map((a) => ({ foldId: id, kind: a.kind, data: JSON.stringify(a.data) })))
          .run();
      }
      return { id, inserted: true };
    }).immediate();
  }

  /** Marks a sweep stopped by the user; its folds stay. */
  cancelSweep(id: number): void {
    this.db.update(sweeps).set({ status: 'cancelled', finishedAt: new Date().toISOString() }).where(eq(sweeps.id, id)).run();
  }

  /** Stores a trained teacher; a teacher already stored under the key is kept (the first wins). */
  putTeacher(row: NewTeacherRow): void {
    // A Buffer that crossed a process boundary arrives as a plain Uint8Array.
    this.db.insert(teachers).values({ ...row, weights: Buffer.from(row.weights) }).onConflictDoNothing().run();
  }

  /**
   * The row of a sweep: the same file text and options as an earlier run resume that run's row
   * (status back to running, fold count updated); anything else starts a new one.
   */
  openSweep(s: { name: string; file: string; spec: string; options: Record<string, unknown>; folds: number }): SweepRow {
    const options = JSON.stringify(s.options);
    const specHash = createHash('sha256').update(s.spec).update('\u0000').update(options).digest('hex');
    return this.sqlite.transaction(() => {
      const existing = this.db.select().from(sweeps).where(eq(sweeps.specHash, specHash)).get();
      if (existing) {
        return this.db
          .update(sweeps)
          .set({ status: 'running', folds: s.folds, finishedAt: null })
          .where(eq(sweeps.id, existing.id))
          .returning()
          .get();
      }
      return this.db
        .insert(sweeps)
        .values({ name: s.name, file: s.file, spec: s.spec, specHash, options, status: 'running', folds: s.folds })
        .returning()
        .get();
    }).immediate();
  }

  /** Marks a sweep stopped by a fault (a full disk, a read-only or damaged store); a re-run resumes it. */
  stopSweep(id: number): void {
    this.db.update(sweeps).set({ status: 'stopped', finishedAt: new Date().toISOString() }).where(eq(sweeps.id, id)).run();
  }

  finishSweep(id: number, failed: number): void {
    this.db.update(sweeps).set({ status: 'finished', failed, finishedAt: new Date().toISOString() }).where(eq(sweeps.id, id)).run();
  }

  /** Keeps measured step times, replacing older measurements of the same (machine, backend, kind). */
  saveStepTimes(rows: readonly Omit<StepTimeRow, 'measuredAt'>[]): void {
    if (rows.length === 0) return;
    const measuredAt = new Date().toISOString();
    this.sqlite.transaction(() => {
      for (const r of rows) {
        const v = { ...r, measuredAt };
        this.db
          .insert(stepTimes)
          .values(v)
          .onConflictDoUpdate({ target: [stepTimes.machine, stepTimes.backend, stepTimes.kind], set: v })
          .run();
      }
    }).immediate();
  }
}
