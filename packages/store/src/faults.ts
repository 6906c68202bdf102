import { accessSync, constants, existsSync, statfsSync } from 'node:fs';
import { dirname } from 'node:path';
import { StoreError } from './errors.js';

function writable(path: string): boolean {
  if (!existsSync(path)) return true;
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function freeBytes(file: string): number | null {
  try {
    const s = statfsSync(dirname(file));
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** What went wrong with a store file, from SQLite's error code. */
export type StoreFaultCause = 'disk-full' | 'read-only' | 'damaged' | 'io' | 'locked' | 'cannot-open';

/**
 * A store that cannot be read or written: the disk is full, the file or its folder is read-only,
 * its pages are damaged. One paragraph naming the file, the cause and what to do; the CLI prints
 * it without a stack (exit 2) unless --debug.
 */
export class StoreFaultError extends StoreError {
  override name = 'StoreFaultError';

  constructor(
    readonly file: string,
    readonly kind: StoreFaultCause,
    /** SQLite's own words, e.g. `database or disk is full (SQLITE_FULL)`. */
    readonly detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${explain(kind)} (SQLite: ${detail}). ${advice(kind)}`, { file }, options);
  }
}

function explain(cause: StoreFaultCause): string {
  switch (cause) {
    case 'disk-full':
      return 'the store cannot be written: the disk (or the store\'s size limit) is full';
    case 'read-only':
      return 'the store cannot be written: the file, its folder or its filesystem is read-only';
    case 'damaged':
      return 'the store is damaged: some of its pages are not valid SQLite pages (zeroed, overwritten or cut short)';
    case 'io':
      return 'reading or writing the store failed at the disk (an I/O error)';
    case 'locked':
      return 'the store is locked by another process for longer than the busy timeout';
    case 'cannot-open':
      return 'the store cannot be opened';
  }
}

function advice(cause: StoreFaultCause): string {
  const rerun = 'then run the same command again: every fold already stored is kept, and only the missing ones run.';
  switch (cause) {
    case 'disk-full':
      return `Free space on that disk (or give another store with --db), ${rerun}`;
    case 'read-only':
      return `Make it writable (permissions, a read-only mount) or give a writable copy with --db, ${rerun}`;
    case 'damaged':
      return 'Nothing was written to it. Restore it from a backup, or recover what is readable with `sqlite3 <file> .recover | sqlite3 <new file>` and use the new file; a sweep re-run on the recovered file runs the folds that were lost.';
    case 'io':
      return `Check the disk (dmesg, SMART) and the file's location (a local disk: SQLite's locking is not reliable on network filesystems), ${rerun}`;
    case 'locked':
      return 'Another program holds a write lock on it (an open `sqlite3` shell, a backup tool); close it and run the command again.';
    case 'cannot-open':
      return 'Check that the path and its folder exist and can be read.';
  }
}

/** SQLite's result codes, extended ones included (better-sqlite3 puts them in `code`). */
function causeOf(code: string): StoreFaultCause | null {
  if (code === 'SQLITE_FULL') return 'disk-full';
  if (code.startsWith('SQLITE_READONLY')) return 'read-only';
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') return 'damaged';
  // The OS says the filesystem is read-only (EROFS) or full (ENOSPC) through an I/O error.
  if (code.startsWith('SQLITE_IOERR')) return 'io';
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return 'locked';
  if (code.startsWith('SQLITE_CANTOPEN')) return 'cannot-open';
  return null;
}

/** A StoreFaultError for a SQLite error about `file`, or null when `e` is something else. */
export function storeFaultOf(e: unknown, file: string): StoreFaultError | null {
  if (e instanceof StoreFaultError) return e;
  const code = (e as { code?: unknown })?.code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) {
    // Node's own errors on the store's files (the folder for a new store, a WAL file).
    const sys = (e as NodeJS.ErrnoException)?.code;
    if (sys === 'ENOSPC') return new StoreFaultError(file, 'disk-full', String((e as Error).message), { cause: e });
    if (sys === 'EROFS' || sys === 'EACCES' || sys === 'EPERM')
      return new StoreFaultError(file, 'read-only', String((e as Error).message), { cause: e });
    return null;
  }
  let cause = causeOf(code);
  if (!cause) return null;
  // SQLite cannot open a WAL store it may not write (its -shm and -wal files): say why.
  if (cause === 'cannot-open' || cause === 'io') {
    if (!writable(file) || !writable(dirname(file))) cause = 'read-only';
    else if (code === 'SQLITE_IOERR_WRITE' && freeBytes(file) === 0) cause = 'disk-full';
  }
  return new StoreFaultError(file, cause, `${(e as Error).message} (${code})`, { cause: e });
}
