import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '@cmcrd/store';
import { type ServerHandle, startServer } from '../src/index.js';
import { lateInvalidSweep, sweepBomb } from './sweep-bombs.js';
import { testSweepRunner } from './sweep-runner.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-sweep-size-'));
after(() => rmSync(work, { recursive: true, force: true }));
const TOKEN = 't'.repeat(32);

const postSpec = (server: ServerHandle, spec: string) =>
  fetch(`${server.url}/api/experiments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ spec }),
    signal: AbortSignal.timeout(120_000),
  });

describe('posted sweeps are bounded and checked off the event loop', { timeout: 180_000 }, () => {
  let server: ServerHandle;
  before(async () => {
    Store.open(join(work, 'store.sqlite')).close(); // the API opens stores, it never creates one
    server = await startServer({ port: 0, dbPath: join(work, 'store.sqlite'), token: TOKEN, workDir: join(work, 'api'), sweepRunner: testSweepRunner() });
  });
  after(() => server.close());

  it('refuses the anchor bomb over 100,000 cells with 400, naming the count and the axes', async () => {
    const spec = sweepBomb(4);
    assert.ok(spec.length < 600);
    const r = await postSpec(server, spec);
    assert.equal(r.status, 400);
    const body = await r.json();
    assert.equal(body.parameter, 'spec');
    assert.match(body.message, /^spec: the sweep expands to 2,560,000 cells, more than the limit of 100,000; its axes: grids\[0\]\.seed \(40\) × /);
    assert.equal(server.api.store.listSweeps().length, 0);
  });

  it('answers /api/health while a big posted sweep is being expanded, then refuses its bad cell', async () => {
    const posted = postSpec(server, lateInvalidSweep(20)).then(async (r) => ({ at: performance.now(), status: r.status, body: await r.json() }));
    // Give the check a moment to start, then ask for health while it runs.
    await new Promise((r) => setTimeout(r, 200));
    const health = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(10_000) });
    const healthAt = performance.now();
    assert.equal(health.status, 200);
    const p = await posted;
    assert.ok(healthAt < p.at, 'health answered before the check ended');
    assert.equal(p.status, 400);
    assert.match(p.body.message, /grids\[1\]\.dataset.*no-such-dataset|no-such-dataset/);
    assert.equal(server.api.store.listSweeps().length, 0);
  });
});
