import { readFileSync } from 'node:fs';

/** This package's version (`cmcrd --version`), read from its package.json: the same from src/ and dist/. */
export const CMCRD_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
