import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { latexDocument } from '../src/report/format/latex.js';

// Debian's texlive-latex-base, texlive-latex-recommended and poppler-utils (.ci/run installs them).
const work = mkdtempSync(join(tmpdir(), 'cmcrd-latex-'));
after(() => rmSync(work, { recursive: true, force: true }));
const GOLDEN = fileURLToPath(new URL('./golden/report/', import.meta.url));

function tool(name: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  } catch {
    assert.fail(`${name} is not installed: apt-get install texlive-latex-base texlive-latex-recommended poppler-utils (.ci/run does)`);
  }
}

/** Compiles a document with pdflatex (twice when asked, for references) and renders page 1 to PNG; returns the PNG's size. */
export function compileAndRender(dir: string, name: string, tex: string): { pages: number; png: number; log: string } {
  writeFileSync(join(dir, `${name}.tex`), tex);
  const run = () =>
    execFileSync('pdflatex', ['-interaction=nonstopmode', '-halt-on-error', `${name}.tex`], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
    });
  let log: string;
  try {
    log = run();
  } catch (e) {
    const out = (e as { stdout?: string }).stdout ?? '';
    assert.fail(`${name}.tex does not compile:\n${out.split('\n').filter((l) => l.startsWith('!') || l.startsWith('l.')).join('\n')}`);
  }
  execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', '-singlefile', `${name}.pdf`, name], { cwd: dir });
  const pages = Number(/Output written on .*\((\d+) pages?/.exec(log)?.[1] ?? 0);
  return { pages, png: statSync(join(dir, `${name}.png`)).size, log };
}

test('every LaTeX golden compiles with pdflatex into a document whose page 1 renders to PNG', () => {
  tool('pdflatex');
  tool('pdftoppm');
  const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.tex'));
  assert.deepEqual(files.sort(), ['ablation.tex', 'comparison.tex', 'fusion.tex', 'significance.tex', 'timing.tex']);
  for (const file of files) {
    const name = file.replace(/\.tex$/, '');
    const body = readFileSync(join(GOLDEN, file), 'utf8');
    const { pages, png, log } = compileAndRender(work, name, latexDocument(body, `cmcrd report ${name}`));
    assert.ok(pages >= 1, `${file}: no pages`);
    assert.ok(png > 1000, `${file}: page 1 rendered to an empty PNG (${png} bytes)`);
    // Nothing LaTeX had to drop: every glyph we emit exists in the fonts.
    assert.doesNotMatch(log, /Missing character|Undefined control sequence/, file);
    const tables = (body.match(/\\begin\{table\}/g) ?? []).length;
    assert.equal((body.match(/\\caption\{/g) ?? []).length, tables, `${file}: a caption per table`);
    assert.equal((body.match(/\\label\{tab:cmcrd-/g) ?? []).length, tables, `${file}: a label per table`);
  }
});
