import { isAbsolute, resolve } from 'node:path';

/** Paths on the command line are relative to where the user typed it (pnpm changes the cwd). */
export function userPath(p: string): string {
  return isAbsolute(p) ? p : resolve(process.env.INIT_CWD ?? process.cwd(), p);
}

/** The one default store of every command (the demo's folds go there too, as its own experiment). */
export const DEFAULT_DB = 'results/cmcrd.sqlite';
/** @deprecated every command defaults to DEFAULT_DB; kept for code that still imports it. */
export const DEMO_DB = DEFAULT_DB;
