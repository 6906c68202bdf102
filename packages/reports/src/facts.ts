import { canonicalJson, decodeVariant } from '@cmcrd/store/read';
import { optionDefaults } from './option-defaults.js';
import type { FoldFact } from '@cmcrd/store/read';
import { isComplete, type ProtocolFlags, type ReportCell } from './model.js';

/** The paper's row order; outside plugins sort between the baselines and CMCRD. */
const METHOD_ORDER = ['eeg-only', 'em-only', 'fusion', 'kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd'];

export function methodRank(method: string): number {
  if (method === 'cmcrd') return 1000;
  const i = METHOD_ORDER.indexOf(method);
  return i >= 0 ? i : 500;
}

export function byMethodOrder(a: string, b: string): number {
  return methodRank(a) - methodRank(b) || a.localeCompare(b);
}

/** Plain code-point order (so `cmcrd (mcc=false)` precedes `cmcrd (mcc=false, us=false)`, on every locale). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export const PROTOCOL_ORDER = ['within-subject', 'cross-subject'];

export function byProtocolOrder(a: string, b: string): number {
  const ra = PROTOCOL_ORDER.indexOf(a);
  const rb = PROTOCOL_ORDER.indexOf(b);
  return (ra < 0 ? 99 : ra) - (rb < 0 ? 99 : rb) || a.localeCompare(b);
}

const flagsCache = new Map<string, ProtocolFlags>();

export function protocolFlagsOf(json: string): ProtocolFlags {
  let flags = flagsCache.get(json);
  if (!flags) {
    const o = JSON.parse(json) as Record<string, unknown>;
    flags = {
      normalisation: String(o.normalisation),
      mccSource: String(o.mccSource),
      epochSelection: String(o.epochSelection),
    };
    flagsCache.set(json, flags);
  }
  return flags;
}

/** The options that let test data in (DESIGN.md §5, §8), named in every table they touch. */
export function leakyFlags(f: ProtocolFlags): string[] {
  const out: string[] = [];
  if (f.normalisation === 'per-subject')
    out.push("normalisation 'per-subject' uses the test subject's own (label-free) statistics");
  if (f.normalisation === 'paper')
    out.push("normalisation 'paper' z-scores the test set on itself (as the reference code)");
  if (f.mccSource === 'target')
    out.push("MCC source 'target' trains on unlabelled test batches (transductive)");
  if (f.epochSelection === 'oracle-test')
    out.push("epoch selection 'oracle-test' picks the epoch by test accuracy: OPTIMISTIC");
  return out;
}

/** Groups by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], keyOf: (t: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = keyOf(it);
    const list = out.get(k);
    if (list) list.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/** A value per fold key: the mean over the fold's seeds (done folds only; each fact is already a seed mean). */
export function perFoldMeans(
  facts: readonly FoldFact[],
  pick: (f: FoldFact) => number | null,
): Map<string, number> {
  const sums = new Map<string, { s: number; k: number }>();
  for (const f of facts) {
    if (f.status !== 'done') continue;
    const v = pick(f);
    if (v === null || !Number.isFinite(v)) continue;
    // Weighted by seeds, in case a cell ever holds two facts of one fold.
    const e = sums.get(f.foldKey);
    if (e) {
      e.s += v * f.runs;
      e.k += f.runs;
    } else sums.set(f.foldKey, { s: v * f.runs, k: f.runs });
  }
  const out = new Map<string, number>();
  for (const [k, e] of sums) out.set(k, e.s / e.k);
  return out;
}

/** Mean and sample standard deviation (n − 1); std is null below two values, mean null for none. */
export function meanStd(values: readonly number[]): { mean: number | null; std: number | null } {
  const n = values.length;
  if (n === 0) return { mean: null, std: null };
  let s = 0;
  for (const v of values) s += v;
  const mean = s / n;
  if (n < 2) return { mean, std: null };
  let ss = 0;
  for (const v of values) ss += (v - mean) ** 2;
  return { mean, std: Math.sqrt(ss / (n - 1)) };
}

/**
 * A cell from its folds: seeds averaged within each fold, then mean ± std over folds. `universe`
 * is every fold key its column has; the cell says how many of them it covers.
 */
export function summaryCell(
  facts: readonly FoldFact[],
  universe: ReadonlySet<string>,
  pick: (f: FoldFact) => number | null,
  scale: number,
): ReportCell {
  const folds = perFoldMeans(facts, pick);
  const { mean, std } = meanStd([...folds.values()]);
  let seeds = 0;
  let failed = 0;
  const seedsPerFold: Record<string, number> = {};
  for (const f of facts) {
    if (f.status === 'failed') failed += f.runs;
    else if (folds.has(f.foldKey)) {
      seeds = Math.max(seeds, f.seeds);
      seedsPerFold[f.foldKey] = (seedsPerFold[f.foldKey] ?? 0) + f.seeds;
    }
  }
  return {
    value: mean === null ? null : mean * scale,
    std: std === null ? null : std * scale,
    n: folds.size,
    expected: universe.size,
    missing: [...universe].filter((k) => !folds.has(k)).sort(),
    failed,
    seeds,
    seedsPerFold,
    marked: false,
    paper: null,
  };
}

/** Marks the highest value of each column among its complete cells (every fold, equal seeds). */
export function markBest(cells: (ReportCell | null)[][]): void {
  const cols = cells[0]?.length ?? 0;
  for (let j = 0; j < cols; j++) {
    let best = -Infinity;
    for (const row of cells) {
      const c = row[j];
      if (c && c.value !== null && isComplete(c) && c.value > best) best = c.value;
    }
    for (const row of cells) {
      const c = row[j];
      if (c && c.value !== null && isComplete(c) && c.value === best) c.marked = true;
    }
  }
}

export interface Variant {
  /** Row key: the method and its distinguishing settings. */
  key: string;
  /** e.g. `cmcrd` or `cmcrd (mcc=false, us=true)`. */
  label: string;
  /** The distinguishing settings (empty for a method's only or default variant). */
  settings: Record<string, unknown>;
  /** Its options are the plugin's defaults (or the plugin is not loaded here and cannot tell). */
  isDefault: boolean;
}

/** A variant (ReadStore.foldFacts) as flat settings: option keys, `student.*`, `teacher.epochs`, `module`. */
export function settingsOf(signature: string): Record<string, unknown> {
  const v = decodeVariant(signature);
  const out: Record<string, unknown> = { ...v.options };
  for (const [k, x] of Object.entries(v.student)) out[`student.${k}`] = x;
  if (v.teacherEpochs !== null) out['teacher.epochs'] = v.teacherEpochs;
  if (v.module !== null) out.module = v.module;
  return out;
}

const OPTION_KEY = /^[^.]+$/;

/**
 * Names the variants of each method: a setting that differs between two variants of a method
 * within one column labels the rows (settings that differ only between columns, like the
 * dataset's number of negatives, do not). An option equal to the plugin's default is left out of
 * the label, so a method's default variant keeps its bare name in every column.
 */
export function variantNamer<F extends Pick<FoldFact, 'method' | 'variant'>>(
  facts: readonly F[],
  columnOf: (f: F) => string,
  defaultsOf: (method: string) => Record<string, unknown> | undefined = optionDefaults,
): (f: F) => Variant {
  const byMethod = groupBy(facts, (f) => f.method);
  const named = new Map<string, Variant>();
  for (const [method, list] of byMethod) {
    const signatures = [...new Set(list.map((f) => f.variant))];
    const settings = new Map(signatures.map((s) => [s, settingsOf(s)]));
    const varying = new Set<string>();
    if (signatures.length > 1) {
      for (const inColumn of groupBy(list, columnOf).values()) {
        const sigs = [...new Set(inColumn.map((f) => f.variant))];
        if (sigs.length < 2) continue;
        const keys = new Set(sigs.flatMap((s) => Object.keys(settings.get(s)!)));
        for (const k of keys) {
          const values = new Set(sigs.map((s) => canonicalJson(settings.get(s)![k] ?? null)));
          if (values.size > 1) varying.add(k);
        }
      }
    }
    const defaults = varying.size ? defaultsOf(method) : undefined;
    for (const sig of signatures) {
      const all = settings.get(sig)!;
      const shown: Record<string, unknown> = {};
      let isDefault = true;
      for (const k of [...varying].sort()) {
        const v = all[k] ?? null;
        const optionAtDefault =
          defaults && OPTION_KEY.test(k) && canonicalJson(defaults[k] ?? null) === canonicalJson(v);
        if (optionAtDefault) continue;
        shown[k] = v;
        if (defaults && OPTION_KEY.test(k)) isDefault = false;
      }
      const parts = Object.entries(shown).map(
        ([k, v]) => `${k}=${typeof v === 'string' ? v : canonicalJson(v)}`,
      );
      const label = parts.length ? `${method} (${parts.join(', ')})` : method;
      named.set(`${method}\u0000${sig}`, { key: label, label, settings: shown, isDefault });
    }
  }
  return (f) => named.get(`${f.method}\u0000${f.variant}`)!;
}
