import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

// The publishable packages: `pnpm pack` of core, data and kd-baselines gives tarballs with compiled
// JavaScript and types; a fresh project outside the repository installs them with npm, offline
// (their third-party dependencies are the ones already on this machine, linked into its
// node_modules), builds a plugin against them, and the CLI runs it.
const here = fileURLToPath(new URL('.', import.meta.url));
const repo = resolve(here, '../../..');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const cli = resolve(here, '../../../apps/cli/src/cmcrd.ts');
const work = mkdtempSync(join(tmpdir(), 'cmcrd-packages-'));
const PACKAGES = ['core', 'data', 'kd-baselines'];

function newest(dir: string): number {
  return Math.max(...readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => statSync(join(dir, f)).mtimeMs));
}

/** pnpm itself (it rewrites workspace:* and applies publishConfig): the one running this test, or the pinned one. */
function pnpm(args: string[], cwd: string): string {
  const exec = process.env.npm_execpath;
  const [cmd, pre] = exec && /pnpm/.test(exec) ? [process.execPath, [exec]] : ['npx', ['--yes', 'pnpm@10.34.8']];
  return execFileSync(cmd, [...pre, ...args], { cwd, encoding: 'utf8' });
}

test('pnpm pack of core, data and kd-baselines, installed offline by npm in a fresh project, builds and runs a plugin', () => {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PACKAGES) {
    const dir = join(repo, 'packages', name);
    // `pnpm test` has built them (turbo's build runs first); build here only when dist is missing or stale.
    if (!existsSync(join(dir, 'dist/index.js')) || newest(join(dir, 'dist')) < newest(join(dir, 'src'))) {
      execFileSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: dir });
    }
    pnpm(['pack', '--config.ignore-scripts=true', '--pack-destination', tarballs], dir);
  }
  const files = readdirSync(tarballs).sort();
  assert.deepEqual(files, ['cmcrd-core-0.1.0.tgz', 'cmcrd-data-0.1.0.tgz', 'cmcrd-kd-baselines-0.1.0.tgz']);
  for (const f of files) {
    const listing = execFileSync('tar', ['tzf', join(tarballs, f)], { encoding: 'utf8' });
    assert.match(listing, /^package\/dist\/index\.js$/m, f);
    assert.match(listing, /^package\/dist\/index\.d\.ts$/m, f);
    const manifest = JSON.parse(execFileSync('tar', ['xzf', join(tarballs, f), '-O', 'package/package.json'], { encoding: 'utf8' }));
    assert.doesNotMatch(JSON.stringify(manifest.dependencies ?? {}), /workspace:/, f);
    assert.doesNotMatch(JSON.stringify(manifest.exports), /@cmcrd\/source/, f);
  }

  // A fresh project: the plugin package itself, its third-party dependencies already present.
  const project = join(work, 'cmcrd-plugin-at');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'cmcrd-plugin-at', version: '1.0.0', private: true, type: 'module', exports: { '.': { types: './dist/index.d.ts', default: './dist/index.js' } } }));
  for (const name of PACKAGES) {
    const manifest = JSON.parse(execFileSync('tar', ['xzf', join(tarballs, `cmcrd-${name}-0.1.0.tgz`), '-O', 'package/package.json'], { encoding: 'utf8' }));
    for (const dep of Object.keys(manifest.dependencies ?? {})) {
      const link = join(project, 'node_modules', dep);
      if (dep.startsWith('@cmcrd/') || existsSync(link)) continue;
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(realpathSync(join(repo, 'packages', name, 'node_modules', dep)), link);
    }
  }
  const install = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', ...files.map((f) => join(tarballs, f))], { cwd: project, encoding: 'utf8' });
  assert.equal(install.status, 0, install.stderr);
  for (const name of PACKAGES) assert.ok(existsSync(join(project, 'node_modules/@cmcrd', name, 'dist/index.d.ts')), name);

  // Built against the installed types (no paths, no source condition), to JavaScript.
  copyFileSync(join(here, 'fixtures/outside-at.ts'), join(project, 'src/index.ts'));
  writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: true, declaration: true, rootDir: 'src', outDir: 'dist', types: [] }, include: ['src'] }));
  const build = spawnSync(process.execPath, [tsc, '-p', '.'], { cwd: project, encoding: 'utf8' });
  assert.equal(build.status, 0, build.stdout);
  assert.ok(existsSync(join(project, 'dist/index.js')));

  const db = join(work, 'runs.sqlite');
  const run = spawnSync(process.execPath, ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx'), cli, 'run', '--plugin', project, '--method', 'at', '--dataset', 'synthetic-seed-iv', '--folds', 'subject-01', '--epochs', '1', '--warmup-epochs', '0', '--teacher-epochs', '1', '--workers', '1', '--backend', 'wasm', '--db', db], { cwd: work, encoding: 'utf8', env: { ...process.env, INIT_CWD: work } });
  assert.equal(run.status, 0, `${run.stdout}${run.stderr}`);
  const d = new Database(db, { readonly: true });
  const rows = d.prepare('SELECT method, status, error FROM folds').all();
  d.close();
  assert.deepEqual(rows, [{ method: 'at', status: 'done', error: null }]);
});
