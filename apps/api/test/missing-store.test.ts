import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { Store, StoreNotFoundError } from '@cmcrd/store';
import { main } from '@cmcrd/runner/cli';
import { createApp, registerServeCommand, startServer } from '../src/index.js';

// The API and `cmcrd serve` read stores; they never create one.
const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-missing-'));
after(() => rmSync(work, { recursive: true, force: true }));
const tree = (dir: string) => readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();

it('createApp and startServer refuse a missing store and create nothing', async () => {
  const missing = join(work, 'results', 'nope.sqlite');
  assert.throws(() => createApp({ dbPath: missing }), StoreNotFoundError);
  await assert.rejects(async () => startServer({ port: 0, dbPath: missing }), StoreNotFoundError);
  assert.deepEqual(tree(work), []);
});

it('cmcrd serve --db <missing>: exit 2 naming the path and the stores under results/, nothing written', async () => {
  const project = join(work, 'project');
  mkdirSync(join(project, 'results'), { recursive: true });
  Store.open(join(project, 'results', 'cmcrd.sqlite')).close();
  const before = tree(project);
  let started = false;
  const errors: string[] = [];
  const error = console.error;
  const initCwd = process.env.INIT_CWD;
  process.env.INIT_CWD = project;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  try {
    const code = await main(
      ['node', 'cmcrd', 'serve', '--db', 'results/typo.sqlite', '--port', '0'],
      [
        (p) =>
          registerServeCommand(p, async () => {
            started = true; // the dashboard (and its build) must not start either
            throw new Error('unreachable');
          }),
      ],
    );
    assert.equal(code, 2);
  } finally {
    console.error = error;
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  }
  assert.equal(started, false);
  assert.match(errors.join('\n'), /no store at .*results\/typo\.sqlite .*stores here: results\/cmcrd\.sqlite/);
  assert.deepEqual(tree(project), before);
});
