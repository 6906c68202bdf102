// The golden fixture store (@cmcrd/store/testing: folds, epochs, artifacts, a teacher, sweeps),
// written once with better-sqlite3 and opened twice: as a Store in Node, and as its file's bytes
// with sql.js, as a published site opens it in a page.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@cmcrd/store';
import type { ReadStore } from '@cmcrd/store/read';
import { openSqlJsStore } from '@cmcrd/store/sql-js';
import { writeGoldenStore } from '@cmcrd/store/testing';
import initSqlJs, { type SqlJsStatic } from 'sql.js';

export interface TwoDrivers {
  SQL: SqlJsStatic;
  /** The store file's bytes, as a page fetches them. */
  bytes: Uint8Array;
  node: Store;
  page: ReadStore;
  close(): void;
}

export async function twoDrivers(): Promise<TwoDrivers> {
  const work = mkdtempSync(join(tmpdir(), 'cmcrd-reports-'));
  const file = join(work, 'golden.sqlite');
  writeGoldenStore(file).close();
  const bytes = new Uint8Array(readFileSync(file));
  const SQL = await initSqlJs();
  const node = Store.openExisting(file);
  const page = openSqlJsStore(SQL, bytes, node.path);
  return {
    SQL,
    bytes,
    node,
    page,
    close() {
      node.close();
      page.close();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
