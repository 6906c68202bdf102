import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ImportError } from './import-error.js';

/** The folder must exist and be a directory; `what` says what it should hold. */
export function requireDir(path: string, what: string): string {
  let isDir = false;
  try {
    isDir = statSync(path).isDirectory();
  } catch {
    throw new ImportError(`folder not found (expected ${what})`, path);
  }
  if (!isDir) throw new ImportError(`is not a folder (expected ${what})`, path);
  return path;
}

export function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Files of `dir` whose names match `pattern`, sorted by name. */
export function listMatching(dir: string, pattern: RegExp): { name: string; path: string; match: RegExpExecArray }[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const match = pattern.exec(name);
      return match ? [{ name, path: join(dir, name), match }] : [];
    });
}

export function readBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ImportError(code === 'ENOENT' ? 'file not found' : `cannot be read (${code ?? (e as Error).message})`, path);
  }
}
