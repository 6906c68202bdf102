import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Debian's texlive-latex-base, texlive-latex-recommended and poppler-utils (.ci/run installs them).
export function tool(name: string): void {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
  } catch {
    assert.fail(
      `${name} is not installed: apt-get install texlive-latex-base texlive-latex-recommended poppler-utils (.ci/run does)`,
    );
  }
}

/** Compiles a document with pdflatex and renders page 1 to PNG; returns the PNG's size. */
export function compileAndRender(
  dir: string,
  name: string,
  tex: string,
): { pages: number; png: number; log: string } {
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
    assert.fail(
      `${name}.tex does not compile:\n${out
        .split('\n')
        .filter((l) => l.startsWith('!') || l.startsWith('l.'))
        .join('\n')}`,
    );
  }
  execFileSync('pdftoppm', ['-png', '-r', '40', '-f', '1', '-l', '1', '-singlefile', `${name}.pdf`, name], {
    cwd: dir,
  });
  const pages = Number(/Output written on .*\((\d+) pages?/.exec(log)?.[1] ?? 0);
  return { pages, png: statSync(join(dir, `${name}.png`)).size, log };
}
