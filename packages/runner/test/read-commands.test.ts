import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli.js';
import { DEFAULT_DB, DEMO_DB } from '@cmcrd/store';
import { Store, StoreNotFoundError } from '@cmcrd/store';

// Read commands never create a store: a missing or mistyped --db is exit 2, naming the path and
// the stores that do exist, and nothing is written (not the file, not its folder).
const work = mkdtempSync(join(tmpdir(), 'cmcrd-read-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** Runs the CLI from `cwd` (as pnpm does, through INIT_CWD), capturing what it writes. */
async function cli(argv: string[], cwd: string): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const writeErr = process.stderr.write.bind(process.stderr);
  const error = console.error;
  const log = console.log;
  const initCwd = process.env.INIT_CWD;
  process.env.INIT_CWD = cwd;
  // Text is the command's; the test runner's own messages to its parent are binary and pass through
  // (the command's actions load their modules as they run, which lets the runner write meanwhile).
  process.stdout.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? out.push(s) > 0 : write(s, ...rest))) as typeof process.stdout.write;
  process.stderr.write = ((s: string | Uint8Array, ...rest: never[]) => (typeof s === 'string' ? err.push(s) > 0 : writeErr(s, ...rest))) as typeof process.stderr.write;
  console.error = (...a: unknown[]) => err.push(`${a.join(' ')}\n`);
  console.log = (...a: unknown[]) => out.push(`${a.join(' ')}\n`);
  try {
    const code = await main(['node', 'cmcrd', ...argv]);
    return { code, out: out.join(''), err: err.join('') };
  } finally {
    process.stdout.write = write;
    process.stderr.write = writeErr;
    console.error = error;
    console.log = log;
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  }
}

/** Every path under `dir` (files and folders), to show that a command added none. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('one default store for every command', () => {
  assert.equal(DEFAULT_DB, 'results/cmcrd.sqlite');
  assert.equal(DEMO_DB, DEFAULT_DB);
});

test('report on a mistyped --db: exit 2, names the path and the stores under results/, writes nothing', async () => {
  const project = join(work, 'project');
  mkdirSync(join(project, 'results'), { recursive: true });
  Store.open(join(project, 'results', 'cmcrd.sqlite')).close();
  Store.open(join(project, 'results', 'other.sqlite')).close();
  const before = tree(project);
  const r = await cli(['report', 'comparison', '--db', 'results/nope.sqlite'], project);
  assert.equal(r.code, 2, r.err);
  assert.match(r.err, /no store at .*results\/nope\.sqlite/);
  assert.match(r.err, /stores here: results\/cmcrd\.sqlite, results\/other\.sqlite/);
  assert.equal(r.out, '');
  assert.deepEqual(tree(project), before, 'nothing was created');
});

test('report with the default store on a fresh checkout: exit 2, no results/ folder created', async () => {
  const fresh = join(work, 'fresh');
  mkdirSync(fresh);
  for (const table of ['comparison', 'significance', 'fusion', 'timing', 'ablation']) {
    const r = await cli(['report', table], fresh);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, /no store at .*results\/cmcrd\.sqlite/);
    assert.match(r.err, /no stores under results\/ yet \(`cmcrd demo`/);
  }
  assert.deepEqual(tree(fresh), []);
});

test('an empty file is no store either, and is left as it was', async () => {
  const dir = join(work, 'empty');
  mkdirSync(dir);
  const empty = join(dir, 'empty.sqlite');
  (await import('node:fs')).writeFileSync(empty, '');
  const r = await cli(['report', 'comparison', '--db', empty], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /no store at .*empty\.sqlite/);
  assert.deepEqual(tree(dir), ['empty.sqlite']);
  assert.equal((await import('node:fs')).statSync(empty).size, 0);
});

test('Store.openExisting refuses a missing store without creating it; Store.open still creates one', () => {
  const missing = join(work, 'missing', 'deeper', 'x.sqlite');
  assert.throws(() => Store.openExisting(missing), StoreNotFoundError);
  assert.equal(existsSync(join(work, 'missing')), false);
  const made = join(work, 'made.sqlite');
  Store.open(made).close();
  const s = Store.openExisting(made);
  s.close();
});

test('list reads no store and writes nothing', async () => {
  const dir = join(work, 'list');
  mkdirSync(dir);
  const r = await cli(['list'], dir);
  assert.equal(r.code, 0);
  assert.match(r.out, /methods: +eeg-only, em-only, fusion/);
  assert.deepEqual(tree(dir), []);
});

test('cmcrd --version: the package version, exit 0, nothing written', async () => {
  const dir = join(work, 'version');
  mkdirSync(dir);
  const { version } = JSON.parse((await import('node:fs')).readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  for (const flag of ['--version', '-V']) {
    const r = await cli([flag], dir);
    assert.equal(r.code, 0);
    assert.equal(r.out.trim(), version);
  }
  assert.deepEqual(tree(dir), []);
});

test('--help calls the workers processes, not threads', async () => {
  for (const command of ['run', 'demo', 'sweep']) {
    const r = await cli([command, '--help'], work);
    assert.equal(r.code, 0);
    assert.match(r.out, /--workers <n> +(parallel )?worker processes/);
    assert.doesNotMatch(r.out, /thread/);
  }
});
