import { displayLabel } from '../display.js';
import type { ReportCell, ReportRow, ReportTable } from '../model.js';
import { countText, effectParts, hasPaper, paperText, valueText } from './cells.js';

const SPECIAL: [RegExp, string][] = [
  [/\\/g, '\\textbackslash{}'],
  [/([&%$#_{}])/g, '\\$1'],
  // A literal `--` (a CLI flag) must not become an en dash.
  [/-(?=-)/g, '-{}'],
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
  [/▲/g, '$\\blacktriangle$'],
  [/▼/g, '$\\blacktriangledown$'],
  [/∞/g, '$\\infty$'],
  [/…/g, '\\ldots{}'],
  [/"([^"]*)"/g, "``$1''"],
  [/d\\_z/g, '$d_z$'],
];

/** Text made safe for LaTeX: specials escaped first, then our few Unicode symbols as commands. */
export function latexEscape(s: string): string {
  let out = s;
  for (const [re, to] of SPECIAL) out = out.replace(re, to);
  for (const [re, to] of SYMBOLS) out = out.replace(re, to);
  return out;
}

/** A note as a sentence: capitalised, ending in a full stop. */
function sentence(note: string): string {
  const s = note.trim();
  // A word opens with a capital; a symbol (n=a/b, q < 0.05, Δ, d_z) keeps its case.
  const first = /^[a-z]{2,}[\s:,']/.test(s) ? s.charAt(0).toUpperCase() + s.slice(1) : s;
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

/** A row's name as a paper prints it: display names (KD, CMCRD, EEG+EM) instead of ids. */
function rowLabel(t: ReportTable, row: ReportRow): string {
  if (t.table === 'fusion') return row.key;
  if (t.table === 'timing') return row.label;
  if (t.table === 'ablation') return row.label;
  return displayLabel(row.method, row.label);
}

/** One cell of ours: the value, its marker and fold count; a significance cell on two lines. */
function oursCell(t: ReportTable, c: ReportCell): string {
  const count = `{\\scriptsize(${latexEscape(countText(c))})}`;
  if (t.unit === 'BH-adjusted p') {
    const { effect, test } = effectParts(c);
    if (!effect && !test) return `--- ${count}`;
    const mark =
      c.significant === 'gain'
        ? '~$\\blacktriangle$'
        : c.significant === 'loss'
          ? '~$\\blacktriangledown$'
          : '';
    const first = effect ? latexEscape(effect) : '';
    const styled =
      c.significant === 'gain'
        ? `\\textbf{${first}}`
        : c.significant === 'loss'
          ? `\\textit{${first}}`
          : first;
    const lines = [`${styled}${mark}`, `{\\scriptsize ${latexEscape(test)} (${latexEscape(countText(c))})}`];
    return `\\begin{tabular}[t]{@{}r@{}}${lines.join(' \\\\ ')}\\end{tabular}`;
  }
  const v = latexEscape(valueText(t, c));
  return `${c.marked ? `\\textbf{${v}}` : v} ${count}`;
}

/** A label unique within one document: `tab:cmcrd-significance-within-subject-em-eeg`. */
function labelOf(t: ReportTable, used: Map<string, number>): string {
  const slug = [t.table, ...Object.values(t.scope)]
    .join('-')
    .toLowerCase()
    .replace(/->/g, '-')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
  const k = (used.get(slug) ?? 0) + 1;
  used.set(slug, k);
  return `tab:cmcrd-${slug}${k > 1 ? `-${k}` : ''}`;
}

/** What a document needs to compile these tables. */
export const LATEX_PACKAGES = ['booktabs', 'amssymb', 'graphicx'];

/**
 * booktabs tables (\toprule, \midrule, \bottomrule) scaled to the text width, with \caption and
 * \label; methods by their display names; best cells in bold; significant gains bold with ▲ and
 * losses italic with ▼; the fold count of every cell in small type; the paper's values in a column
 * beside each of ours; the notes as prose under the table. Needs booktabs, amssymb and graphicx.
 */
export function formatLatex(tables: readonly ReportTable[]): string {
  const used = new Map<string, number>();
  return tables
    .map((t) => {
      const paper = hasPaper(t);
      const per = paper ? 2 : 1;
      const lines = [
        `% cmcrd report ${t.table}: ${t.title}`,
        `% needs \\usepackage{${LATEX_PACKAGES.join(',')}}`,
        '\\begin{table}[htbp]',
        '\\centering',
        `\\caption{${latexEscape(t.title)}}`,
        `\\label{${labelOf(t, used)}}`,
        '\\resizebox{\\linewidth}{!}{%',
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
        const cells = [latexEscape(rowLabel(t, row))];
        for (const c of t.cells[i]) {
          if (!c) {
            cells.push(...Array(per).fill(''));
            continue;
          }
          cells.push(oursCell(t, c));
          if (paper) cells.push(latexEscape(paperText(t, c)));
        }
        lines.push(`${cells.join(' & ')} \\\\`);
      });
      lines.push(
        '\\bottomrule',
        '\\end{tabular}}',
        '',
        '\\smallskip',
        '\\begin{minipage}{\\linewidth}\\footnotesize',
        `\\textit{Notes.} ${t.notes.map((n) => latexEscape(sentence(n))).join('\n')}`,
        '\\end{minipage}',
        '\\end{table}',
      );
      return lines.join('\n');
    })
    .join('\n\n');
}

/** A whole document around the tables, for `cmcrd report all` and the compile test. */
export function latexDocument(body: string, title = 'CMCRD report tables'): string {
  return [
    '\\documentclass[10pt]{article}',
    '\\usepackage[T1]{fontenc}',
    '\\usepackage[utf8]{inputenc}',
    '\\usepackage[margin=2cm,landscape]{geometry}',
    `\\usepackage{${LATEX_PACKAGES.join(',')}}`,
    `\\title{${latexEscape(title)}}`,
    '\\date{}',
    '\\begin{document}',
    '\\maketitle',
    body,
    '\\end{document}',
    '',
  ].join('\n');
}
