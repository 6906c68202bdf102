import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The code revision stored with every fold: the git commit of the checkout this runner runs from,
 * with `+dirty` when tracked files have uncommitted changes, or `@cmcrd/runner@<version>` when it
 * does not run from a git checkout (an installed package); $CMCRD_CODE_REVISION overrides both
 * (a deployment without .git). Asked once per process.
 */
export function codeRevision(): string {
  if (cached !== undefined) return cached;
  if (process.env.CMCRD_CODE_REVISION) {
    cached = process.env.CMCRD_CODE_REVISION;
    return cached;
  }
  const here = dirname(fileURLToPath(import.meta.url));
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], {
      cwd: here,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    let dirty = false;
    try {
      execFileSync('git', ['diff', '--quiet', 'HEAD', '--'], { cwd: here, stdio: 'ignore' });
    } catch {
      dirty = true;
    }
    cached = `${commit}${dirty ? '+dirty' : ''}`;
  } catch {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version: string;
    };
    cached = `@cmcrd/runner@${pkg.version}`;
  }
  return cached;
}
