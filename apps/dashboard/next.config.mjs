import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The monorepo root (holds pnpm-lock.yaml): Turbopack resolves workspace packages from here.
const monorepoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  turbopack: { root: monorepoRoot },
  outputFileTracingRoot: monorepoRoot,
};

export default nextConfig;
