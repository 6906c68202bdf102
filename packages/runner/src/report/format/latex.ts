import type { ReportTable } from '../model.js';
import { countText, hasPaper, paperText, valueText } from './cells.js';

const SPECIAL: [RegExp, string][] = [
  [/\\/g, '\\textbackslash{}'],
  [/([&%$#_{}])/g, '\\$1'],
  [/~/g, '\\textasciitilde{}'],
  [/\^/g, '\\textasciicircum{}'],
];
const SYMBOLS: [RegExp, string][] = [
  [/->/g, '$\\to$'],
  [/±/g, '$\\pm$'],
  [/Δ/g, '$\\Delta$'],
  [/−/g, '$-$'],
  [/—/g, '---'],
  [/–/g, '--'],
  [/·/g, '$\\cdot$'],
  [/✓/g, '\\checkmark{}'],
  [/×/g, '$\\times$'],
  [/</g, '$<$'],
  [/>/g, '$>$'],
];

/** Text made safe for LaTeX: specials escaped first, then our few Unicode symbols as commands. */
export function latexEscape(s: string): string {
  let out = s;
  for (const [re, to] of SPECIAL) out = out.replace(re, to);
  for (const [re, to] of SYMBOLS) out = out.replace(re, to);
  return out;
}

/**
 * booktabs tables (\toprule, \midrule, \bottomrule), best cells in bold, the fold count of every
 * cell in small type; the paper's values in a column beside each of ours. Needs the booktabs
 * and amssymb packages.
 */
export function formatLatex(tables: readonly ReportTable[]): string {
  return tables
    .map((t) => {
      const paper = hasPaper(t);
      const per = paper ? 2 : 1;
      const lines = [
        `% cmcrd report ${t.table}: ${t.title}`,
        '% needs \\usepackage{booktabs,amssymb}',
        '\\begin{table}[htbp]',
        '\\centering',
        `\\caption{${latexEscape(t.title)}}`,
        `\\begin{tabular}{l${'r'.repeat(t.columns.length * per)}}`,
        '\\toprule',
      ];
      if (paper) {
        lines.push(
          ` & ${t.columns.map((c) => `\\multicolumn{2}{c}{${latexEscape(c.label)}}`).join(' & ')} \\\\`,
        );
        lines.push(t.columns.map((_, j) => `\\cmidrule(lr){${2 + 2 * j}-${3 + 2 * j}}`).join(' '));
        lines.push(` & ${t.columns.map(() => 'ours & paper').join(' & ')} \\\\`);
      } else {
        lines.push(` & ${t.columns.map((c) => latexEscape(c.label)).join(' & ')} \\\\`);
      }
      lines.push('\\midrule');
      t.rows.forEach((row, i) => {
        const cells = [latexEscape(row.label)];
        for (const c of t.cells[i]) {
          if (!c) {
            cells.push(...Array(per).fill(''));
            continue;
          }
          const v = latexEscape(valueText(t, c));
          cells.push(`${c.marked ? `\\textbf{${v}}` : v} {\\scriptsize(${latexEscape(countText(c))})}`);
          if (paper) cells.push(latexEscape(paperText(t, c)));
        }
        lines.push(`${cells.join(' & ')} \\\\`);
      });
      lines.push(
        '\\bottomrule',
        '\\end{tabular}',
        '',
        '\\smallskip',
        `{\\footnotesize ${t.notes.map(latexEscape).join(' \\\\\n')}\\par}`,
        '\\end{table}',
      );
      return lines.join('\n');
    })
    .join('\n\n');
}
