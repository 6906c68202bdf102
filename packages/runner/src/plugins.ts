import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { type DistillerPlugin, checkPlugin, cmcrdPlugin, getDistiller, hasDistiller, registerDistiller } from '@cmcrd/core';
import { builtinDistillers } from '@cmcrd/kd-baselines';
import { exports as packageExports } from 'resolve.exports';
import { ConfigError } from './errors.js';
import { registerDisplayName, registerOptionDefaults } from '@cmcrd/reports';
import type { PluginResolveData } from './plugin-resolve-hook.js';

/**
 * The built-in distillers, the one list of them: CMCRD (in @cmcrd/core) and the seven baselines of
 * @cmcrd/kd-baselines. Nothing registers a built-in anywhere else.
 */
export const BUILTIN_DISTILLERS: readonly DistillerPlugin[] = Object.freeze([cmcrdPlugin as DistillerPlugin, ...builtinDistillers]);

/** Registers BUILTIN_DISTILLERS (once per process; calling it again does nothing). */
export function loadBuiltins(): void {
  for (const plugin of BUILTIN_DISTILLERS) if (!hasDistiller(plugin.name)) registerDistiller(plugin);
}

/** module spec → registered name, for the outside plugins loaded in this process. */
const loaded = new Map<string, string>();

/** The module an outside plugin came from, or null for a built-in. */
export function pluginModuleOf(name: string): string | null {
  for (const [spec, n] of loaded) if (n === name) return spec;
  return null;
}

function looksLikePath(spec: string): boolean {
  return spec.startsWith('.') || isAbsolute(spec) || /\.(m?[jt]s|cjs)$/.test(spec);
}

/** The folder of an installed package, looked up in node_modules from dir upwards. */
function findInstalledPackage(name: string, dir: string): string | null {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const candidate = join(d, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    if (dirname(d) === d) return null;
  }
}

/**
 * A module given on the command line or in a config: a file or a package folder (made absolute),
 * or a package name — installed below baseDir (made the absolute folder), or else left to the
 * CLI's own resolution.
 */
export function resolvePluginSpec(spec: string, baseDir: string): string {
  if (!looksLikePath(spec)) return findInstalledPackage(spec, baseDir) ?? spec;
  const file = resolve(baseDir, spec);
  if (!existsSync(file)) throw new ConfigError(`plugin module '${spec}' does not exist (looked for ${file})`);
  return file;
}

/** The --conditions this process runs with (a package folder's exports are read with them). */
function activeConditions(): string[] {
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  const out: string[] = [];
  args.forEach((a, i) => {
    const m = /^(?:--conditions|-C)(?:=(.+))?$/.exec(a);
    if (m) out.push(m[1] ?? args[i + 1]);
  });
  return out.filter(Boolean);
}

/** A package folder's entry module: its exports ('.', import conditions), else main, else index.js. */
function packageEntry(dir: string): string {
  const manifest = join(dir, 'package.json');
  if (!existsSync(manifest)) throw new ConfigError(`plugin folder '${dir}' has no package.json`);
  let pkg: Record<string, unknown>;
  try {
    pkg = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (e) {
    throw new ConfigError(`plugin folder '${dir}': package.json is not valid JSON (${(e as Error).message})`);
  }
  let entry: string | undefined;
  if (pkg.exports !== undefined) {
    // The source entry first (a scaffolded plugin's `@cmcrd/source`: its TypeScript, loaded through
    // tsx, so that an edit needs no build), whether or not this CLI runs from source itself; then the
    // entry for this process's conditions (a built or published package's `dist/`).
    const candidates: string[] = [];
    for (const conditions of [['@cmcrd/source', ...activeConditions()], activeConditions()]) {
      try {
        const found = packageExports(pkg, '.', { conditions: [...conditions, 'node', 'import'] })?.[0];
        if (found) candidates.push(found);
      } catch (e) {
        throw new ConfigError(`plugin folder '${dir}': package.json 'exports' has no entry for import (${(e as Error).message})`);
      }
    }
    entry = candidates.find((c) => existsSync(resolve(dir, c))) ?? candidates[candidates.length - 1];
  }
  entry ??= typeof pkg.main === 'string' ? pkg.main : 'index.js';
  const file = resolve(dir, entry);
  if (!existsSync(file)) throw new ConfigError(`plugin folder '${dir}': its entry ${entry} does not exist (not built yet?)`);
  return file;
}

/** The folder that holds a package's file: the nearest one with a package.json. */
function packageRootOf(file: string): string {
  for (let d = dirname(file); ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) return dirname(file);
  }
}

// The packages a plugin shares with the CLI, and a module of the CLI to resolve each from.
const runnerUrl = import.meta.url;
const coreUrl = import.meta.resolve('@cmcrd/core');
const SHARED: Record<string, string> = {
  '@cmcrd/core': runnerUrl,
  '@cmcrd/data': runnerUrl,
  '@cmcrd/kd-baselines': runnerUrl,
  zod: coreUrl,
  '@tensorflow/tfjs': coreUrl,
  '@tensorflow/tfjs-core': coreUrl,
};
const hooked = new Set<string>();

/** The CLI's own folder: the workspace that holds this package (or the package itself). */
function cliRoot(): string {
  const pkg = packageRootOf(realpathSync(fileURLToPath(import.meta.url)));
  for (let d = pkg; dirname(d) !== d; d = dirname(d)) if (existsSync(join(d, 'pnpm-workspace.yaml'))) return d;
  return pkg;
}

/** From now on, imports of the shared packages by files below root reach the CLI's own modules. */
export function shareImportsBelow(root: string): void {
  const real = realpathSync(root);
  if (hooked.has(real)) return;
  hooked.add(real);
  const hook = new URL(import.meta.url.endsWith('.ts') ? './plugin-resolve-hook.ts' : './plugin-resolve-hook.js', import.meta.url);
  const own = cliRoot();
  const data: PluginResolveData = { root: real, targets: SHARED, exclude: own.startsWith(real + sep) ? own : null };
  register(hook, { data });
}

/** Where to import a loaded spec from, after making its imports of the shared packages the CLI's. */
function prepareImport(spec: string): string {
  if (!isAbsolute(spec)) {
    // A package name the CLI itself resolves.
    let url: string;
    try {
      url = import.meta.resolve(spec);
    } catch {
      throw new ConfigError(`plugin module '${spec}' cannot be loaded: no such package is installed`);
    }
    if (url.startsWith('file:')) shareImportsBelow(packageRootOf(new URL(url).pathname));
    return spec;
  }
  if (statSync(spec).isDirectory()) {
    const entry = packageEntry(spec);
    shareImportsBelow(spec);
    return pathToFileURL(entry).href;
  }
  shareImportsBelow(dirname(spec));
  return pathToFileURL(spec).href;
}

/** The plugin object of a module: its default export (or one named `plugin`). */
function pluginExportOf(mod: Record<string, unknown>, spec: string): unknown {
  const candidate = mod.default ?? mod.plugin;
  if (candidate !== undefined) return candidate;
  const names = Object.keys(mod);
  const has = names.length ? `it exports ${names.map((n) => `'${n}'`).join(', ')}` : 'it exports nothing';
  throw new ConfigError(`plugin module '${spec}' has no default export (${has}): write \`export default yourPlugin\``);
}

let typeScript: Promise<void> | null = null;

/**
 * A plugin written in TypeScript, loaded by the compiled cmcrd (which runs without tsx): tsx's
 * loader, registered once, the first time one is imported. Its tsconfig lookup is off: a plugin
 * folder's `paths` (types only, see plugin-scaffold.ts) must not redirect the CLI's own imports.
 */
function loadTypeScript(): Promise<void> {
  if (import.meta.url.endsWith('.ts')) return Promise.resolve(); // running from source: tsx is on
  typeScript ??= import('tsx/esm/api').then(({ register: registerTsx }) => {
    registerTsx({ tsconfig: false });
  });
  return typeScript;
}

/** Imports a plugin module (a resolved spec) and returns its plugin object, unchecked. */
export async function importPlugin(spec: string): Promise<unknown> {
  if (isAbsolute(spec) && !existsSync(spec)) throw new ConfigError(`plugin module '${spec}' does not exist`);
  const target = prepareImport(spec);
  if (/\.[cm]?ts$/.test(target)) await loadTypeScript();
  let mod: Record<string, unknown>;
  try {
    mod = await import(target);
  } catch (e) {
    const err = e as Error & { code?: string };
    const why = err.code === 'ERR_MODULE_NOT_FOUND' && !isAbsolute(spec) ? 'no such package is installed' : err.message;
    throw new ConfigError(`plugin module '${spec}' cannot be loaded: ${why}`);
  }
  return pluginExportOf(mod, spec);
}

/**
 * Loads outside distiller plugins (resolved specs), checks each against the contract and
 * registers it under its own name. Fails before any training, naming the module.
 */
export async function loadPluginModules(specs: readonly string[]): Promise<DistillerPlugin[]> {
  const plugins: DistillerPlugin[] = [];
  // A plugin may not take a built-in's name: they are registered first (only when there are plugins,
  // so that a report without them loads no TensorFlow.js).
  if (specs.length > 0) loadBuiltins();
  for (const spec of specs) {
    const known = loaded.get(spec);
    if (known) {
      plugins.push(getDistiller(known));
      continue;
    }
    let plugin: DistillerPlugin;
    try {
      plugin = checkPlugin(await importPlugin(spec), `'${spec}'`);
    } catch (e) {
      throw e instanceof ConfigError ? e : new ConfigError((e as Error).message);
    }
    if (hasDistiller(plugin.name)) {
      throw new ConfigError(`plugin module '${spec}' registers '${plugin.name}', which is already a distiller here`);
    }
    registerDistiller(plugin, spec);
    // Tables printed in this process name it as it asks to be named.
    if (plugin.displayName) registerDisplayName(plugin.name, plugin.displayName);
    const defaults = plugin.options.safeParse({});
    if (defaults.success) registerOptionDefaults(plugin.name, defaults.data as Record<string, unknown>);
    loaded.set(spec, plugin.name);
    plugins.push(plugin);
  }
  return plugins;
}

/** The repeatable --plugin option of the commands that name methods. */
export { collectPlugin } from './cli-args.js';

/** Loads the --plugin modules of a command, paths relative to where the user ran it: each module and its method. */
export async function loadCliPlugins(specs: readonly string[] | undefined): Promise<{ module: string; method: string }[]> {
  const resolved = (specs ?? []).map((p) => resolvePluginSpec(p, process.env.INIT_CWD ?? process.cwd()));
  const plugins = await loadPluginModules(resolved);
  return plugins.map((p, i) => ({ module: resolved[i], method: p.name }));
}

/** Cells of a method a --plugin module registered name the module, so that worker processes load it too. */
export function withCliPlugins<T extends { method: string; plugins?: string[] }>(cells: T[], cli: { module: string; method: string }[]): T[] {
  if (!cli.length) return cells;
  return cells.map((c) => {
    const extra = cli.filter((p) => p.method === c.method && !c.plugins?.includes(p.module)).map((p) => p.module);
    return extra.length ? { ...c, plugins: [...(c.plugins ?? []), ...extra] } : c;
  });
}

/**
 * The plugin of a resolved method, looked up where its fold runs: a built-in by name, an outside
 * plugin from its module (loaded once per process). Null for the reference methods.
 */
export async function distillerOf(method: { name: string; distiller: boolean; module: string | null }): Promise<DistillerPlugin | null> {
  if (!method.distiller) return null;
  loadBuiltins();
  if (!method.module) return getDistiller(method.name);
  const [plugin] = await loadPluginModules([method.module]);
  if (plugin.name !== method.name) {
    throw new ConfigError(`plugin module '${method.module}' registers '${plugin.name}', not the method '${method.name}' its folds were resolved with`);
  }
  return plugin;
}
