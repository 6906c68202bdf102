import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';

// `cmcrd plugin new` in a folder outside the repository: the package it writes type-checks, tests
// and runs at once, through its own npm scripts, with nothing installed and no symlinks.
const here = fileURLToPath(new URL('.', import.meta.url));
const cli = resolve(here, '../../../apps/cli/src/cmcrd.ts');
const outside = mkdtempSync(join(tmpdir(), 'cmcrd-plugin-new-'));
const dir = join(outside, 'my-hint');
const env: NodeJS.ProcessEnv = { ...process.env, INIT_CWD: outside };
delete env.TSX_TSCONFIG_PATH;
// Its `node --test` is a test run of its own, not one nested in this one.
delete env.NODE_TEST_CONTEXT;

const sh = (cmd: string, args: string[], cwd: string) => {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', env: { ...env, INIT_CWD: cwd }, timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
};

function walk(d: string): string[] {
  return readdirSync(d).flatMap((n) => {
    const p = join(d, n);
    const s = lstatSync(p);
    assert.equal(s.isSymbolicLink(), false, `${p} is a symlink`);
    return s.isDirectory() ? walk(p) : [p];
  });
}

test('cmcrd plugin new writes the package; a bad name or a non-empty folder exits 2 and writes nothing', () => {
  const r = sh(process.execPath, ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx'), cli, 'plugin', 'new', 'my-hint'], outside);
  assert.equal(r.code, 0, r.out);
  assert.deepEqual(walk(dir).map((f) => f.slice(dir.length + 1)).sort(), ['README.md', 'package.json', 'src/index.ts', 'test/plugin.test.ts', 'tsconfig.json']);
  const again = sh(process.execPath, ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx'), cli, 'plugin', 'new', 'my-hint'], outside);
  assert.equal(again.code, 2);
  assert.match(again.out, /my-hint exists and is not empty/);
  const bad = sh(process.execPath, ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx'), cli, 'plugin', 'new', 'My_Hint'], outside);
  assert.equal(bad.code, 2);
  assert.match(bad.out, /plugin name 'My_Hint' must be lowercase/);
  assert.deepEqual(readdirSync(outside), ['my-hint']);
});

test("its tsconfig type-checks against this cmcrd's types: the template passes, a misuse of @cmcrd/core is caught", () => {
  writeFileSync(join(dir, 'src/misuse.ts'), "import { checkDistillerPlugin } from '@cmcrd/core';\nexport const r = checkDistillerPlugin({}, { backbones: 'dnn' });\n");
  const r = sh('npm', ['run', '--silent', 'typecheck'], dir);
  assert.notEqual(r.code, 0);
  // Exactly one error, in the misuse: the template, its test, zod and tfjs all resolve and check.
  assert.deepEqual(r.out.trim().split('\n').filter((l) => /error TS/.test(l)).map((l) => l.replace(/\(.*/, '')), ['src/misuse.ts']);
  assert.match(r.out, /Type 'string' is not assignable to type 'string\[\]'/);
});

test('its test (the checker) passes, and cmcrd run --plugin <folder> runs a fold at once', () => {
  const t = sh('npm', ['test'], dir);
  assert.equal(t.code, 0, t.out);
  assert.match(t.out, /# pass 1/);
  const db = join(outside, 'runs.sqlite');
  const r = sh(process.execPath, ['--conditions=@cmcrd/source', '--import', import.meta.resolve('tsx'), cli, 'run', '--plugin', dir, '--method', 'my-hint', '--dataset', 'synthetic-seed-iv', '--folds', 'subject-01', '--epochs', '1', '--warmup-epochs', '0', '--teacher-epochs', '1', '--workers', '1', '--backend', 'wasm', '--db', db], outside);
  assert.equal(r.code, 0, r.out);
  const d = new Database(db, { readonly: true });
  const rows = d.prepare('SELECT method, status FROM folds').all();
  d.close();
  assert.deepEqual(rows, [{ method: 'my-hint', status: 'done' }]);
  assert.match(readFileSync(join(dir, 'README.md'), 'utf8'), /npm run check/);
});
