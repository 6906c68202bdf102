import { isAbsolute, resolve } from 'node:path';

/** Paths on the command line are relative to where the user typed it (pnpm changes the cwd). */
export function userPath(p: string): string {
  return isAbsolute(p) ? p : resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

export const DEFAULT_DB = 'results/cmcrd.sqlite';
export const DEMO_DB = 'results/demo.sqlite';
