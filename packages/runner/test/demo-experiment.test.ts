import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { main } from '../src/cli.js';
import { DEMO_EXPERIMENT } from '../src/demo.js';
import { Store } from '@cmcrd/store';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-demo-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** The CLI run from `cwd` (pnpm passes it as INIT_CWD), its output swallowed. */
async function cli(argv: string[], cwd: string): Promise<{ code: number; err: string }> {
  const log = console.log;
  const error = console.error;
  const write = process.stderr.write.bind(process.stderr);
  const err: string[] = [];
  const initCwd = process.env.INIT_CWD;
  process.env.INIT_CWD = cwd;
  console.log = () => {};
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  process.stderr.write = (() => true) as typeof process.stderr.write;
  try {
    return { code: await main(['node', 'cmcrd', ...argv]), err: err.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
    process.stderr.write = write;
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  }
}

test('cmcrd demo --methods with a method outside the demo: exit 2, nothing written', async () => {
  const dir = join(work, 'bad');
  mkdirSync(dir);
  const r = await cli(['demo', '--methods', 'eeg-only,bogus'], dir);
  assert.equal(r.code, 2);
  assert.match(r.err, /--methods: 'bogus' not in the demo \(its methods: eeg-only, em-only, fusion/);
  assert.deepEqual(readdirSync(dir), []);
});

test("the demo writes the default store, its folds labelled as the demo's experiment", { timeout: 300_000 }, async () => {
  const dir = join(work, 'project');
  mkdirSync(dir);
  // One subject and one method: a single fold, the rest of the demo's path unchanged.
  const r = await cli(['demo', '--subjects', '1', '--methods', 'eeg-only', '--workers', '1'], dir);
  assert.equal(r.code, 0, r.err);
  const store = Store.openExisting(join(dir, 'results', 'cmcrd.sqlite'));
  try {
    const sweeps = store.listSweeps();
    assert.equal(sweeps.length, 1);
    const [demo] = sweeps;
    assert.equal(demo.name, DEMO_EXPERIMENT);
    assert.equal(demo.status, 'finished');
    assert.equal(demo.folds, 1);
    const folds = store.listFolds();
    assert.equal(folds.length, 1);
    assert.equal(folds[0].sweepId, demo.id);
    assert.deepEqual(store.sweepCounts().get(demo.id), { done: 1, failed: 0 });
  } finally {
    store.close();
  }
});
