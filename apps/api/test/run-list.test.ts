import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, it } from 'node:test';
import { Store, runIdOf } from '@cmcrd/store';
import { main } from '@cmcrd/runner/cli';
import { fixtureRow, insertFolds } from '@cmcrd/store/testing';
import { createApp } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-run-list-'));
after(() => rmSync(work, { recursive: true, force: true }));

const fold = (method: string, foldKey: string, extra: Partial<Parameters<typeof fixtureRow>[0]> = {}) =>
  fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey, method, backbone: 'dnn', direction: method.endsWith('-only') ? 'none' : 'em->eeg', ...extra });

function store(): string {
  const dbPath = join(work, 'store.sqlite');
  const s = Store.open(dbPath);
  const demo = s.openSweep({ name: 'demo', file: 'cmcrd demo', spec: 'x', options: {}, folds: 3 });
  insertFolds(s, [
    { ...fold('eeg-only', 'subject-01', { accuracy: 0.5 }), sweepId: demo.id },
    { ...fold('eeg-only', 'subject-02', { accuracy: 0.7 }), sweepId: demo.id },
    { ...fold('kd', 'subject-01', { status: 'failed' }), sweepId: demo.id },
    // A `cmcrd run` outside any sweep, two seeds.
    fold('cmcrd', 'subject-01', { accuracy: 0.6, seed: 1 }),
    fold('cmcrd', 'subject-01', { accuracy: 0.8, seed: 2 }),
  ]);
  s.finishSweep(demo.id, 1);
  s.close();
  return dbPath;
}

it('GET /api/run-list: every sweep and every run outside a sweep, with counts and backends', async () => {
  const app = createApp({ dbPath: store(), token: null });
  const res = await app.request('/api/run-list');
  assert.equal(res.status, 200);
  const { items } = (await res.json()) as { items: Record<string, unknown>[] };
  const demo = items.find((i) => i.kind === 'sweep');
  assert.ok(demo);
  assert.equal(demo.name, 'demo');
  assert.equal(demo.status, 'finished');
  assert.deepEqual([demo.folds, demo.done, demo.failed], [3, 2, 1]);
  assert.deepEqual(demo.backends, ['wasm']);
  assert.ok(typeof demo.finishedAt === 'string');
  const runs = items.filter((i) => i.kind === 'run');
  assert.equal(runs.length, 2, 'one run per seed');
  assert.ok(runs.every((r) => r.done === 1 && r.failed === 0 && String(r.name).startsWith('cmcrd em->eeg · synthetic-seed-iv')));
});

it('GET /api/cells: one row per cell, its seeds, folds, failures and mean accuracy', async () => {
  const app = createApp({ dbPath: join(work, 'store.sqlite'), token: null });
  const res = await app.request('/api/cells');
  assert.equal(res.status, 200);
  const { items } = (await res.json()) as { items: Record<string, unknown>[] };
  const by = (m: string) => items.find((c) => c.method === m);
  assert.equal(items.length, 3);
  assert.deepEqual([by('eeg-only')?.seeds, by('eeg-only')?.folds, by('eeg-only')?.failed], [1, 2, 0]);
  assert.ok(Math.abs(Number(by('eeg-only')?.meanAccuracy) - 0.6) < 1e-12);
  assert.deepEqual([by('cmcrd')?.seeds, by('cmcrd')?.folds], [2, 1]);
  assert.ok(Math.abs(Number(by('cmcrd')?.meanAccuracy) - 0.7) < 1e-12);
  assert.deepEqual([by('kd')?.folds, by('kd')?.failed, by('kd')?.meanAccuracy], [0, 1, null]);
  assert.equal(by('cmcrd')?.synthetic, true);
});

it("GET /api/runs and /api/folds?run=: the run ids `cmcrd runs` shows (the store's runIdOf), the folds `cmcrd folds --run` lists", async () => {
  const dbPath = join(work, 'store.sqlite');
  const app = createApp({ dbPath, token: null });
  const api = (await (await app.request('/api/runs?limit=100')).json()) as { items: { id: string }[] };
  const s = Store.open(dbPath);
  const stored = s.listRuns();
  s.close();
  assert.deepEqual(api.items.map((r) => r.id).sort(), stored.map(runIdOf).sort());
  const printed: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((x: string | Uint8Array, ...rest: never[]) => (typeof x === 'string' ? printed.push(x) > 0 : write(x, ...rest))) as typeof process.stdout.write;
  const cli = async (args: string[]) => {
    printed.length = 0;
    assert.equal(await main(['node', 'cmcrd', ...args, '--db', dbPath, '--format', 'json']), 0);
    return JSON.parse(printed.join(''));
  };
  try {
    const runs = (await cli(['runs'])) as { id: string }[];
    assert.deepEqual(runs.map((r) => r.id).sort(), api.items.map((r) => r.id).sort());
    for (const { id } of runs) {
      const fromApi = (await (await app.request(`/api/folds?run=${id}`)).json()) as { items: { id: number; run: string }[] };
      const fromCli = (await cli(['folds', '--run', id])) as { items: { id: number; run: string }[] };
      assert.deepEqual(fromCli.items.map((f) => [f.id, f.run]), fromApi.items.map((f) => [f.id, f.run]));
    }
  } finally {
    process.stdout.write = write;
  }
});
