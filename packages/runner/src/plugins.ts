import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type DistillerPlugin, checkPlugin, getDistiller, hasDistiller, registerDistiller } from '@cmcrd/core';
import { builtinDistillers } from '@cmcrd/kd-baselines';
import { ConfigError } from './errors.js';
import { registerDisplayName } from './report/display.js';

/** Registers the baseline distillers of @cmcrd/kd-baselines (CMCRD itself lives in core). */
export function loadBuiltins(): void {
  for (const plugin of builtinDistillers) if (!hasDistiller(plugin.name)) registerDistiller(plugin);
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

/** A module given on the command line or in a config: a file path (made absolute) or a package name. */
export function resolvePluginSpec(spec: string, baseDir: string): string {
  if (!looksLikePath(spec)) return spec;
  const file = resolve(baseDir, spec);
  if (!existsSync(file)) throw new ConfigError(`plugin module '${spec}' does not exist (looked for ${file})`);
  return file;
}

/**
 * Loads outside distiller plugins (resolved specs), checks each against the contract and
 * registers it under its own name. Fails before any training, naming the module.
 */
export async function loadPluginModules(specs: readonly string[]): Promise<DistillerPlugin[]> {
  const plugins: DistillerPlugin[] = [];
  for (const spec of specs) {
    const known = loaded.get(spec);
    if (known) {
      plugins.push(getDistiller(known));
      continue;
    }
    let mod: Record<string, unknown>;
    try {
      mod = await import(isAbsolute(spec) ? pathToFileURL(spec).href : spec);
    } catch (e) {
      const err = e as Error & { code?: string };
      const why = err.code === 'ERR_MODULE_NOT_FOUND' && !isAbsolute(spec) ? 'no such package is installed' : err.message;
      throw new ConfigError(`plugin module '${spec}' cannot be loaded: ${why}`);
    }
    const candidate = mod.default ?? mod.plugin;
    let plugin: DistillerPlugin;
    try {
      plugin = checkPlugin(candidate, `'${spec}'`);
    } catch (e) {
      throw new ConfigError((e as Error).message);
    }
    if (hasDistiller(plugin.name)) {
      throw new ConfigError(`plugin module '${spec}' registers '${plugin.name}', which is already a distiller here`);
    }
    registerDistiller(plugin, spec);
    // Tables printed in this process name it as it asks to be named.
    if (plugin.displayName) registerDisplayName(plugin.name, plugin.displayName);
    loaded.set(spec, plugin.name);
    plugins.push(plugin);
  }
  return plugins;
}
