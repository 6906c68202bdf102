// The raw SQL a ReadStore runs besides drizzle's query builder (the grouped report reads, pragmas),
// without naming a driver: better-sqlite3 answers it in Node (better-sqlite3-client.ts), sql.js —
// SQLite compiled to WebAssembly — in a web page (sql-js.ts). Both run the same SQLite, so the same
// statement returns the same rows.

/** A value bound to a `?` placeholder. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/**
 * Synchronous reads of one SQLite connection. Integers come back as numbers, text as strings, NULL
 * as null; a statement's result columns are named by its aliases.
 */
export interface SqlClient {
  /** Every row, as an object keyed by column name. */
  all<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): T[];
  /** The first row as an object; undefined when there is none. */
  get<T = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): T | undefined;
  /** The first column of every row. */
  pluck<T = unknown>(sql: string, params?: readonly SqlValue[]): T[];
  /** Every row as an array of its columns, in order. */
  raw<T extends unknown[] = unknown[]>(sql: string, params?: readonly SqlValue[]): T[];
  /** The value of a pragma that has one (`PRAGMA name`, e.g. 'application_id', 'data_version'). */
  pragma(name: string): unknown;
  close(): void;
}
