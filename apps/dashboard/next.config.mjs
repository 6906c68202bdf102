import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
// The monorepo root (holds pnpm-lock.yaml): Turbopack resolves workspace packages from here.
const monorepoRoot = resolve(here, '../..');

/**
 * The workspace packages export their TypeScript sources under the `@cmcrd/source` condition and
 * their compiled `dist/` otherwise. Turbopack has no option for a custom condition, so every
 * `@cmcrd/source` export of the workspace packages the dashboard depends on is aliased to its
 * source file: the dashboard builds right after `pnpm install`, without `pnpm build` first
 * (a fresh clone has no `dist/`).
 */
function workspaceSourceAliases() {
  const own = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8'));
  /** @type {Record<string, string>} */
  const aliases = {};
  for (const name of Object.keys(own.dependencies ?? {}).filter((n) => n.startsWith('@cmcrd/'))) {
    const dir = realpathSync(join(here, 'node_modules', name));
    const exports = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).exports ?? {};
    for (const [subpath, target] of Object.entries(exports)) {
      const source = typeof target === 'object' && target !== null ? target['@cmcrd/source'] : undefined;
      if (typeof source !== 'string') continue;
      const specifier = subpath === '.' ? name : `${name}/${subpath.replace(/^\.\//, '')}`;
      // Turbopack takes alias targets relative to the app's folder.
      aliases[specifier] = `./${relative(here, join(dir, source))}`;
    }
  }
  return aliases;
}

/**
 * A static export: every page is HTML + JS that reads the API from the same origin, so
 * `cmcrd serve` serves the dashboard and the API from one Node process on one port.
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  output: 'export',
  trailingSlash: true,
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: monorepoRoot, resolveAlias: workspaceSourceAliases() },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
