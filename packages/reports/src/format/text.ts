import type { ReportTable } from '../model.js';
import { boxTable } from './box-table.js';
import { countText, hasPaper, markText, paperText, valueText } from './cells.js';

/** The cells of a terminal table as text, the head first: value, fold count and marker, the paper's value below. */
export function textRows(t: ReportTable): string[][] {
  const paper = hasPaper(t);
  const rows = t.rows.map((row, i) => [
    row.label,
    ...t.cells[i].map((c) => {
      if (!c) return '';
      const mark = markText(c);
      const ours = `${valueText(t, c)} (${countText(c)})${mark ? ` ${mark}` : ''}`;
      return paper ? `${ours}\npaper: ${paperText(t, c)}` : ours;
    }),
  ]);
  return [['', ...t.columns.map((c) => c.label)], ...rows];
}

/** A terminal table: each cell shows the value, its fold count, its marker (* best, ▲/▼ significant), the paper's value below. */
export function formatText(tables: readonly ReportTable[]): string {
  return tables.map((t) => `${t.title}\n${boxTable(textRows(t))}\n${t.notes.map((n) => `  ${n}`).join('\n')}`).join('\n\n');
}
