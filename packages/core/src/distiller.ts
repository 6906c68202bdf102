import { UserError } from '@cmcrd/data/user-error';
import type { z } from 'zod';
import type { Modality } from './backbones/types.js';
import type { Random } from './random.js';
import type { Scalar, Tensor2D, Variable } from './tf.js';

export interface DistillerContext {
  student: { modality: Modality; featureDims: number[] };
  teacher: { modality: Modality; featureDims: number[] };
  numClasses: number;
  /** The student's training set: for memory banks and negative sampling. */
  train: { size: number; labels: Int32Array };
  /** Seeded; every random choice a distiller makes should come from here. */
  random: Random;
}

export interface DistillBatch {
  student: { logits: Tensor2D; features: Tensor2D[] };
  /** Constants: the teacher is frozen and nothing flows back into it. */
  teacher: { logits: Tensor2D; features: Tensor2D[] };
  labels: Int32Array;
  /** The same labels, one-hot [n, c], for tensor arithmetic. */
  labelsOneHot: Tensor2D;
  /** Rows of the training set in this batch. */
  indices: Int32Array;
}

export interface Distiller {
  /** Trained together with the student (projections, regressors, embeddings). */
  variables: Variable[];
  /** Called inside the gradient tape; returns the already weighted scalar loss. */
  loss(batch: DistillBatch): Scalar;
  /**
   * State updates outside the tape after each optimizer step (memory banks). The batch's tensors
   * are gone by then: keep (tf.keep) whatever loss() computed that the update needs.
   */
  afterStep?(step: { labels: Int32Array; indices: Int32Array }): void;
  dispose(): void;
}

/**
 * What option resolution knows about the run the options are for, beyond the options themselves:
 * values a plugin may take its defaults from (DistillerPlugin.defaults).
 */
export interface OptionsContext {
  /** K, the paper's number of negatives for the run's dataset and protocol (DESIGN.md §2). */
  negatives: number;
}

/** What the teacher should be trained with for this distiller (e.g. CMCRD's `mcc` switch). */
export interface TeacherRequirements {
  mcc?: boolean;
}

export interface DistillerPlugin<O extends Record<string, unknown> = Record<string, unknown>> {
  /** Registry key used in configs: 'cmcrd', 'kd', ... */
  name: string;
  description?: string;
  /** How tables and the dashboard name it ('KD', 'FitNet', 'CMCRD'); default: its `name`. */
  displayName?: string;
  /** Its colour in charts, a CSS colour ('#4e79a7', 'rgb(78 121 167)', 'teal'). */
  color?: string;
  /** Validates options and fills defaults (weight, temperature, ...). */
  options: z.ZodType<O>;
  /**
   * Defaults that depend on the run (e.g. `negatives` = the dataset's K): given options win over
   * them, and `options` fills whatever neither gives. Optional; without it `options` alone decides.
   */
  defaults?(ctx: OptionsContext): Partial<O>;
  create(ctx: DistillerContext, opts: O): Distiller;
  teacher?(opts: O): TeacherRequirements;
}

/** A plugin that breaks the contract (a missing field, a non-scalar loss): its author's mistake to fix. */
export class PluginContractError extends UserError {
  override name = 'PluginContractError';
}

export class UnknownMethodError extends UserError {
  override name = 'UnknownMethodError';
}

/** Options a plugin's schema refuses; `location.key` is the path to the first refused option. */
export class OptionsError extends UserError {
  override name = 'OptionsError';
}

/** A CSS colour as a stylesheet writes one: hex, a colour function, or a named colour. */
const CSS_COLOR = /^(#[0-9a-f]{3,4}|#[0-9a-f]{6}|#[0-9a-f]{8}|(rgb|rgba|hsl|hsla|hwb|lab|lch|oklab|oklch)\([^;{}()]*\)|[a-z]{3,30})$/i;

/** Checks that an object satisfies the plugin contract; names what is missing. */
export function checkPlugin(candidate: unknown, origin: string): DistillerPlugin {
  const fail = (what: string): never => {
    throw new PluginContractError(`distiller plugin from ${origin}: ${what}`);
  };
  if (candidate === undefined) fail('there is no default export (write `export default yourPlugin`)');
  if (candidate === null || typeof candidate !== 'object') fail('the default export is not an object');
  const p = candidate as Record<string, unknown>;
  if (typeof p.name !== 'string' || !/^[a-z][a-z0-9-]*$/.test(p.name)) {
    fail("'name' must be a lowercase string such as 'my-loss'");
  }
  const opts = p.options as { safeParse?: unknown } | undefined;
  if (!opts || typeof opts.safeParse !== 'function') fail("'options' must be a zod schema");
  if (typeof p.create !== 'function') fail("'create' must be a function (ctx, options) => Distiller");
  if (p.teacher !== undefined && typeof p.teacher !== 'function')
    fail("'teacher' must be a function when given");
  if (p.defaults !== undefined && typeof p.defaults !== 'function')
    fail("'defaults' must be a function (ctx) => options when given");
  if (
    p.displayName !== undefined &&
    (typeof p.displayName !== 'string' || !/^[^\n\r]{1,40}$/.test(p.displayName) || !p.displayName.trim())
  )
    fail("'displayName' must be a short one-line string such as 'My loss' when given");
  if (p.color !== undefined && (typeof p.color !== 'string' || !CSS_COLOR.test(p.color.trim())))
    fail("'color' must be a CSS colour such as '#4e79a7', 'rgb(78 121 167)' or 'teal' when given");
  return candidate as DistillerPlugin;
}

const REGISTRY = new Map<string, DistillerPlugin>();

export function registerDistiller(plugin: DistillerPlugin, origin = 'built-in'): void {
  const checked = checkPlugin(plugin, origin);
  REGISTRY.set(checked.name, checked);
}

export function getDistiller(name: string): DistillerPlugin {
  const p = REGISTRY.get(name);
  if (!p) throw new UnknownMethodError(`unknown distiller '${name}' (known: ${listDistillers().join(', ')})`);
  return p;
}

export function hasDistiller(name: string): boolean {
  return REGISTRY.has(name);
}

export function listDistillers(): string[] {
  return [...REGISTRY.keys()].sort();
}

/**
 * Validates a plugin's options, filling defaults: the given ones, then the plugin's defaults for
 * the run's context (when both are there), then its schema's; the error names the plugin and the key.
 */
export function parseDistillerOptions(plugin: DistillerPlugin, raw: unknown, ctx?: OptionsContext): Record<string, unknown> {
  const given = (raw ?? {}) as Record<string, unknown>;
  const fromContext = ctx && plugin.defaults ? contextDefaults(plugin, ctx) : null;
  // Only where the given value is not an object can nothing be merged: the schema says what is wrong.
  const merged = fromContext && typeof given === 'object' && !Array.isArray(given) ? { ...fromContext, ...given } : given;
  const r = plugin.options.safeParse(merged);
  if (!r.success) {
    const issues = r.error.issues.map((i) => `${i.path.join('.') || '(options)'}: ${i.message}`).join('; ');
    throw new OptionsError(`options of '${plugin.name}': ${issues}`, { key: zodIssueKey(r.error.issues[0]) });
  }
  return r.data;
}

/** The path to the value a zod issue is about: an unrecognised key is named by the key itself. */
export function zodIssueKey(issue: z.ZodError['issues'][number]): (string | number)[] {
  const path = issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p));
  return issue.code === 'unrecognized_keys' && issue.keys.length ? [...path, issue.keys[0]] : path;
}

function contextDefaults(plugin: DistillerPlugin, ctx: OptionsContext): Record<string, unknown> {
  const d = plugin.defaults!(ctx);
  if (d === null || typeof d !== 'object' || Array.isArray(d)) {
    throw new PluginContractError(`defaults() of '${plugin.name}' must return an object of options`);
  }
  return d as Record<string, unknown>;
}

/** Checks a distiller's returned loss is a scalar tensor (the caller names the distiller). */
export function checkLossShape(loss: unknown): asserts loss is Scalar {
  const t = loss as { rank?: number; shape?: number[] } | null;
  if (!t || typeof t !== 'object' || typeof t.rank !== 'number') {
    throw new PluginContractError('loss() did not return a tensor');
  }
  if (t.rank !== 0) throw new PluginContractError(`loss() returned shape [${t.shape}], expected a scalar`);
}
