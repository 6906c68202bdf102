import { existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { and, count, eq, gt, inArray, type SQL } from 'drizzle-orm';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { requireStoreFile } from './missing.js';
import { StoreError } from './errors.js';
import { StoreFaultError, storeFaultOf } from './faults.js';
import * as schema from './schema.js';
import { createHash } from 'node:crypto';
import {
  type ArtifactData,
  type ArtifactInput,
  type ArtifactKind,
  type FoldRow,
  type NewEpochRow,
  type NewFoldRow,
  type NewTeacherRow,
  type StepTimeRow,
  type SweepRow,
  type TeacherRow,
  artifacts,
  epochs,
  folds,
  stepTimes,
  sweeps,
  teachers,
} from './schema.js';

/** SQLite's application_id of a CMCRD store: the bytes of 'CMCR'. */
export const APPLICATION_ID = 0x434d4352;

/** The committed migrations this code applies (drizzle's journal and SQL files). */
export const MIGRATIONS = resolve(dirname(fileURLToPath(import.meta.url)), '../migrations');

export { StoreError } from './errors.js';

/** A read command named a store that does not exist. */
export class StoreNotFoundError extends StoreError {
  override name = 'StoreNotFoundError';
}

export interface FoldFilter {
  dataset?: string;
  protocol?: string;
  backbone?: string;
  method?: string;
  direction?: string;
  seed?: number;
  status?: 'done' | 'failed';
}

/**
 * One fold as the report tables see it (Store.foldFacts): a fold's runs of one status, its seeds
 * folded together.
 */
export interface FoldFact {
  dataset: string;
  /** The synthetic data seed or the release's content digest (`folds.data_revision`). */
  dataRevision: string;
  synthetic: boolean;
  protocol: string;
  /** Canonical JSON, as stored. */
  protocolOptions: string;
  direction: string;
  backbone: string;
  method: string;
  /** `folds.variant`: options, student settings, teacher epochs and module, joined by U+001F. */
  variant: string;
  foldKey: string;
  status: 'done' | 'failed';
  /** Rows behind this fact: one per seed when done; failed attempts when failed. */
  runs: number;
  seeds: number;
  /** Means over the seeds (null for failed folds). */
  accuracy: number | null;
  trainMs: number | null;
  testMs: number | null;
  teacherMs: number | null;
  /** The smallest fold id behind this fact (its first seed's row). */
  firstId: number;
  /** The seeds, backends and code revisions ('' when unrecorded) of its rows. */
  seedList: number[];
  backends: string[];
  revisions: string[];
}

/** A row of the fold facts query, as SQLite returns it (named by the query's aliases). */
type FoldFactRow = Omit<FoldFact, 'synthetic' | 'seedList' | 'backends' | 'revisions'> & {
  synthetic: number;
  seedList: string | null;
  backends: string | null;
  revisions: string | null;
};

const parseSeeds = (x: string) => [...new Set(x.split(',').map(Number))].sort((a, b) => a - b);
const parseNames = (x: string) => [...new Set(x.split(','))].sort();

/** Filters of the fold listings (the API's `/api/folds`). */
export interface FoldQuery extends FoldFilter {
  foldKey?: string;
  sweepId?: number;
  /** Only folds whose id is in this list (a run's folds). */
  ids?: number[];
}

/** A fold without its heavy columns (configuration, confusion matrix), for listings. */
export type FoldSummaryRow = Omit<FoldRow, 'config' | 'confusion'>;

/**
 * A run: the folds of one configuration and seed (everything but the fold key), as listed by
 * Store.listRuns. Its id is stable: a hash of the fields that define it.
 */
export interface RunRow {
  dataset: string;
  dataRevision: string;
  synthetic: boolean;
  protocol: string;
  protocolOptions: string;
  backbone: string;
  method: string;
  direction: string;
  variant: string;
  seed: number;
  done: number;
  failed: number;
  meanAccuracy: number | null;
  firstFoldId: number;
  lastFinishedAt: string;
  sweepIds: number[];
}

export type EpochInput = Omit<NewEpochRow, 'foldId'>;

/** `WHERE` terms (column = ?) and their bound values for the raw grouped queries; the column names are ours, never the caller's. */
function rawWhere(filter: FoldFilter): { where: string; args: (string | number)[] } {
  const terms: string[] = [];
  const args: (string | number)[] = [];
  for (const key of ['dataset', 'protocol', 'backbone', 'method', 'direction', 'seed', 'status'] as const) {
    const v = filter[key];
    if (v !== undefined) {
      terms.push(`${key} = ?`);
      args.push(v);
    }
  }
  return { where: terms.length ? `WHERE ${terms.join(' AND ')}` : '', args };
}

export class Store {
  readonly db: BetterSQLite3Database<typeof schema>;

  private constructor(
    readonly path: string,
    private readonly sqlite: Database.Database,
  ) {
    this.db = drizzle(sqlite, { schema });
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

  /** A fold's artifact of one kind, parsed; undefined when the fold has none (or does not exist). */
  artifactOf<K extends ArtifactKind>(foldId: number, kind: K): ArtifactData[K] | undefined {
    const row = this.db
      .select({ data: artifacts.data })
      .from(artifacts)
      .where(and(eq(artifacts.foldId, foldId), eq(artifacts.kind, kind)))
      .get();
    return row ? (JSON.parse(row.data) as ArtifactData[K]) : undefined;
  }

  findByHash(configHash: string): FoldRow | undefined {
    return this.db.select().from(folds).where(eq(folds.configHash, configHash)).get();
  }

  listFolds(filter: FoldFilter = {}): FoldRow[] {
    const conds: SQL[] = [];
    if (filter.dataset) conds.push(eq(folds.dataset, filter.dataset));
    if (filter.protocol) conds.push(eq(folds.protocol, filter.protocol));
    if (filter.backbone) conds.push(eq(folds.backbone, filter.backbone));
    if (filter.method) conds.push(eq(folds.method, filter.method));
    if (filter.direction) conds.push(eq(folds.direction, filter.direction));
    if (filter.seed !== undefined) conds.push(eq(folds.seed, filter.seed));
    if (filter.status) conds.push(eq(folds.status, filter.status));
    return this.db
      .select()
      .from(folds)
      .where(conds.length ? and(...conds) : undefined)
      .orderBy(folds.id)
      .all();
  }

  /**
   * What the report tables read: the folds that match, grouped by everything that identifies a
   * fold except its seed (and by status), with the seeds' mean accuracy and times. SQLite does the
   * grouping over a covering index (folds_report_idx), so a store of 100,000 folds is read in a
   * fraction of a second and JavaScript only sees one row per fold.
   */
  foldFacts(filter: FoldFilter = {}): FoldFact[] {
    const { where, args } = rawWhere(filter);
    const group = 'dataset, data_revision, protocol, protocol_options, direction, backbone, method, variant, fold_key, status, synthetic';
    const rows = this.sqlite
      .prepare(
        `SELECT dataset, data_revision AS dataRevision, protocol, protocol_options AS protocolOptions, direction,
                backbone, method, variant, fold_key AS foldKey, status, synthetic,
                count(*) AS runs, count(DISTINCT seed) AS seeds, avg(accuracy) AS accuracy, avg(train_ms) AS trainMs,
                avg(test_ms) AS testMs, avg(teacher_ms) AS teacherMs, min(id) AS firstId,
                group_concat(seed) AS seedList, group_concat(backend) AS backends, group_concat(code_revision) AS revisions
           FROM folds ${where} GROUP BY ${group}`,
      )
      .all(...args) as FoldFactRow[];
    // Most folds share one seed list, backend and revision: each distinct string is parsed once.
    const caches = new Map<unknown, Map<string, unknown>>();
    const parsed = <T>(raw: string | null, parse: (x: string) => T): T => {
      const key = raw ?? '';
      const cache = caches.get(parse) ?? new Map<string, unknown>();
      caches.set(parse, cache);
      let v = cache.get(key) as T | undefined;
      if (v === undefined) {
        v = parse(key);
        cache.set(key, v);
      }
      return v;
    };
    return rows.map((r) => ({
      ...r,
      synthetic: r.synthetic === 1,
      seedList: parsed(r.seedList, parseSeeds),
      backends: parsed(r.backends, parseNames),
      revisions: parsed(r.revisions, parseNames),
    }));
  }

  /** What the store holds, for filter menus: each distinct dataset, protocol, direction, backbone and method. */
  facets(): { datasets: { name: string; synthetic: boolean }[]; protocols: string[]; directions: string[]; backbones: string[]; methods: string[] } {
    const distinct = (column: string) => this.sqlite.prepare(`SELECT DISTINCT ${column} FROM folds ORDER BY 1`).pluck().all() as string[];
    const datasets = this.sqlite.prepare('SELECT DISTINCT dataset, synthetic FROM folds ORDER BY dataset').raw(true).all() as [string, number][];
    return {
      datasets: datasets.map(([name, synthetic]) => ({ name, synthetic: synthetic === 1 })),
      protocols: distinct('protocol'),
      directions: distinct('direction'),
      backbones: distinct('backbone'),
      methods: distinct('method'),
    };
  }

  private foldConditions(q: FoldQuery): SQL | undefined {
    const conds: SQL[] = [];
    if (q.dataset !== undefined) conds.push(eq(folds.dataset, q.dataset));
    if (q.protocol !== undefined) conds.push(eq(folds.protocol, q.protocol));
    if (q.backbone !== undefined) conds.push(eq(folds.backbone, q.backbone));
    if (q.method !== undefined) conds.push(eq(folds.method, q.method));
    if (q.direction !== undefined) conds.push(eq(folds.direction, q.direction));
    if (q.seed !== undefined) conds.push(eq(folds.seed, q.seed));
    if (q.status !== undefined) conds.push(eq(folds.status, q.status));
    if (q.foldKey !== undefined) conds.push(eq(folds.foldKey, q.foldKey));
    if (q.sweepId !== undefined) conds.push(eq(folds.sweepId, q.sweepId));
    if (q.ids !== undefined) conds.push(inArray(folds.id, q.ids.length ? q.ids : [-1]));
    return conds.length ? and(...conds) : undefined;
  }

  /** One page of folds, oldest first, with the number that match; every value is bound, never spliced into SQL. */
  pageFolds(q: FoldQuery, page: { limit: number; offset: number }): { rows: FoldSummaryRow[]; total: number } {
    const where = this.foldConditions(q);
    const { config: _config, confusion: _confusion, ...columns } = getTableColumns(folds);
    const rows = this.db.select(columns).from(folds).where(where).orderBy(folds.id).limit(page.limit).offset(page.offset).all();
    const total = this.db.select({ n: count() }).from(folds).where(where).get()?.n ?? 0;
    return { rows, total };
  }

  getFold(id: number): FoldRow | undefined {
    return this.db.select().from(folds).where(eq(folds.id, id)).get();
  }

  getSweep(id: number): SweepRow | undefined {
    return this.db.select().from(sweeps).where(eq(sweeps.id, id)).get();
  }

  /** Done and failed folds per sweep (the folds each sweep asked for first). */
  sweepCounts(): Map<number, { done: number; failed: number }> {
    const rows = this.db
      .select({ sweepId: folds.sweepId, status: folds.status, n: count() })
      .from(folds)
      .groupBy(folds.sweepId, folds.status)
      .all();
    const out = new Map<number, { done: number; failed: number }>();
    for (const r of rows) {
      if (r.sweepId === null) continue;
      const e = out.get(r.sweepId) ?? { done: 0, failed: 0 };
      e[r.status] += r.n;
      out.set(r.sweepId, e);
    }
    return out;
  }

  /** Marks a sweep stopped by the user; its folds stay. */
  cancelSweep(id: number): void {
    this.db.update(sweeps).set({ status: 'cancelled', finishedAt: new Date().toISOString() }).where(eq(sweeps.id, id)).run();
  }

  /** Folds stored after the fold `afterId` (oldest first; at most `limit`), for progress streams. */
  foldsSince(afterId: number, limit: number, sweepId?: number): FoldSummaryRow[] {
    const { config: _config, confusion: _confusion, ...columns } = getTableColumns(folds);
    const conds = [gt(folds.id, afterId), ...(sweepId === undefined ? [] : [eq(folds.sweepId, sweepId)])];
    return this.db.select(columns).from(folds).where(and(...conds)).orderBy(folds.id).limit(limit).all();
  }

  /** The highest fold id (0 for an empty store). */
  lastFoldId(): number {
    return (this.sqlite.prepare('SELECT coalesce(max(id), 0) FROM folds').pluck().get() as number) ?? 0;
  }

  /** Done and failed folds in the whole store. */
  statusCounts(): { done: number; failed: number } {
    const out = { done: 0, failed: 0 };
    for (const r of this.db.select({ status: folds.status, n: count() }).from(folds).groupBy(folds.status).all()) out[r.status] = r.n;
    return out;
  }

  /** Every run (the folds of one configuration and seed) that matches, grouped in SQL. */
  listRuns(q: FoldFilter = {}): RunRow[] {
    const { where, args } = rawWhere(q);
    const group = 'dataset, data_revision, synthetic, protocol, protocol_options, backbone, method, direction, variant, seed';
    const rows = this.sqlite
      .prepare(
        `SELECT dataset, data_revision AS dataRevision, synthetic, protocol, protocol_options AS protocolOptions, backbone,
                method, direction, variant, seed, sum(status = 'done') AS done, sum(status = 'failed') AS failed,
                avg(accuracy) AS meanAccuracy, min(id) AS firstFoldId, max(finished_at) AS lastFinishedAt,
                group_concat(DISTINCT sweep_id) AS sweepIds
           FROM folds ${where} GROUP BY ${group} ORDER BY min(id)`,
      )
      .all(...args) as (Omit<RunRow, 'synthetic' | 'sweepIds'> & { synthetic: number; sweepIds: string | null })[];
    return rows.map((r) => ({
      ...r,
      synthetic: r.synthetic === 1,
      sweepIds: r.sweepIds === null ? [] : r.sweepIds.split(',').map(Number),
    }));
  }

  /** Ids of the folds of one run (see listRuns). */
  runFoldIds(run: Pick<RunRow, 'dataset' | 'dataRevision' | 'protocol' | 'protocolOptions' | 'backbone' | 'method' | 'direction' | 'variant' | 'seed'>): number[] {
    return this.sqlite
      .prepare(
        `SELECT id FROM folds WHERE dataset = ? AND data_revision = ? AND protocol = ? AND protocol_options = ? AND backbone = ?
           AND method = ? AND direction = ? AND variant = ? AND seed = ? ORDER BY id`,
      )
      .pluck()
      .all(run.dataset, run.dataRevision, run.protocol, run.protocolOptions, run.backbone, run.method, run.direction, run.variant, run.seed) as number[];
  }

  /**
   * Changes whenever the store does: a commit by any connection (data_version) or by this one
   * (total_changes). Cheap enough to ask on every request; caches key on it.
   */
  changeStamp(): string {
    const dataVersion = this.sqlite.pragma('data_version', { simple: true }) as number;
    const own = this.sqlite.prepare('SELECT total_changes()').pluck().get() as number;
    return `${dataVersion}.${own}`;
  }

  countFolds(): number {
    return (this.sqlite.prepare('SELECT count(*) FROM folds').pluck().get() as number) ?? 0;
  }

  /** Whether a teacher is stored, without reading its weights. */
  hasTeacher(key: string): boolean {
    return this.db.select({ key: teachers.key }).from(teachers).where(eq(teachers.key, key)).get() !== undefined;
  }

  getTeacher(key: string): TeacherRow | undefined {
    return this.db.select().from(teachers).where(eq(teachers.key, key)).get();
  }

  /** Stores a trained teacher; a teacher already stored under the key is kept (the first wins). */
  putTeacher(row: NewTeacherRow): void {
    // A Buffer that crossed a process boundary arrives as a plain Uint8Array.
    this.db.insert(teachers).values({ ...row, weights: Buffer.from(row.weights) }).onConflictDoNothing().run();
  }

  countTeachers(): number {
    return this.db.select({ key: teachers.key }).from(teachers).all().length;
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

  listSweeps(): SweepRow[] {
    return this.db.select().from(sweeps).orderBy(sweeps.id).all();
  }

  /** The step times measured on this machine with this backend, by kind (see estimate.ts). */
  stepTimesOf(machine: string, backend: string): Map<string, StepTimeRow> {
    const rows = this.db
      .select()
      .from(stepTimes)
      .where(and(eq(stepTimes.machine, machine), eq(stepTimes.backend, backend)))
      .all();
    return new Map(rows.map((r) => [r.kind, r]));
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

  epochsOf(foldId: number) {
    return this.db.select().from(epochs).where(eq(epochs.foldId, foldId)).orderBy(epochs.epoch).all();
  }

  close(): void {
    this.sqlite.close();
  }
}
