import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { latexDocument } from '@cmcrd/reports';
import { compileAndRender, tool } from './latex-helpers.js';

// Debian's texlive-latex-base, texlive-latex-recommended and poppler-utils (.ci/run installs them).
const work = mkdtempSync(join(tmpdir(), 'cmcrd-latex-'));
after(() => rmSync(work, { recursive: true, force: true }));
const GOLDEN = fileURLToPath(new URL('./golden/report/', import.meta.url));

test('every LaTeX golden compiles with pdflatex into a document whose page 1 renders to PNG', () => {
  tool('pdflatex');
  tool('pdftoppm');
  const files = readdirSync(GOLDEN).filter((f) => f.endsWith('.tex'));
  assert.deepEqual(files.sort(), [
    'ablation.tex',
    'comparison.tex',
    'fusion.tex',
    'significance.tex',
    'timing.tex',
  ]);
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
