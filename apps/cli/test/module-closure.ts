import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const hook = new URL('./record-resolve-hook.mjs', import.meta.url).href;
const register = `data:text/javascript,import { register } from 'node:module'; register(${JSON.stringify(hook)});`;

/**
 * Every module URL a child node resolves while running `args` (from source, as the tests run:
 * tsx and the source condition), through a resolve hook registered before anything else loads.
 */
export function resolvedModules(args: string[], cwd?: string): { urls: string[]; status: number | null; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cmcrd-closure-'));
  const file = join(dir, 'modules.txt');
  try {
    const r = spawnSync(process.execPath, ['--conditions=@cmcrd/source', '--import', 'tsx', '--import', register, ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CMCRD_RECORD_MODULES: file },
      timeout: 120_000,
    });
    let text = '';
    try {
      text = readFileSync(file, 'utf8');
    } catch {}
    return { urls: [...new Set(text.split('\n').filter(Boolean))], status: r.status, output: `${r.stdout}${r.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What a read-only or help path must never load: TensorFlow.js and the queue. */
export const HEAVY = /\/node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?(@tensorflow\/[^/]+|bullmq)\//;

/** The offending modules, one package per line with the first URL seen, for an assertion message. */
export function offending(urls: readonly string[], pattern: RegExp = HEAVY): string[] {
  const first = new Map<string, string>();
  for (const u of urls) {
    const m = pattern.exec(u);
    if (m && !first.has(m[1])) first.set(m[1], u);
  }
  return [...first].map(([pkg, url]) => `${pkg} (${url})`);
}
