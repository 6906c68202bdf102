// A terminal table drawn with box characters, as cli-table3 draws one with its defaults (a rule
// between every row, one space of padding, cells aligned left, a cell's lines stacked): the same
// bytes (test/formats.test.ts compares them on every golden table), without cli-table3, whose
// optional colours load Node's `os` and `util`, so that a page formats text tables too.
import stringWidth from 'string-width';

const pad = (text: string, width: number) => text + ' '.repeat(Math.max(0, width - stringWidth(text)));

/**
 * `rows[0]` is the head; every row has one cell per column, each cell one or more lines. `rules: 'head'`
 * draws the rule under the head only: a listing of one-line rows (`cmcrd folds`) at half the height.
 */
export function boxTable(rows: readonly (readonly string[])[], o: { rules?: 'every' | 'head' } = {}): string {
  const lines = rows.map((row) => row.map((cell) => cell.split('\n')));
  const columns = Math.max(0, ...rows.map((r) => r.length));
  const widths = Array.from({ length: columns }, (_, j) => Math.max(0, ...lines.map((r) => Math.max(0, ...(r[j] ?? []).map(stringWidth)))));
  const rule = (left: string, mid: string, right: string) => `${left}${widths.map((w) => '─'.repeat(w + 2)).join(mid)}${right}`;
  const out = [rule('┌', '┬', '┐')];
  lines.forEach((row, i) => {
    if (i === 1 || (i > 1 && o.rules !== 'head')) out.push(rule('├', '┼', '┤'));
    const height = Math.max(1, ...row.map((c) => c.length));
    for (let k = 0; k < height; k++) out.push(`│${widths.map((w, j) => ` ${pad(row[j]?.[k] ?? '', w)} `).join('│')}│`);
  });
  out.push(rule('└', '┴', '┘'));
  return out.join('\n');
}
