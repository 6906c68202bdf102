import type { ReportTable } from '../model.js';
import { countText, hasPaper, paperText, valueText } from './cells.js';

function mdEscape(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\*/g, '\\*').replace(/_/g, '\\_');
}

/** GitHub-flavoured Markdown: one table per report table, best cells and significant gains in bold, losses in italic, the paper in its own column. */
export function formatMarkdown(tables: readonly ReportTable[]): string {
  return tables
    .map((t) => {
      const paper = hasPaper(t);
      const head = [''];
      for (const c of t.columns) head.push(mdEscape(c.label), ...(paper ? ['paper'] : []));
      const lines = [
        `#### ${mdEscape(t.title)}`,
        '',
        `| ${head.join(' | ')} |`,
        `|${head.map((_, k) => (k === 0 ? ' --- ' : ' ---: ')).join('|')}|`,
      ];
      t.rows.forEach((row, i) => {
        const cells = [mdEscape(row.label)];
        t.cells[i].forEach((c) => {
          if (!c) {
            cells.push('', ...(paper ? [''] : []));
            return;
          }
          const v = mdEscape(valueText(t, c));
          // Gains bold, losses italic: a significant loss must not read like a gain.
          const shown =
            c.significant === 'loss'
              ? `_${v}_ ▼`
              : c.significant === 'gain'
                ? `**${v}** ▲`
                : c.marked
                  ? `**${v}**`
                  : v;
          cells.push(`${shown} (${mdEscape(countText(c))})`, ...(paper ? [mdEscape(paperText(t, c))] : []));
        });
        lines.push(`| ${cells.join(' | ')} |`);
      });
      lines.push('', ...t.notes.map((n) => `- ${mdEscape(n)}`));
      return lines.join('\n');
    })
    .join('\n\n');
}
