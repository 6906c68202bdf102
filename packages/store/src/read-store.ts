// The read side of a store: every query the reports, the API and the dashboard make, over a drizzle
// database of the synchronous SQLite kind and a driver-free SqlClient. Store (store.ts) opens, migrates
// and writes a file with better-sqlite3 in Node; openSqlJsStore (sql-js.ts) reads a copy of one with
// sql.js in a web page. The same methods answer in both places, so a published site recomputes every
// number in the reviewer's browser with this code. No Node built-in and no driver is imported here
// (packages/reports/test/browser-bundle.test.ts bundles it for the browser).
import { and, count, eq, getTableColumns, gt, inArray, type SQL } from 'drizzle-orm';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import type * as schema from './schema.js';
import {
  type ArtifactData,
  type ArtifactKind,
  type FoldRow,
  type NewEpochRow,
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
import type { SqlClient } from './sql-client.js';

/** SQLite's application_id of a CMCRD store: the bytes of 'CMCR'. */
export const APPLICATION_ID = 0x434d4352;

/**
 * The drizzle database a ReadStore queries: the synchronous SQLite kind, whatever its driver
 * (`drizzle-orm/better-sqlite3` and `drizzle-orm/sql-js` both make one).
 */
export type StoreDatabase = BaseSQLiteDatabase<'sync', unknown, typeof schema>;

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
 * One fold as the report tables see it (ReadStore.foldFacts): a fold's runs of one status, its seeds
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
 * ReadStore.listRuns. Its id is stable: a hash of the fields that define it.
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

/**
 * A store's reads. Constructed by Store (Node, better-sqlite3) or openSqlJsStore (a page, sql.js);
 * `path` is the file, or in a page the name it is shown by.
 */
export class ReadStore {
  constructor(
    readonly path: string,
    readonly db: StoreDatabase,
    /** The same connection, for the raw SQL the query builder does not express (grouped reads, pragmas). */
    protected readonly client: SqlClient,
  ) {}

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
    const rows = this.client.all<FoldFactRow>(
      `SELECT dataset, data_revision AS dataRevision, protocol, protocol_options AS protocolOptions, direction,
              backbone, method, variant, fold_key AS foldKey, status, synthetic,
              count(*) AS runs, count(DISTINCT seed) AS seeds, avg(accuracy) AS accuracy, avg(train_ms) AS trainMs,
              avg(test_ms) AS testMs, avg(teacher_ms) AS teacherMs, min(id) AS firstId,
              group_concat(seed) AS seedList, group_concat(backend) AS backends, group_concat(code_revision) AS revisions
         FROM folds ${where} GROUP BY ${group}`,
      args,
    );
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
    const distinct = (column: string) => this.client.pluck<string>(`SELECT DISTINCT ${column} FROM folds ORDER BY 1`);
    const datasets = this.client.raw<[string, number]>('SELECT DISTINCT dataset, synthetic FROM folds ORDER BY dataset');
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

  /** Folds stored after the fold `afterId` (oldest first; at most `limit`), for progress streams. */
  foldsSince(afterId: number, limit: number, sweepId?: number): FoldSummaryRow[] {
    const { config: _config, confusion: _confusion, ...columns } = getTableColumns(folds);
    const conds = [gt(folds.id, afterId), ...(sweepId === undefined ? [] : [eq(folds.sweepId, sweepId)])];
    return this.db.select(columns).from(folds).where(and(...conds)).orderBy(folds.id).limit(limit).all();
  }

  /** The highest fold id (0 for an empty store). */
  lastFoldId(): number {
    return this.client.pluck<number>('SELECT coalesce(max(id), 0) FROM folds')[0] ?? 0;
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
    const rows = this.client.all<Omit<RunRow, 'synthetic' | 'sweepIds'> & { synthetic: number; sweepIds: string | null }>(
      `SELECT dataset, data_revision AS dataRevision, synthetic, protocol, protocol_options AS protocolOptions, backbone,
              method, direction, variant, seed, sum(status = 'done') AS done, sum(status = 'failed') AS failed,
              avg(accuracy) AS meanAccuracy, min(id) AS firstFoldId, max(finished_at) AS lastFinishedAt,
              group_concat(DISTINCT sweep_id) AS sweepIds
         FROM folds ${where} GROUP BY ${group} ORDER BY min(id)`,
      args,
    );
    return rows.map((r) => ({
      ...r,
      synthetic: r.synthetic === 1,
      sweepIds: r.sweepIds === null ? [] : r.sweepIds.split(',').map(Number),
    }));
  }

  /** Ids of the folds of one run (see listRuns). */
  runFoldIds(run: Pick<RunRow, 'dataset' | 'dataRevision' | 'protocol' | 'protocolOptions' | 'backbone' | 'method' | 'direction' | 'variant' | 'seed'>): number[] {
    return this.client.pluck<number>(
      `SELECT id FROM folds WHERE dataset = ? AND data_revision = ? AND protocol = ? AND protocol_options = ? AND backbone = ?
         AND method = ? AND direction = ? AND variant = ? AND seed = ? ORDER BY id`,
      [run.dataset, run.dataRevision, run.protocol, run.protocolOptions, run.backbone, run.method, run.direction, run.variant, run.seed],
    );
  }

  /**
   * Changes whenever the store does: a commit by any connection (data_version) or by this one
   * (total_changes). Cheap enough to ask on every request; caches key on it.
   */
  changeStamp(): string {
    const dataVersion = this.client.pragma('data_version') as number;
    const own = this.client.pluck<number>('SELECT total_changes()')[0];
    return `${dataVersion}.${own}`;
  }

  countFolds(): number {
    return this.client.pluck<number>('SELECT count(*) FROM folds')[0] ?? 0;
  }

  /** Whether a teacher is stored, without reading its weights. */
  hasTeacher(key: string): boolean {
    return this.db.select({ key: teachers.key }).from(teachers).where(eq(teachers.key, key)).get() !== undefined;
  }

  getTeacher(key: string): TeacherRow | undefined {
    return this.db.select().from(teachers).where(eq(teachers.key, key)).get();
  }

  countTeachers(): number {
    return this.db.select({ key: teachers.key }).from(teachers).all().length;
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

  epochsOf(foldId: number) {
    return this.db.select().from(epochs).where(eq(epochs.foldId, foldId)).orderBy(epochs.epoch).all();
  }

  close(): void {
    this.client.close();
  }
}
