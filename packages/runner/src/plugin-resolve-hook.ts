// A module resolve hook (node:module register), one per outside plugin root. A plugin imports
// @cmcrd/core, zod or TensorFlow.js: those imports must reach the running CLI's own modules — a
// plugin outside the repository has no node_modules to find them in, and a second copy of tfjs
// beside it would have its own backend registry. Only node built-ins here: this module runs in
// the loader thread.
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PluginResolveData {
  /** The plugin's folder (real path): imports from files below it, outside its node_modules, are redirected. */
  root: string;
  /** Package name → the URL to resolve it from (a module of the CLI that depends on it). */
  targets: Record<string, string>;
  /** The CLI's own folder (real path), when it lies below root: its files resolve as they always do. */
  exclude: string | null;
}

let data: PluginResolveData = { root: '', targets: {}, exclude: null };

export function initialize(d: PluginResolveData): void {
  data = d;
}

/** 'zod/v4' → 'zod', '@cmcrd/core/testing' → '@cmcrd/core'; null for a relative or absolute specifier. */
function packageOf(specifier: string): string | null {
  if (/^[./]|^[a-z][a-z0-9+.-]*:/i.test(specifier)) return null;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

function isPluginFile(parentURL: string | undefined): boolean {
  if (!parentURL?.startsWith('file:')) return false;
  const path = fileURLToPath(parentURL);
  if (!path.startsWith(data.root + sep)) return false;
  if (data.exclude && path.startsWith(data.exclude + sep)) return false;
  return !path.slice(data.root.length).split(sep).includes('node_modules');
}

interface ResolveContext {
  parentURL?: string;
  conditions: string[];
  importAttributes?: Record<string, string>;
}
type NextResolve = (specifier: string, context?: Partial<ResolveContext>) => unknown;

export function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): unknown {
  const pkg = packageOf(specifier);
  const target = pkg ? data.targets[pkg] : undefined;
  if (target && isPluginFile(context.parentURL)) return nextResolve(specifier, { ...context, parentURL: target });
  return nextResolve(specifier, context);
}

interface LoadResult {
  format?: string;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: Record<string, unknown>) => Promise<LoadResult>;

/**
 * A lone TypeScript plugin file (no package.json saying "type": "module" above it) would be
 * compiled to CommonJS, whose require() never reaches the resolve hook: it is loaded as the ES
 * module its import/export syntax says it is.
 */
export async function load(url: string, context: Record<string, unknown>, nextLoad: NextLoad): Promise<LoadResult> {
  const r = await nextLoad(url, context);
  if (r.format === 'commonjs' && /\.m?ts$/.test(url) && isPluginFile(url)) return nextLoad(url, { ...context, format: 'module' });
  return r;
}
