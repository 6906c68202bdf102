import { rmSync, writeFileSync } from 'node:fs';

/** Room kept free beside a store while a sweep runs: enough for a few pages of SQLite's WAL. */
const BALLAST_BYTES = 256 * 1024;

/**
 * A file of zeros beside the store, written when a sweep starts and deleted when it ends. When the
 * disk fills up, deleting it first frees the room to mark the sweep stopped (one small write),
 * which a full disk would refuse too.
 */
export class Ballast {
  readonly path: string;

  constructor(storePath: string) {
    this.path = `${storePath}-ballast`;
    try {
      writeFileSync(this.path, Buffer.alloc(BALLAST_BYTES));
    } catch {
      // No room even for this (or a read-only folder): there is nothing to give back later.
      this.release();
    }
  }

  release(): void {
    try {
      rmSync(this.path, { force: true });
    } catch {
      // A read-only folder: the file was never written.
    }
  }
}
