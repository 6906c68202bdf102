import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { DEFAULT_DB, userPath } from './paths.js';

/** Whether `file` holds something (a store, or anything else Store.open will judge). */
export function storeFileExists(file: string): boolean {
  return existsSync(file) && statSync(file).size > 0;
}

/**
 * The `.sqlite` files in the folder of the default store (`results/`) and in the folder of the
 * path asked for, shown relative to where the user typed the command.
 */
export function storesNear(file: string): string[] {
  const here = process.env.INIT_CWD ?? process.cwd();
  const found = new Set<string>();
  for (const dir of new Set([dirname(userPath(DEFAULT_DB)), dirname(file)])) {
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const n of names) {
      const p = join(dir, n);
      if (n.endsWith('.sqlite') && storeFileExists(p)) found.add(relative(here, p) || p);
    }
  }
  return [...found].sort();
}

/** The message of a read command pointed at a store that is not there. */
export function missingStoreMessage(file: string): string {
  const stores = storesNear(file);
  const which = stores.length
    ? `stores here: ${stores.join(', ')}`
    : `no stores under ${relative(process.env.INIT_CWD ?? process.cwd(), dirname(userPath(DEFAULT_DB))) || '.'}/ yet (\`cmcrd demo\`, \`cmcrd run\` or \`cmcrd sweep\` write one)`;
  return `no store at ${file} (reading never creates one; nothing was written); ${which}; choose one with --db`;
}

/** Throws (via `fail`) unless a store file is at `path`; for checks made before a slow start (serve builds the dashboard). */
export function requireStoreFile(path: string, fail: (message: string) => Error): string {
  const file = resolve(path);
  if (!storeFileExists(file)) throw fail(missingStoreMessage(file));
  return file;
}
