// `cmcrd merge`: the stores of a sweep run as shards (a Slurm job array, one ordinary store per
// task) merged into one store. Everything is checked before anything is written, then each shard
// is copied in SQL (ATTACH, INSERT … SELECT over temp tables), one transaction per shard: no fold
// passes through JavaScript, so memory stays at SQLite's page caches whatever the shards hold.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import Database from 'better-sqlite3';
import { getTableColumns } from 'drizzle-orm';
import type { SQLiteTable } from 'drizzle-orm/sqlite-core';
import { StoreError } from './errors.js';
import { storeFaultOf } from './faults.js';
import { artifacts, epochs, folds, stepTimes, sweeps, teachers } from './schema.js';
import { APPLICATION_ID } from './read-store.js';
import { MIGRATIONS, Store } from './store.js';

/** What a merge wrote (or found already there), for one shard or in total. */
export interface MergeCounts {
  /** Done folds written: new identities, or replacing a failed row of the target. */
  done: number;
  /** Failed folds written (identities the target had no row for, done in no shard). */
  failed: number;
  /** Failed rows of the target replaced by a shard's done fold (counted in `done` too). */
  replaced: number;
  /** The shard's folds the target already held (done, or failed when the shard's is failed too): the target's row is kept. */
  kept: number;
  /** Of `kept`: done in both with different results (a note: the target's is kept, as Store.recordFold keeps it). */
  keptDiffering: number;
  /** The shard's failed folds that another shard holds as done (done wins; not written). */
  superseded: number;
  teachers: number;
  epochs: number;
  /** t-SNE embeddings and kept models. */
  artifacts: number;
  /** Step times written: new (machine, backend, kind), or a newer measurement than the target's. */
  stepTimes: number;
  /** Sweep rows written (those the written folds point at, missing from the target by spec_hash). */
  sweeps: number;
}

export interface ShardMergeResult extends MergeCounts {
  /** The shard's file (absolute). */
  shard: string;
  /** The folds the shard holds. */
  folds: number;
}

export interface MergeReport {
  /** The target store (absolute). */
  into: string;
  /** Whether the target was created by this merge. */
  created: boolean;
  shards: ShardMergeResult[];
  total: MergeCounts;
}

/** One reason a merge was refused: the file (or the two shards) and why. */
export interface MergeProblem {
  file: string;
  reason: string;
}

/** A merge refused before anything was written; the message lists every problem found. */
export class MergeRefusedError extends StoreError {
  override name = 'MergeRefusedError';

  constructor(
    readonly into: string,
    readonly problems: readonly MergeProblem[],
  ) {
    super(
      `merge into ${shown(into)} refused, nothing was written (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems
        .map((p) => `  ${p.file}: ${p.reason}`)
        .join('\n')}`,
      { file: into },
    );
  }
}

const ZERO: MergeCounts = {
  done: 0,
  failed: 0,
  replaced: 0,
  kept: 0,
  keptDiffering: 0,
  superseded: 0,
  teachers: 0,
  epochs: 0,
  artifacts: 0,
  stepTimes: 0,
  sweeps: 0,
};

/** A path as the user would type it: relative to where they are when it is below it. */
function shown(file: string): string {
  const rel = relative(process.env.INIT_CWD ?? process.cwd(), file);
  return rel && !rel.startsWith(`..${sep}`) && rel !== '..' ? rel : file;
}

/** The columns of a table as SQLite names them, in schema order, less `omit`. */
function columnsOf(table: SQLiteTable, omit: readonly string[] = []): string[] {
  return Object.values(getTableColumns(table))
    .map((c) => c.name)
    .filter((n) => !omit.includes(n));
}

const list = (names: readonly string[], prefix = '') => names.map((n) => `${prefix}"${n}"`).join(', ');

/**
 * The results that make two done rows of one identity the same fold: what `report` reads. Timings,
 * hosts, backends and dates are left out (the same fold is slower on another node).
 */
const RESULT_COLUMNS = ['status', 'accuracy', 'balanced_accuracy', 'confusion', 'selected_epoch', 'epochs', 'train_size', 'test_size'];
const sameResult = (a: string, b: string) => RESULT_COLUMNS.map((c) => `${a}.${c} IS ${b}.${c}`).join(' AND ');
const differingResults = (a: string, b: string) =>
  `concat_ws(', ', ${RESULT_COLUMNS.map((c) => `CASE WHEN ${a}.${c} IS NOT ${b}.${c} THEN '${c}' END`).join(', ')})`;

/** This code's migrations, by drizzle's key (`created_at`, the journal's `when`), with their tags. */
function ourMigrations(): Map<number, string> {
  const journal = JSON.parse(readFileSync(join(MIGRATIONS, 'meta', '_journal.json'), 'utf8')) as {
    entries: { when: number; tag: string }[];
  };
  return new Map(journal.entries.map((e) => [e.when, e.tag]));
}

/**
 * Why a store's schema is not this code's, or undefined when it is. Drizzle decides what to apply by
 * `created_at` alone (the hash changes with a checkout's line endings), so that is compared here.
 */
function schemaProblem(file: string, applied: number[] | null, role: 'shard' | 'target'): string | undefined {
  const ours = ourMigrations();
  const latest = [...ours.values()].at(-1);
  if (applied === null || applied.length === 0) return 'holds no schema (no migrations applied): not a store cmcrd wrote';
  const unknown = applied.filter((t) => !ours.has(t));
  const missing = [...ours.keys()].filter((t) => !applied.includes(t));
  if (unknown.length === 0 && missing.length === 0) return undefined;
  const ourLast = Math.max(...ours.keys());
  if (unknown.length > 0 && missing.length === 0 && unknown.every((t) => t > ourLast)) {
    const when = new Date(Math.max(...unknown)).toISOString().slice(0, 10);
    return `written by a newer cmcrd (${unknown.length} schema migration(s) this cmcrd does not know, the latest of ${when}; this cmcrd's schema ends at ${latest}): upgrade cmcrd, then merge again`;
  }
  if (unknown.length === 0) {
    // An older target is migrated when it is opened, as every command does.
    if (role === 'target') return undefined;
    const at = ours.get(Math.max(...applied));
    return `written by an older cmcrd (its schema ends at migration ${at}, this cmcrd's at ${latest}): upgrade it in place by opening it once with this cmcrd (every command that opens a store migrates it, e.g. \`cmcrd report comparison --db ${shown(file)}\`), then merge again`;
  }
  const foreign = unknown.map((t) => new Date(t).toISOString()).join(', ');
  return `its schema differs from this cmcrd's (migration(s) of ${foreign} are not this cmcrd's: written by another build of cmcrd); merge it with that build`;
}

/** Opens `file` read-only and says what is wrong with it as a store (undefined: nothing). */
function inspect(file: string, role: 'shard' | 'target'): string | undefined {
  if (!existsSync(file)) return 'no such file';
  const st = statSync(file);
  if (st.isDirectory()) return 'is a directory, not a store file';
  if (!st.isFile()) return 'is not a regular file';
  if (st.size === 0) return role === 'shard' ? 'is empty, not a store' : undefined;
  let db: Database.Database;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
  } catch (e) {
    return `cannot be opened: ${(storeFaultOf(e, file) ?? (e as Error)).message}`;
  }
  try {
    let appId: number;
    try {
      appId = db.pragma('application_id', { simple: true }) as number;
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_NOTADB') return `not a CMCRD store (not a SQLite database: ${(e as Error).message})`;
      return (storeFaultOf(e, file) ?? (e as Error)).message;
    }
    if (appId !== APPLICATION_ID) return `not a CMCRD store (SQLite application_id ${appId}, expected ${APPLICATION_ID})`;
    const hasMigrations = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").pluck().get() === 1;
    const applied = hasMigrations ? (db.prepare('SELECT created_at FROM __drizzle_migrations').pluck().all() as (number | string)[]).map(Number) : null;
    return schemaProblem(file, applied, role);
  } catch (e) {
    return (storeFaultOf(e, file) ?? (e as Error)).message;
  } finally {
    db.close();
  }
}

/** The same file (a link, another spelling of the path) as `b`. */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const x = statSync(a);
    const y = statSync(b);
    return x.dev === y.dev && x.ino === y.ino;
  } catch {
    return false;
  }
}

interface Clash {
  firstShard: number;
  shard: number;
  dataset: string;
  foldKey: string;
  method: string;
  direction: string;
  backbone: string;
  seed: number;
  firstAccuracy: number | null;
  accuracy: number | null;
  differs: string;
}

/**
 * Pass 1, read-only: every shard's done folds into the scratch store's `done` (the first shard's
 * copy of each identity), and each later copy with other results into `clash`. The scratch is a
 * file of its own, so that the write pass can read it; the shards are attached one at a time (SQLite
 * attaches at most 10). Returns the problems found.
 */
function findClashes(scratch: Database.Database, shards: readonly string[], usable: ReadonlySet<number>): MergeProblem[] {
  scratch.exec(`
    CREATE TABLE done (config_hash TEXT PRIMARY KEY, shard INTEGER NOT NULL, ${RESULT_COLUMNS.join(', ')}) WITHOUT ROWID;
    CREATE TABLE clash (first_shard INTEGER, shard INTEGER, dataset TEXT, fold_key TEXT, method TEXT, direction TEXT,
                        backbone TEXT, seed INTEGER, first_accuracy REAL, accuracy REAL, differs TEXT);`);
  const results = RESULT_COLUMNS.join(', ');
  // Prepared once a shard is attached (a statement is compiled against the schema it names).
  const clash = () => scratch.prepare(`
    INSERT INTO clash SELECT d.shard, ?, f.dataset, f.fold_key, f.method, f.direction, f.backbone, f.seed, d.accuracy, f.accuracy, ${differingResults('d', 'f')}
      FROM s.folds f JOIN done d ON d.config_hash = f.config_hash
     WHERE f.status = 'done' AND NOT (${sameResult('d', 'f')})`);
  const remember = () => scratch.prepare(`INSERT OR IGNORE INTO done SELECT config_hash, ?, ${results} FROM s.folds WHERE status = 'done'`);
  const problems: MergeProblem[] = [];
  shards.forEach((file, i) => {
    if (!usable.has(i)) return;
    scratch.prepare('ATTACH ? AS s').run(file);
    try {
      scratch.transaction(() => {
        clash().run(i);
        remember().run(i);
      })();
    } catch (e) {
      problems.push({ file: shown(file), reason: (storeFaultOf(e, file) ?? (e as Error)).message });
    } finally {
      scratch.exec('DETACH s');
    }
  });
  const rows = scratch
    .prepare(
      `SELECT first_shard AS firstShard, shard, dataset, fold_key AS foldKey, method, direction, backbone, seed,
              first_accuracy AS firstAccuracy, accuracy, differs
         FROM clash ORDER BY first_shard, shard, dataset, fold_key, method, direction, backbone, seed`,
    )
    .all() as Clash[];
  const byPair = new Map<string, Clash[]>();
  for (const r of rows) {
    const key = `${r.firstShard} ${r.shard}`;
    const pair = byPair.get(key) ?? [];
    pair.push(r);
    byPair.set(key, pair);
  }
  for (const pair of byPair.values()) {
    const a = shown(shards[pair[0].firstShard]);
    const b = shown(shards[pair[0].shard]);
    const lines = pair.map(
      (r) =>
        `    ${r.dataset} ${r.foldKey} ${r.method} ${r.direction} ${r.backbone} seed ${r.seed}: accuracy ${r.firstAccuracy} in ${a}, ${r.accuracy} in ${b} (differ: ${r.differs})`,
    );
    problems.push({
      file: `${a} and ${b}`,
      reason: `${pair.length} fold(s) stored as done in both with different results (both shards are left as they are: delete the wrong row from its shard, or leave that shard out, then merge again):\n${lines.join('\n')}`,
    });
  }
  return problems;
}

/**
 * Merges the shard stores into `into` (created when missing), idempotently: a fold already done in
 * the target is kept; a shard's done fold replaces a failed row (as Store.recordFold does); a
 * failed fold is copied only when the target has no row for it and no shard has it done. Folds,
 * their epochs and artifacts, teachers, step times and the sweeps the copied folds point at are
 * copied; claims are not. New folds get the target's own ids.
 *
 * Refuses (MergeRefusedError, listing every problem) before writing anything: a missing, foreign
 * or non-SQLite file, a shard of another schema, the target among the shards, and two shards holding
 * one fold as done with different results.
 */
export function mergeStores(into: string, shards: string[], o: { onShard?(r: ShardMergeResult): void } = {}): MergeReport {
  const target = resolve(into);
  const files = shards.map((s) => resolve(s));
  if (files.length === 0) throw new StoreError('merge: no shard stores given');
  const problems: MergeProblem[] = [];
  const targetProblem = inspect(target, 'target');
  if (targetProblem && existsSync(target)) problems.push({ file: `${shown(target)} (--into)`, reason: targetProblem });
  const usable = new Set<number>();
  files.forEach((file, i) => {
    if (sameFile(file, target)) {
      problems.push({ file: shown(file), reason: 'is the target (--into) itself' });
      return;
    }
    const why = inspect(file, 'shard');
    if (why) problems.push({ file: shown(file), reason: why });
    else usable.add(i);
  });

  const work = mkdtempSync(join(tmpdir(), 'cmcrd-merge-'));
  const scratchFile = join(work, 'check.sqlite');
  try {
    const scratch = new Database(scratchFile);
    try {
      scratch.pragma('journal_mode = OFF');
      scratch.pragma('synchronous = OFF');
      problems.push(...findClashes(scratch, files, usable));
    } finally {
      scratch.close();
    }
    if (problems.length > 0) throw new MergeRefusedError(target, problems);
    return write(target, files, scratchFile, o.onShard);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The fault of a failed shard transaction, about the file it is in: a damaged page of the shard (its
 * epochs, artifacts and teachers are read first here) is the shard's, not the target's. Asked only
 * once something failed: quick_check reads the whole shard.
 */
function blame(db: Database.Database, e: unknown, shard: string, target: string): unknown {
  const code = (e as { code?: unknown })?.code;
  if (typeof code === 'string' && (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_IOERR'))) {
    let shardOk = false;
    try {
      shardOk = (db.prepare('PRAGMA s.quick_check(1)').pluck().get() as string) === 'ok';
    } catch {}
    if (!shardOk) return storeFaultOf(e, shard) ?? e;
  }
  return storeFaultOf(e, target) ?? e;
}

/** Pass 2: each shard copied into the target in a transaction of its own. */
function write(target: string, files: readonly string[], scratchFile: string, onShard?: (r: ShardMergeResult) => void): MergeReport {
  const created = !(existsSync(target) && statSync(target).size > 0);
  const store = Store.open(target);
  // drizzle's own handle on the connection (typed on what drizzle() returns, not on Store.db).
  const db = (store.db as typeof store.db & { $client: Database.Database }).$client;
  const foldColumns = columnsOf(folds, ['id', 'sweep_id']);
  const epochColumns = columnsOf(epochs, ['fold_id']);
  const artifactColumns = columnsOf(artifacts, ['fold_id']);
  const sweepColumns = columnsOf(sweeps, ['id']);
  const teacherColumns = columnsOf(teachers);
  const stepColumns = columnsOf(stepTimes);
  const stepKey = ['machine', 'backend', 'kind'];
  const report: MergeReport = { into: target, created, shards: [], total: { ...ZERO } };
  try {
    db.prepare('ATTACH ? AS chk').run(scratchFile);
    db.exec(`CREATE TEMP TABLE pick (src_id INTEGER PRIMARY KEY, config_hash TEXT NOT NULL, status TEXT NOT NULL, replaced_id INTEGER)`);
    // Prepared once a shard is attached (a statement is compiled against the schema it names).
    const prepare = () => ({
      // A deferred transaction whose first statement writes the target: the target's write lock is
      // taken (waiting out the busy timeout) before anything is read, as BEGIN IMMEDIATE would; but
      // BEGIN IMMEDIATE would take every attached database's write lock too, and block the task
      // that may still be writing the shard (measured: its next write is SQLITE_BUSY).
      lock: db.prepare('UPDATE main.sweeps SET id = id WHERE 0'),
      clear: db.prepare('DELETE FROM temp.pick'),
      pick: db.prepare(`
        INSERT INTO temp.pick (src_id, config_hash, status, replaced_id)
        SELECT f.id, f.config_hash, f.status, t.id
          FROM s.folds f LEFT JOIN main.folds t ON t.config_hash = f.config_hash
         WHERE CASE f.status
                 WHEN 'done' THEN t.id IS NULL OR t.status = 'failed'
                 ELSE t.id IS NULL AND NOT EXISTS (SELECT 1 FROM chk.done d WHERE d.config_hash = f.config_hash)
               END`),
      tally: db.prepare(`
        SELECT count(*) AS folds,
               coalesce(sum(t.id IS NOT NULL AND NOT (f.status = 'done' AND t.status = 'failed')), 0) AS kept,
               coalesce(sum(f.status = 'done' AND t.status = 'done' AND NOT (${sameResult('f', 't')})), 0) AS keptDiffering,
               coalesce(sum(f.status = 'failed' AND t.id IS NULL AND d.config_hash IS NOT NULL), 0) AS superseded
          FROM s.folds f LEFT JOIN main.folds t ON t.config_hash = f.config_hash
                         LEFT JOIN chk.done d ON d.config_hash = f.config_hash`),
      picked: db.prepare(`SELECT coalesce(sum(status = 'done'), 0) AS done, coalesce(sum(status = 'failed'), 0) AS failed,
                                 count(replaced_id) AS replaced FROM temp.pick`),
      sweeps: db.prepare(`
        INSERT INTO main.sweeps (${list(sweepColumns)})
        SELECT ${list(sweepColumns, 'w.')} FROM s.sweeps w
         WHERE w.id IN (SELECT f.sweep_id FROM temp.pick p JOIN s.folds f ON f.id = p.src_id)
           AND w.spec_hash NOT IN (SELECT spec_hash FROM main.sweeps)
         ORDER BY w.id`),
      // Epochs and artifacts go with their fold (foreign keys cascade).
      replace: db.prepare('DELETE FROM main.folds WHERE id IN (SELECT replaced_id FROM temp.pick WHERE replaced_id IS NOT NULL)'),
      folds: db.prepare(`
        INSERT INTO main.folds (${list(foldColumns)}, sweep_id)
        SELECT ${list(foldColumns, 'f.')},
               (SELECT t.id FROM s.sweeps w JOIN main.sweeps t ON t.spec_hash = w.spec_hash WHERE w.id = f.sweep_id)
          FROM temp.pick p JOIN s.folds f ON f.id = p.src_id
         ORDER BY f.id`),
      epochs: db.prepare(`
        INSERT INTO main.epochs (fold_id, ${list(epochColumns)})
        SELECT t.id, ${list(epochColumns, 'e.')}
          FROM temp.pick p JOIN s.epochs e ON e.fold_id = p.src_id JOIN main.folds t ON t.config_hash = p.config_hash`),
      artifacts: db.prepare(`
        INSERT INTO main.artifacts (fold_id, ${list(artifactColumns)})
        SELECT t.id, ${list(artifactColumns, 'a.')}
          FROM temp.pick p JOIN s.artifacts a ON a.fold_id = p.src_id JOIN main.folds t ON t.config_hash = p.config_hash`),
      // The first teacher stored under a key wins, as Store.putTeacher keeps it.
      teachers: db.prepare(`
        INSERT INTO main.teachers (${list(teacherColumns)})
        SELECT ${list(teacherColumns, 'x.')} FROM s.teachers x WHERE x.key NOT IN (SELECT key FROM main.teachers)`),
      // The newer measurement wins, as Store.saveStepTimes replaces older ones.
      stepTimes: db.prepare(`
        INSERT INTO main.step_times (${list(stepColumns)})
        SELECT ${list(stepColumns)} FROM s.step_times WHERE true
        ON CONFLICT (${list(stepKey)}) DO UPDATE SET
          ${stepColumns.filter((c) => !stepKey.includes(c)).map((c) => `"${c}" = excluded."${c}"`).join(', ')}
        WHERE excluded.measured_at > step_times.measured_at`),
    });
    for (const file of files) {
      db.prepare('ATTACH ? AS s').run(file);
      try {
        const st = prepare();
        const r = db.transaction((): ShardMergeResult => {
          st.lock.run();
          st.clear.run();
          const tally = st.tally.get() as Pick<ShardMergeResult, 'folds' | 'kept' | 'keptDiffering' | 'superseded'>;
          st.pick.run();
          const picked = st.picked.get() as Pick<MergeCounts, 'done' | 'failed' | 'replaced'>;
          const sweepsAdded = st.sweeps.run().changes;
          st.replace.run();
          st.folds.run();
          return {
            shard: file,
            ...tally,
            ...picked,
            sweeps: sweepsAdded,
            epochs: st.epochs.run().changes,
            artifacts: st.artifacts.run().changes,
            teachers: st.teachers.run().changes,
            stepTimes: st.stepTimes.run().changes,
          };
        })();
        report.shards.push(r);
        for (const k of Object.keys(ZERO) as (keyof MergeCounts)[]) report.total[k] += r[k];
        onShard?.(r);
      } catch (e) {
        throw blame(db, e, file, target);
      } finally {
        db.exec('DETACH s');
      }
    }
    return report;
  } catch (e) {
    throw storeFaultOf(e, target) ?? e;
  } finally {
    store.close();
  }
}
