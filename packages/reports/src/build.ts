import { ALTERNATIVES, PAIRED_TESTS } from './stats.js';
import { and, isNotNull, ne, notInArray } from 'drizzle-orm';
import { schema } from '@cmcrd/store/read';
import type { FoldFact, ReadStore } from '@cmcrd/store/read';
import { BUILTIN_DISPLAY_NAMES, registerDisplayName } from './display.js';
import { registerOptionDefaults } from './option-defaults.js';
import {
  REPORT_FORMATS,
  type ReportFormat,
  type ReportOptions,
  type ReportTable,
  TABLE_KINDS,
  type TableKind,
} from './model.js';
import {
  ablationReport,
  comparisonReport,
  fusionReport,
  significanceReport,
  timingReport,
} from './tables.js';

import { ReportError } from './errors.js';

export { ReportError };

const { folds } = schema;

const BUILDERS: Record<TableKind, (facts: readonly FoldFact[], o: ReportOptions) => ReportTable[]> = {
  comparison: comparisonReport,
  significance: significanceReport,
  fusion: fusionReport,
  timing: timingReport,
  ablation: ablationReport,
};

export function parseTableKind(name: string): TableKind {
  if (!(TABLE_KINDS as readonly string[]).includes(name))
    throw new ReportError(`unknown table '${name}' (known: ${TABLE_KINDS.join(', ')})`);
  return name as TableKind;
}

export function parseReportFormat(name: string): ReportFormat {
  if (!(REPORT_FORMATS as readonly string[]).includes(name))
    throw new ReportError(`unknown format '${name}' (known: ${REPORT_FORMATS.join(', ')})`);
  return name as ReportFormat;
}

/**
 * What the folds recorded about their methods, so a report names and labels those rows without
 * loading any plugin: the display names (an outside plugin's, as it declared it; the built-ins'
 * are known already) and the methods' option defaults (which variant is a method's default).
 */
export function registerRecorded(store: ReadStore): void {
  const names = store.db
    .selectDistinct({ method: folds.method, name: folds.displayName })
    .from(folds)
    .where(and(ne(folds.displayName, ''), notInArray(folds.method, Object.keys(BUILTIN_DISPLAY_NAMES))))
    .all();
  for (const r of names) registerDisplayName(r.method, r.name);
  const defaults = store.db
    .selectDistinct({ method: folds.method, defaults: folds.methodDefaults })
    .from(folds)
    .where(isNotNull(folds.methodDefaults))
    .all();
  for (const r of defaults) registerOptionDefaults(r.method, JSON.parse(r.defaults!) as Record<string, unknown>);
}

/** The tables of one kind from facts already read (ReadStore.foldFacts). */
export function reportFromFacts(
  kind: TableKind,
  facts: readonly FoldFact[],
  o: ReportOptions = {},
): ReportTable[] {
  if (o.family !== undefined && o.family !== 'column' && o.family !== 'table')
    throw new ReportError(`family must be 'column' or 'table', got '${o.family}'`);
  if (o.variants !== undefined && o.variants !== 'default' && o.variants !== 'all')
    throw new ReportError(`variants must be 'default' or 'all', got '${o.variants}'`);
  if (o.test !== undefined && !(PAIRED_TESTS as readonly string[]).includes(o.test))
    throw new ReportError(`test must be one of ${PAIRED_TESTS.join(', ')}, got '${o.test}'`);
  if (o.alternative !== undefined && !(ALTERNATIVES as readonly string[]).includes(o.alternative))
    throw new ReportError(`alternative must be one of ${ALTERNATIVES.join(', ')}, got '${o.alternative}'`);
  return BUILDERS[parseTableKind(kind)](facts, o);
}

/**
 * The tables of one kind from the folds in a store that match the filters. The direction filter
 * is applied by the builders, since the unimodal models (direction 'none') belong to every
 * direction's table.
 */
export function buildReport(store: ReadStore, kind: TableKind, o: ReportOptions = {}): ReportTable[] {
  return reportFromFacts(kind, readFacts(store, o), o);
}

/** The fold facts a report of these filters is built from, with what the folds recorded about their methods. */
export function readFacts(store: ReadStore, o: ReportOptions): FoldFact[] {
  registerRecorded(store);
  return store.foldFacts({ dataset: o.dataset, protocol: o.protocol, backbone: o.backbone, seed: o.seed });
}
