import { type DistillerPlugin, getDistiller, hasDistiller, listBackbones, listDistillers, parseDistillerOptions, zodIssueKey } from '@cmcrd/core';
import {
  DATASET_NAMES,
  type DatasetSpec,
  PROTOCOL_NAMES,
  type ProtocolName,
  type ProtocolOptions,
  datasetSpec,
  RELEASE_NAMES,
  listFolds,
  parseProtocol,
  parseProtocolOptions,
} from '@cmcrd/data';
import { UserError } from '@cmcrd/data/user-error';
import { z } from 'zod';

import { DIRECTIONS, type Direction, unknownDirectionMessage } from './directions.js';
import { ConfigError } from './errors.js';
import { loadBuiltins, pluginModuleOf } from './plugins.js';

export { ConfigError };

export { DIRECTIONS, type Direction };
export type Modality = 'eeg' | 'em';
/** Reference methods that train one modality alone (no teacher). */
export const UNIMODAL_METHODS = ['eeg-only', 'em-only'] as const;
/** The unimodal references and their decision fusion (both modalities at test time). */
export const REFERENCE_METHODS = [...UNIMODAL_METHODS, 'fusion'] as const;

import { RUN_DEFAULTS, defaultWarmupEpochs } from './run-defaults.js';

export { RUN_DEFAULTS, defaultWarmupEpochs };

/** What a user may give for one cell of a comparison: everything but the fold. */
export const runInputSchema = z
  .object({
    dataset: z.string(),
    protocol: z.string().default(RUN_DEFAULTS.protocol),
    backbone: z.string().default(RUN_DEFAULTS.backbone),
    method: z.string(),
    direction: z.string().default(RUN_DEFAULTS.direction),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(RUN_DEFAULTS.seed),
    /** Seed of the synthetic generator (ignored by imported datasets). */
    dataSeed: z.number().int().min(0).max(2 ** 31 - 1).default(RUN_DEFAULTS.dataSeed),
    epochs: z.number().int().min(1).max(1000).default(RUN_DEFAULTS.epochs),
    /** Default: defaultWarmupEpochs(epochs), filled by resolveRun. */
    warmupEpochs: z.number().int().min(0).max(1000).optional(),
    teacherEpochs: z.number().int().min(1).max(1000).default(RUN_DEFAULTS.teacherEpochs),
    batchSize: z.number().int().min(2).max(4096).default(RUN_DEFAULTS.batchSize),
    lr: z.number().positive().max(10).default(RUN_DEFAULTS.lr),
    weightDecay: z.number().min(0).max(1).default(RUN_DEFAULTS.weightDecay),
    /** Method options (a distiller's declared options). */
    options: z.record(z.string(), z.unknown()).default({}),
    protocolOptions: z.record(z.string(), z.unknown()).default({}),
    /** Run only these fold keys (default: every fold of the protocol). */
    folds: z.array(z.string()).optional(),
    /** Outside distiller plugins to load first: absolute file paths or package names. */
    plugins: z.array(z.string()).optional(),
  })
  .strict();

export type RunInput = z.input<typeof runInputSchema>;

/**
 * A resolved method: plain data (it goes to worker processes and through the queue as it is). The
 * plugin itself is looked up by name, and module for an outside one, where a fold runs
 * (plugins.ts distillerOf).
 */
export interface MethodPlan {
  name: string;
  /** 'none' for the reference methods. */
  direction: Direction | 'none';
  /** 'eeg+em' for fusion, which needs both modalities at test time. */
  testModality: Modality | 'eeg+em';
  teacherModality: Modality | null;
  /** Whether a distiller plugin trains it (false for the reference methods). */
  distiller: boolean;
  /** How tables name it (the plugin's displayName; '' when it declares none), recorded with its folds. */
  displayName: string;
  /** Options after defaults (what is recorded with the fold). */
  options: Record<string, unknown>;
  /** Whether the teacher is trained with minimum class confusion. */
  teacherMcc: boolean;
  /** The module an outside plugin was loaded from (recorded with its folds); null for built-ins. */
  module: string | null;
  /**
   * The options the plugin declares by default (its schema on no options; null for the reference
   * methods, or when its schema requires options), recorded with its folds so that reports tell its
   * default variant without loading it.
   */
  optionDefaults: Record<string, unknown> | null;
}

/**
 * A cell after every default and name is resolved: plain, serialisable data (JSON round-trips to an
 * equal value), resolved once where the cell is given and handed as it is to worker processes and
 * the queue. Its fold identities (fold.ts foldIdentity) are computed from it alone.
 */
export interface RunConfig {
  dataset: string;
  spec: DatasetSpec;
  dataSeed: number;
  protocol: ProtocolName;
  backbone: string;
  seed: number;
  student: { epochs: number; warmupEpochs: number; batchSize: number; lr: number; weightDecay: number };
  teacherEpochs: number;
  protocolOptions: ProtocolOptions;
  method: MethodPlan;
  folds: string[];
}

function formatZodError(e: z.ZodError, where: string): string {
  return e.issues
    .map((i) => {
      const key = i.path.join('.') || '(config)';
      return i.code === 'unrecognized_keys' ? `${where}: unknown key(s) ${i.keys.join(', ')}` : `${where}: ${key}: ${i.message}`;
    })
    .join('; ');
}

/**
 * Runs `f`, turning what it throws into a ConfigError about the value at `key` in the run input; a
 * UserError's own key path (an option inside `options`) is appended to it.
 */
function wrap<T>(key: string, f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const inner = e instanceof UserError ? (e.location.key ?? []) : [];
    throw new ConfigError((e as Error).message, { key: [key, ...inner] });
  }
}

/** The paper's K for a dataset and protocol (DESIGN.md §2): what plugins' option defaults may use. */
export function datasetNegatives(spec: DatasetSpec, protocol: ProtocolName): number {
  return protocol === 'within-subject' ? spec.negatives.within : spec.negatives.cross;
}

export function planMethod(
  method: string,
  direction: string,
  rawOptions: Record<string, unknown>,
  spec: DatasetSpec,
  protocol: ProtocolName,
): MethodPlan {
  if ((REFERENCE_METHODS as readonly string[]).includes(method)) {
    const given = Object.keys(rawOptions);
    if (given.length) throw new ConfigError(`method '${method}' takes no options (got ${given.join(', ')})`, { key: ['options', given[0]] });
    const testModality = method === 'eeg-only' ? 'eeg' : method === 'em-only' ? 'em' : 'eeg+em';
    return { name: method, direction: 'none', testModality, teacherModality: null, distiller: false, displayName: '', options: {}, teacherMcc: false, module: null, optionDefaults: null };
  }
  loadBuiltins();
  if (!hasDistiller(method)) {
    throw new ConfigError(`unknown method '${method}' (known: ${[...REFERENCE_METHODS, ...listDistillers()].join(', ')})`, { key: ['method'] });
  }
  if (!(DIRECTIONS as readonly string[]).includes(direction)) {
    throw new ConfigError(unknownDirectionMessage(direction), { key: ['direction'] });
  }
  const plugin = getDistiller(method);
  const options = wrap('options', () => parseDistillerOptions(plugin, rawOptions, { negatives: datasetNegatives(spec, protocol) }));
  const [teacherModality, testModality] = direction.split('->') as [Modality, Modality];
  return {
    name: method,
    direction: direction as Direction,
    testModality,
    teacherModality,
    distiller: true,
    displayName: plugin.displayName ?? '',
    options,
    teacherMcc: plugin.teacher?.(options as never).mcc ?? true,
    module: pluginModuleOf(method),
    optionDefaults: declaredDefaults(plugin),
  };
}

function declaredDefaults(plugin: DistillerPlugin): Record<string, unknown> | null {
  const r = plugin.options.safeParse({});
  return r.success ? (r.data as Record<string, unknown>) : null;
}

/** Validates a cell and resolves every name; throws ConfigError naming the bad part. Touches no file. */
export function resolveRun(input: RunInput): RunConfig {
  const parsed = runInputSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(formatZodError(parsed.error, 'run config'), { key: zodIssueKey(parsed.error.issues[0]) });
  const r = parsed.data;
  if (!DATASET_NAMES.includes(r.dataset) && !RELEASE_NAMES.includes(r.dataset)) {
    throw new ConfigError(`unknown dataset '${r.dataset}' (known: ${[...DATASET_NAMES, ...RELEASE_NAMES].join(', ')})`, { key: ['dataset'] });
  }
  // A release reads its import cache here: not imported, or a damaged cache, is a config error.
  const spec = wrap('dataset', () => datasetSpec(r.dataset));
  const protocol = wrap('protocol', () => parseProtocol(r.protocol));
  if (!listBackbones().includes(r.backbone)) {
    throw new ConfigError(`unknown backbone '${r.backbone}' (known: ${listBackbones().join(', ')})`, { key: ['backbone'] });
  }
  const protocolOptions = wrap('protocolOptions', () => parseProtocolOptions(r.protocolOptions));
  const method = planMethod(r.method, r.direction, r.options, spec, protocol);
  const warmupEpochs = r.warmupEpochs ?? defaultWarmupEpochs(r.epochs);
  if (warmupEpochs > r.epochs) {
    throw new ConfigError(`warmupEpochs (${warmupEpochs}) exceeds epochs (${r.epochs})`, { key: ['warmupEpochs'], related: [['epochs']] });
  }
  const all = listFolds(spec, protocol);
  const folds = r.folds ?? all;
  for (const f of folds) {
    if (!all.includes(f)) {
      throw new ConfigError(`unknown fold '${f}' for ${r.dataset} ${protocol} (known: ${all[0]} … ${all[all.length - 1]})`, { key: ['folds', folds.indexOf(f)] });
    }
  }
  return {
    dataset: r.dataset,
    spec,
    dataSeed: r.dataSeed,
    protocol,
    backbone: r.backbone,
    seed: r.seed,
    student: { epochs: r.epochs, warmupEpochs, batchSize: r.batchSize, lr: r.lr, weightDecay: r.weightDecay },
    teacherEpochs: r.teacherEpochs,
    protocolOptions,
    method,
    folds,
  };
}

export { PROTOCOL_NAMES };
