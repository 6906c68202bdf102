/**
 * The built-in distillers' option defaults, as their plugins declare them (`options.parse({})`).
 * A report uses them to tell a method's default variant from the others (the default keeps the
 * bare method name) without loading any plugin. The runner records every fold's method defaults
 * with the fold (`folds.method_defaults`), so this table only serves folds stored before that
 * column existed; a runner test keeps it equal to the plugins.
 */
export const BUILTIN_OPTION_DEFAULTS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  kd: { weight: 10, temperature: 4 },
  fitnet: { weight: 1 },
  nst: { weight: 10 },
  sp: { weight: 100 },
  rkd: { weight: 1, distanceWeight: 25, angleWeight: 50 },
  pkt: { weight: 1000, eps: 1e-7 },
  crd: { weight: 0.02, dim: 128, temperature: 0.07, momentum: 0.5, negatives: 1200 },
  cmcrd: { weight: 0.02, temperature: 0.07, dim: 128, momentum: 0.05, negatives: 1200, mcc: true, us: true, iew: true },
};

const recorded = new Map<string, Record<string, unknown>>();

/** Records a method's defaults: read from the store's folds, or given by a plugin the runner loaded. */
export function registerOptionDefaults(method: string, defaults: Record<string, unknown>): void {
  recorded.set(method, defaults);
}

/** A method's option defaults; undefined when nothing recorded them (the report then cannot tell). */
export function optionDefaults(method: string): Record<string, unknown> | undefined {
  return recorded.get(method) ?? BUILTIN_OPTION_DEFAULTS[method];
}
