// The SqlClient of a better-sqlite3 connection: the Node side of ReadStore's raw reads.
import type Database from 'better-sqlite3';
import type { SqlClient, SqlValue } from './sql-client.js';

export function betterSqliteClient(db: Database.Database): SqlClient {
  const args = (params: readonly SqlValue[] = []) => params as unknown[];
  return {
    all: <T>(sql: string, params?: readonly SqlValue[]) => db.prepare(sql).all(...args(params)) as T[],
    get: <T>(sql: string, params?: readonly SqlValue[]) => db.prepare(sql).get(...args(params)) as T | undefined,
    pluck: <T>(sql: string, params?: readonly SqlValue[]) => db.prepare(sql).pluck().all(...args(params)) as T[],
    raw: <T extends unknown[]>(sql: string, params?: readonly SqlValue[]) => db.prepare(sql).raw(true).all(...args(params)) as T[],
    pragma: (name: string) => db.pragma(name, { simple: true }),
    close: () => db.close(),
  };
}
