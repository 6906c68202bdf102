// A store read in a web page: the bytes of a store file opened with sql.js (SQLite compiled to
// WebAssembly) behind the same ReadStore that Store is in Node, so the reports and the API's read
// routes answer from it unchanged. The caller loads sql.js (`initSqlJs`, with its .wasm) and the
// file; this module imports neither sql.js's code nor any Node built-in.
import { drizzle } from 'drizzle-orm/sql-js';
import type { BindParams, Database, SqlJsStatic, Statement } from 'sql.js';
import { StoreError } from './errors.js';
import { APPLICATION_ID, ReadStore } from './read-store.js';
import * as schema from './schema.js';
import type { SqlClient, SqlValue } from './sql-client.js';

/** The SqlClient of a sql.js database. */
export function sqlJsClient(db: Database): SqlClient {
  /** The rows of one statement, each read by `read`; at most `limit`. */
  const rows = <R>(sql: string, params: readonly SqlValue[] | undefined, read: (s: Statement) => R, limit = Infinity): R[] => {
    const stmt = db.prepare(sql);
    try {
      stmt.bind((params ?? []) as BindParams);
      const out: R[] = [];
      while (out.length < limit && stmt.step()) out.push(read(stmt));
      return out;
    } finally {
      stmt.free();
    }
  };
  const object = (s: Statement) => s.getAsObject();
  return {
    all: <T>(sql: string, params?: readonly SqlValue[]) => rows(sql, params, object) as T[],
    get: <T>(sql: string, params?: readonly SqlValue[]) => rows(sql, params, object, 1)[0] as T | undefined,
    pluck: <T>(sql: string, params?: readonly SqlValue[]) => rows(sql, params, (s) => s.get()[0]) as T[],
    raw: <T extends unknown[]>(sql: string, params?: readonly SqlValue[]) => rows(sql, params, (s) => s.get()) as T[],
    pragma: (name: string) => rows(`PRAGMA ${name}`, [], (s) => s.get()[0], 1)[0],
    close: () => db.close(),
  };
}

/**
 * A store file's bytes as a ReadStore, read with sql.js; `name` is how errors and `path` show it.
 * A file that is not a CMCRD store is refused (StoreError), as Store.open refuses it. Nothing is
 * migrated: a published copy is written by this code's schema (`cmcrd publish`). The copy lives in
 * the page's memory and is opened query-only, so nothing can change it.
 */
export function openSqlJsStore(SQL: SqlJsStatic, bytes: Uint8Array, name: string): ReadStore {
  const db = new SQL.Database(bytes);
  const client = sqlJsClient(db);
  try {
    let appId: number;
    try {
      appId = client.pragma('application_id') as number;
    } catch (e) {
      throw new StoreError(`${name} is not a CMCRD store (not a SQLite database: ${(e as Error).message})`, { file: name });
    }
    if (appId !== APPLICATION_ID) {
      throw new StoreError(`${name} is not a CMCRD store (SQLite application_id ${appId}, expected ${APPLICATION_ID})`, { file: name });
    }
    db.run('PRAGMA query_only = ON');
    return new ReadStore(name, drizzle(db, { schema }), client);
  } catch (e) {
    db.close();
    throw e;
  }
}
