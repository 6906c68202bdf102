import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The monorepo root (holds pnpm-lock.yaml): Turbopack resolves workspace packages from here.
const monorepoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

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
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
