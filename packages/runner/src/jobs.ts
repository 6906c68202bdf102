import { type RunConfig, type RunInput, resolveRun } from './config.js';
import { foldIdentity } from './fold.js';
import { hashOf } from './identity.js';
import { loadPluginModules, resolvePluginSpec } from './plugins.js';

/** One fold of one cell: the unit the executor schedules and the store records. */
export interface FoldJob {
  /** The cell's input, re-resolved where the job runs (plugins are not transferable). */
  input: RunInput;
  foldKey: string;
  configHash: string;
}

/**
 * Loads the outside plugins the cells name (paths relative to baseDir become absolute, so that
 * worker processes load the same files) and returns the cells ready for expandJobs.
 */
export async function preparePlugins(inputs: RunInput[], baseDir: string): Promise<RunInput[]> {
  const out: RunInput[] = [];
  for (const input of inputs) {
    const plugins = input.plugins?.map((p) => resolvePluginSpec(p, baseDir));
    if (plugins?.length) await loadPluginModules(plugins);
    out.push(plugins ? { ...input, plugins } : input);
  }
  return out;
}

/** Expands cells into fold jobs, grouped by fold so that a fold's methods can share a teacher. */
export function expandJobs(inputs: RunInput[]): { jobs: FoldJob[]; configs: RunConfig[] } {
  const configs = inputs.map(resolveRun);
  const jobs: FoldJob[] = [];
  configs.forEach((config, i) => {
    for (const foldKey of config.folds) {
      jobs.push({ input: { ...inputs[i], folds: [foldKey] }, foldKey, configHash: hashOf(foldIdentity(config, foldKey)) });
    }
  });
  const order = new Map<string, number>();
  for (const j of jobs) if (!order.has(j.foldKey)) order.set(j.foldKey, order.size);
  jobs.sort((a, b) => order.get(a.foldKey)! - order.get(b.foldKey)!);
  return { jobs, configs };
}
