import { join, resolve } from 'node:path';

/**
 * Where imported datasets are cached: $CMCRD_DATA_DIR, or `datasets/` under the directory the
 * command was started from (pnpm moves the cwd; INIT_CWD keeps the user's).
 */
export function dataDir(): string {
  const fromEnv = process.env.CMCRD_DATA_DIR;
  if (fromEnv) return resolve(fromEnv);
  return resolve(process.env.INIT_CWD ?? process.cwd(), 'datasets');
}

export function cachePath(name: string): string {
  return join(dataDir(), `${name}.arrow`);
}
