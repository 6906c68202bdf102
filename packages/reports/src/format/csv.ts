import type { ReportTable } from '../model.js';
import { clean, isComplete } from './cells.js';
import { type CsvField, csvText } from './csv-text.js';

const HEADER = [
  'table',
  'title',
  'normalisation',
  'mcc_source',
  'epoch_selection',
  'row',
  'method',
  'direction',
  'column',
  'protocol',
  'dataset',
  'backbone',
  'phase',
  'synthetic',
  'unit',
  'value',
  'std',
  'n',
  'expected',
  'complete',
  'missing',
  'failed',
  'seeds',
  'seeds_per_fold',
  'marked',
  'significant',
  'test',
  'alternative',
  'statistic',
  'p_value',
  'q_value',
  'mean_difference',
  'ci_low',
  'ci_high',
  'd_z',
  'family',
  'm',
  'note',
  'paper_table',
  'paper_line',
  'paper_value',
  'paper_std',
  'delta',
  'paper_note',
];

/**
 * Long format, one line per (table, row, column): every number at full precision with its fold
 * count, the protocol flags and the paper's value, ready for a spreadsheet or pandas.
 */
export function formatCsv(tables: readonly ReportTable[]): string {
  return csvText(csvRecords(tables));
}

/** The CSV's records, its header first. */
export function csvRecords(tables: readonly ReportTable[]): CsvField[][] {
  const records: CsvField[][] = [];
  for (const t of tables) {
    for (const [i, row] of t.rows.entries()) {
      for (const [j, column] of t.columns.entries()) {
        const c = t.cells[i][j];
        if (!c) continue;
        const p = c.paper;
        records.push([
          t.table,
          t.title,
          t.protocol.normalisation,
          t.protocol.mccSource,
          t.protocol.epochSelection,
          row.label,
          row.method,
          row.direction ?? t.scope.direction ?? '',
          column.label,
          column.protocol ?? t.scope.protocol ?? '',
          column.dataset ?? row.dataset ?? '',
          column.backbone ?? t.scope.backbone ?? '',
          column.phase ?? '',
          column.synthetic,
          t.unit,
          clean(c.value),
          clean(c.std),
          c.n,
          c.expected,
          isComplete(c),
          c.missing.join(' '),
          c.failed,
          c.seeds,
          Object.entries(c.seedsPerFold ?? {})
            .map(([k, v]) => `${k}:${v}`)
            .join(' '),
          c.marked,
          c.significant ?? '',
          t.significance?.test ?? '',
          t.significance?.alternative ?? '',
          clean(c.statistic),
          clean(c.pValue),
          t.significance ? clean(c.value) : '',
          clean(c.meanDifference),
          clean(c.ciLow),
          clean(c.ciHigh),
          clean(c.dz),
          c.family ?? '',
          c.m ?? '',
          c.note ?? '',
          p && 'table' in p ? p.table : '',
          p && 'line' in p ? p.line : '',
          p?.comparable ? p.value : '',
          p?.comparable ? p.std : '',
          p?.comparable ? clean(p.delta) : '',
          p && !p.comparable ? p.note : '',
        ]);
      }
    }
  }
  return [HEADER, ...records];
}
