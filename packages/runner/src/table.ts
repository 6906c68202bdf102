import Table from 'cli-table3';
import type { FoldRow } from './store/schema.js';
import type { FoldFilter, Store } from './store/store.js';

export interface CellStats {
  mean: number;
  /** Sample standard deviation (n − 1) over folds; NaN for a single fold. */
  std: number;
  /** Folds behind the cell (each the mean over its seeds). */
  n: number;
}

export interface ComparisonTable {
  protocol: string;
  direction: string;
  protocolOptions: string;
  synthetic: boolean;
  columns: { dataset: string; backbone: string }[];
  rows: { method: string; cells: (CellStats | null)[] }[];
  failed: number;
}

const METHOD_ORDER = ['eeg-only', 'em-only', 'fusion', 'crd', 'kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt'];

function methodRank(m: string): number {
  if (m === 'cmcrd') return 1000;
  const i = METHOD_ORDER.indexOf(m);
  return i >= 0 ? i : 500;
}

export function cellStats(values: number[]): CellStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : Number.NaN;
  return { mean, std, n };
}

/**
 * Methods × (dataset, backbone), accuracy mean ± std over folds; seeds are averaged within a
 * fold first. One table per (protocol, direction, protocol options); the unimodal references
 * (direction 'none') appear in every direction's table.
 */
export function comparisonTables(store: Store, filter: Omit<FoldFilter, 'direction' | 'status'> & { direction?: string } = {}): ComparisonTable[] {
  const { direction, ...rest } = filter;
  const all = store.listFolds({ ...rest });
  const done = all.filter((f) => f.status === 'done' && f.accuracy !== null);
  const directions = [...new Set(done.map((f) => f.direction).filter((d) => d !== 'none'))].sort();
  if (directions.length === 0) directions.push('none');
  const tables: ComparisonTable[] = [];
  for (const protocol of [...new Set(done.map((f) => f.protocol))].sort()) {
    for (const protocolOptions of [...new Set(done.map((f) => f.protocolOptions))].sort()) {
      for (const dir of directions) {
        if (direction && dir !== direction && dir !== 'none') continue;
        const rows = done.filter(
          (f) => f.protocol === protocol && f.protocolOptions === protocolOptions && (f.direction === dir || f.direction === 'none'),
        );
        if (rows.length === 0) continue;
        tables.push(buildTable(rows, protocol, dir, protocolOptions, all));
      }
    }
  }
  return tables;
}

function buildTable(rows: FoldRow[], protocol: string, direction: string, protocolOptions: string, all: FoldRow[]): ComparisonTable {
  const colKey = (f: FoldRow) => `${f.dataset}|${f.backbone}`;
  const columns = [...new Set(rows.map(colKey))].sort().map((k) => {
    const [dataset, backbone] = k.split('|');
    return { dataset, backbone };
  });
  const methods = [...new Set(rows.map((f) => f.method))].sort((a, b) => methodRank(a) - methodRank(b) || a.localeCompare(b));
  const table: ComparisonTable['rows'] = methods.map((method) => ({
    method,
    cells: columns.map(({ dataset, backbone }) => {
      const perFold = new Map<string, number[]>();
      for (const f of rows) {
        if (f.method !== method || f.dataset !== dataset || f.backbone !== backbone) continue;
        const list = perFold.get(f.foldKey) ?? [];
        list.push(f.accuracy!);
        perFold.set(f.foldKey, list);
      }
      if (perFold.size === 0) return null;
      return cellStats([...perFold.values()].map((v) => v.reduce((a, b) => a + b, 0) / v.length));
    }),
  }));
  const failed = all.filter(
    (f) => f.status === 'failed' && f.protocol === protocol && (f.direction === direction || f.direction === 'none'),
  ).length;
  return { protocol, direction, protocolOptions, synthetic: rows.some((f) => f.synthetic), columns, rows: table, failed };
}

function fmt(c: CellStats | null): string {
  if (!c) return '—';
  const std = Number.isNaN(c.std) ? '' : ` ± ${(100 * c.std).toFixed(2)}`;
  return `${(100 * c.mean).toFixed(2)}${std} (n=${c.n})`;
}

/** Plain-text rendering; the best mean of each column is marked with '*'. */
export function formatComparison(t: ComparisonTable): string {
  const title = `Accuracy (%) — ${t.protocol}, ${t.direction === 'none' ? 'unimodal' : t.direction}${t.synthetic ? ' — SYNTHETIC data, not comparable with the paper' : ''}`;
  const head = ['method', ...t.columns.map((c) => `${c.dataset} / ${c.backbone}`)];
  const table = new Table({ head, style: { head: [], border: [] } });
  const best = t.columns.map((_, j) => Math.max(...t.rows.map((r) => r.cells[j]?.mean ?? -Infinity)));
  for (const r of t.rows) {
    table.push([r.method, ...r.cells.map((c, j) => (c && c.mean === best[j] ? `${fmt(c)} *` : fmt(c)))]);
  }
  const notes = [`protocol options: ${t.protocolOptions}`, 'mean ± sample std over folds; * best in column'];
  if (t.failed) notes.push(`${t.failed} failed fold(s) not included (stored with their errors, status 'failed')`);
  return `${title}\n${table.toString()}\n${notes.join('\n')}`;
}
