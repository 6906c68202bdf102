import { ALTERNATIVES, PAIRED_TESTS } from '../stats.js';
import { UserError } from '@cmcrd/data/user-error';
import { and, ne, notInArray } from 'drizzle-orm';
import { folds } from '../store/schema.js';
import type { FoldFact, Store } from '../store/store.js';
import { BUILTIN_DISPLAY_NAMES, registerDisplayName } from './display.js';
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

export class ReportError extends UserError {
  override name = 'ReportError';
}

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
 * The display names the folds were stored with (an outside plugin's, as it declared it), so a
 * report names those rows without loading the plugin. The built-ins' names are known already.
 */
export function registerRecordedNames(store: Store): void {
  const rows = store.db
    .selectDistinct({ method: folds.method, name: folds.displayName })
    .from(folds)
    .where(and(ne(folds.displayName, ''), notInArray(folds.method, Object.keys(BUILTIN_DISPLAY_NAMES))))
    .all();
  for (const r of rows) registerDisplayName(r.method, r.name);
}

/** The tables of one kind from facts already read (Store.foldFacts). */
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
export function buildReport(store: Store, kind: TableKind, o: ReportOptions = {}): ReportTable[] {
  registerRecordedNames(store);
  const facts = store.foldFacts({
    dataset: o.dataset,
    protocol: o.protocol,
    backbone: o.backbone,
    seed: o.seed,
  });
  return reportFromFacts(kind, facts, o);
}
