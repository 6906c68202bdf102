import Table from 'cli-table3';
import type { ReportTable } from '../model.js';
import { countText, hasPaper, markText, paperText, valueText } from './cells.js';

/** A terminal table: each cell shows the value, its fold count, its marker (* best, ▲/▼ significant), the paper's value below. */
export function formatText(tables: readonly ReportTable[]): string {
  return tables
    .map((t) => {
      const paper = hasPaper(t);
      const table = new Table({
        head: ['', ...t.columns.map((c) => c.label)],
        style: { head: [], border: [] },
      });
      t.rows.forEach((row, i) => {
        table.push([
          row.label,
          ...t.cells[i].map((c) => {
            if (!c) return '';
            const mark = markText(c);
            const ours = `${valueText(t, c)} (${countText(c)})${mark ? ` ${mark}` : ''}`;
            return paper ? `${ours}\npaper: ${paperText(t, c)}` : ours;
          }),
        ]);
      });
      return `${t.title}\n${table.toString()}\n${t.notes.map((n) => `  ${n}`).join('\n')}`;
    })
    .join('\n\n');
}
