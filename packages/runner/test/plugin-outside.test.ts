import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

// A plugin written outside the repository, with no node_modules of its own, run through the real
// CLI: its imports of @cmcrd/core, zod and @tensorflow/tfjs-core reach the CLI's own modules.
const here = fileURLToPath(new URL('.', import.meta.url));
const cli = resolve(here, '../../../apps/cli/src/cmcrd.ts');
const outside = mkdtempSync(join(tmpdir(), 'cmcrd-outside-'));

function cmcrd(args: string[], cwd = outside) {
  const r = spawnSync(process.execPath, ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx'), cli, ...args], { cwd, encoding: 'utf8', timeout: 180_000, env: { ...process.env, INIT_CWD: cwd } });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const tinyRun = (db: string) => ['run', '--dataset', 'synthetic-seed-iv', '--method', 'at', '--folds', 'subject-01', '--epochs', '1', '--warmup-epochs', '0', '--teacher-epochs', '1', '--db', db, '--backend', 'wasm'];

function folds(db: string) {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT method, status, error, config FROM folds').all() as { method: string; status: string; error: string | null; config: string }[];
  } finally {
    d.close();
  }
}

test('a plugin file in a folder outside the repository with no node_modules runs through the CLI', () => {
  const dir = join(outside, 'file-plugin');
  mkdirSync(dir);
  copyFileSync(join(here, 'fixtures/outside-at.ts'), join(dir, 'at.ts'));
  assert.equal(existsSync(join(dir, 'node_modules')), false);
  const db = join(outside, 'file.sqlite');
  const r = cmcrd([...tinyRun(db), '--plugin', join(dir, 'at.ts'), '--workers', '1']);
  assert.equal(r.code, 0, r.out);
  const [fold] = folds(db);
  assert.equal(fold.status, 'done', fold.error ?? '');
  assert.equal(fold.method, 'at');
  assert.equal(JSON.parse(fold.config).module, join(dir, 'at.ts'));
});

test('a plugin package folder outside the repository runs through the CLI, also in worker processes', () => {
  const dir = join(outside, 'cmcrd-plugin-at');
  mkdirSync(join(dir, 'src'), { recursive: true });
  copyFileSync(join(here, 'fixtures/outside-at.ts'), join(dir, 'src/index.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cmcrd-plugin-at', type: 'module', exports: { '.': './src/index.ts' } }));
  const db = join(outside, 'package.sqlite');
  // Relative to where the command runs; two workers: each worker process loads it again.
  const r = cmcrd([...tinyRun(db), '--plugin', './cmcrd-plugin-at', '--workers', '2']);
  assert.equal(r.code, 0, r.out);
  const [fold] = folds(db);
  assert.equal(fold.status, 'done', fold.error ?? '');
  assert.equal(JSON.parse(fold.config).module, dir);
});

test('an installed plugin package is found by name from where the command runs', () => {
  const project = join(outside, 'project');
  const dir = join(project, 'node_modules', 'cmcrd-plugin-at');
  mkdirSync(join(dir, 'src'), { recursive: true });
  copyFileSync(join(here, 'fixtures/outside-at.ts'), join(dir, 'src/index.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cmcrd-plugin-at', type: 'module', main: 'src/index.ts' }));
  const r = cmcrd(['list', '--plugin', 'cmcrd-plugin-at'], project);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /methods:.*\bat\b/);
});

test("a plugin's own copies of tfjs and zod in its node_modules are not used: its imports reach the CLI's", () => {
  const dir = join(outside, 'with-own-copies');
  mkdirSync(join(dir, 'src'), { recursive: true });
  copyFileSync(join(here, 'fixtures/outside-at.ts'), join(dir, 'src/index.ts'));
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'cmcrd-plugin-at', type: 'module', main: 'src/index.ts' }));
  // Decoys: loading either fails the run.
  for (const name of ['@tensorflow/tfjs-core', 'zod', '@cmcrd/core']) {
    const pkg = join(dir, 'node_modules', name);
    mkdirSync(pkg, { recursive: true });
    writeFileSync(join(pkg, 'package.json'), JSON.stringify({ name, version: '0.0.0', type: 'module', main: 'index.js' }));
    writeFileSync(join(pkg, 'index.js'), `throw new Error('the plugin folder\\'s own ${name} was loaded');\n`);
  }
  const r = cmcrd(['list', '--plugin', dir]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /methods:.*\bat\b/);
});
