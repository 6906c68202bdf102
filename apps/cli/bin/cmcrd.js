#!/usr/bin/env node
// `cmcrd`: runs the compiled command (dist/), building it first when it is missing or older than
// a source file of a package it runs (a fresh clone after `pnpm install`, or an edit). The check
// reads modification times only (a few milliseconds); the build is `tsc -b` over the project
// references of tsconfig.build.json. Plain JavaScript: it must run before anything is compiled.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const pkg = dirname(dirname(fileURLToPath(import.meta.url)));
const ROOT_CONFIG = join(pkg, 'tsconfig.build.json');
/** Touched after every successful build: the sources are compared with it. */
const STAMP = join(pkg, 'dist', '.built');
const LOCK = join(pkg, 'dist', '.building');

/** Every project the command runs: tsconfig.build.json and its references, transitively. */
function projects(config, seen = new Map()) {
  const file = resolve(config);
  if (seen.has(file)) return seen;
  const json = JSON.parse(readFileSync(file, 'utf8'));
  seen.set(file, json);
  for (const ref of json.references ?? []) projects(resolve(dirname(file), ref.path), seen);
  return seen;
}

/** The newest modification time under a path (folders count: a deleted file changes its folder's). */
function newest(path) {
  let st;
  try {
    st = statSync(path);
  } catch {
    return 0;
  }
  let t = st.mtimeMs;
  if (st.isDirectory()) for (const name of readdirSync(path)) t = Math.max(t, newest(join(path, name)));
  return t;
}

/** Why a build is needed, or null when the compiled command is up to date. */
function staleness() {
  if (!existsSync(STAMP)) return 'never built here';
  const built = statSync(STAMP).mtimeMs;
  for (const [file, json] of projects(ROOT_CONFIG)) {
    const dir = dirname(file);
    const out = resolve(dir, json.compilerOptions?.outDir ?? 'dist');
    if (!existsSync(out)) return `${out} is missing`;
    const inputs = [file, join(dir, 'package.json'), ...(json.include ?? []).map((i) => resolve(dir, i))];
    if (json.extends) inputs.push(resolve(dir, json.extends));
    for (const input of inputs) if (newest(input) > built) return `${input} changed`;
  }
  return null;
}

/** One build at a time: a second `cmcrd` started meanwhile waits for it, then checks again. */
function build() {
  mkdirSync(dirname(LOCK), { recursive: true });
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      // A build is never this long: the lock is left over from a killed one.
      if (Date.now() - statSync(LOCK).mtimeMs > 10 * 60_000) rmSync(LOCK, { recursive: true, force: true });
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
      if (!staleness()) return;
    }
  }
  try {
    if (!staleness()) return;
    process.stderr.write('cmcrd: building the cmcrd command (first run after install or a source change)…\n');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '-b', ROOT_CONFIG], { stdio: ['ignore', 'inherit', 'inherit'] });
    if (r.status !== 0) {
      process.stderr.write(`cmcrd: the build failed (tsc -b ${ROOT_CONFIG}, exit ${r.status ?? r.signal}); see its errors above\n`);
      process.exit(1);
    }
    writeFileSync(STAMP, `${new Date().toISOString()}\n`);
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

if (staleness()) build();
await import(pathToFileURL(join(pkg, 'dist', 'cmcrd.js')).href);
