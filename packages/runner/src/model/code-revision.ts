import { execFileSync } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The revision of the code that is running, for a stored model's provenance: $CMCRD_CODE_REVISION
 * when set (e.g. by a deployment that has no .git), else `git describe --always --dirty` of this
 * checkout, else 'unknown'. Read once per process.
 */
export function codeRevision(): string {
  if (cached !== undefined) return cached;
  const fromEnv = process.env.CMCRD_CODE_REVISION;
  if (fromEnv) {
    cached = fromEnv;
    return cached;
  }
  try {
    cached = execFileSync('git', ['describe', '--always', '--dirty', '--abbrev=12'], {
      cwd: dirname(fileURLToPath(import.meta.url)),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5000,
    }).trim() || 'unknown';
  } catch {
    cached = 'unknown';
  }
  return cached;
}
