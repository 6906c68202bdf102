import { type RunConfig, type RunInput, resolveRun } from './config.js';
import { foldIdentity, teacherKeyOf } from './fold.js';
import { canonicalJson, hashOf } from '@cmcrd/store';
import { loadPluginModules, resolvePluginSpec } from './plugins.js';

/** One fold of one cell: the unit the executor schedules and the store records. */
export interface FoldJob {
  /** The cell as given (for messages); never resolved again. */
  input: RunInput;
  /**
   * The cell resolved once, where it was given, and narrowed to this fold: plain data that worker
   * processes and the queue receive as it is (its plugin is looked up by name where it runs).
   */
  config: RunConfig;
  foldKey: string;
  configHash: string;
  /** The teacher this fold uses (null for the reference methods). */
  teacherKey: string | null;
  /** Jobs with the same group share a split and teachers: one worker runs them in a row. */
  groupKey: string;
  /**
   * Store a t-SNE embedding of the test features with the fold (RunOptions.embeddings). Not part of
   * the fold's identity: the same fold with or without it has the same configHash.
   */
  embeddings?: boolean;
  /** Store the fold's trained model with it (RunOptions.keepModels); not part of its identity either. */
  keepModels?: boolean;
}

export interface ExpandOptions {
  /** Every job stores its fold's t-SNE embedding (`cmcrd run` and `demo` do; sweeps when asked). */
  embeddings?: boolean;
  /** Every job stores its fold's trained model (`cmcrd run` and `demo` do; sweeps when asked). */
  keepModels?: boolean;
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

/** Expands cells into fold jobs, grouped so that the methods of a fold share its split and teacher. */
export function expandJobs(inputs: RunInput[], o: ExpandOptions = {}): { jobs: FoldJob[]; configs: RunConfig[] } {
  const configs = inputs.map(resolveRun);
  const jobs: FoldJob[] = [];
  // The same fold asked for twice (by two cells or two grids) runs once.
  const seen = new Set<string>();
  configs.forEach((config, i) => {
    for (const foldKey of config.folds) {
      const configHash = hashOf(foldIdentity(config, foldKey));
      if (seen.has(configHash)) continue;
      seen.add(configHash);
      jobs.push({
        input: { ...inputs[i], folds: [foldKey] },
        config: { ...config, folds: [foldKey] },
        foldKey,
        configHash,
        teacherKey: teacherKeyOf(config, foldKey),
        groupKey: canonicalJson([config.dataset, config.dataSeed, config.protocol, foldKey, config.protocolOptions, config.backbone, config.seed]),
        ...(o.embeddings ? { embeddings: true } : {}),
        ...(o.keepModels ? { keepModels: true } : {}),
      });
    }
  });
  // A stable sort: each group's jobs together, groups in order of first appearance.
  const order = new Map<string, number>();
  for (const j of jobs) if (!order.has(j.groupKey)) order.set(j.groupKey, order.size);
  jobs.sort((a, b) => order.get(a.groupKey)! - order.get(b.groupKey)!);
  return { jobs, configs };
}
