import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '@cmcrd/store';
import { createApp, type ServerHandle, startServer, version } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-server-'));
after(() => rmSync(work, { recursive: true, force: true }));
const dbPath = join(work, 'store.sqlite');
Store.open(dbPath).close(); // the API opens stores, it never creates one

const TIMEOUT_MS = 10_000;

describe('api server (real HTTP on 127.0.0.1)', { timeout: TIMEOUT_MS }, () => {
  let server: ServerHandle;

  before(async () => {
    server = await startServer({ port: 0, dbPath, token: null });
  });

  after(async () => {
    await server?.close();
  });

  it('binds loopback on a free port', () => {
    assert.equal(server.hostname, '127.0.0.1');
    assert.ok(server.port > 0, `port ${server.port}`);
    assert.equal(server.url, `http://127.0.0.1:${server.port}`);
  });

  it('GET /api/health answers 200 with ok and version', async () => {
    const res = await fetch(`${server.url}/api/health`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { ok: true, version, store: 'store.sqlite', readOnly: true });
    assert.match(version, /^\d+\.\d+\.\d+/);
  });

  it('unknown /api route answers a JSON 404 naming the path', async () => {
    const res = await fetch(`${server.url}/api/no/such/route?x=1`, { signal: AbortSignal.timeout(5_000) });
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(await res.json(), { error: 'not found', message: 'no route GET /api/no/such/route', path: '/api/no/such/route' });
  });

  it('wrong method on a known path is a 404 too, not a crash', async () => {
    const res = await fetch(`${server.url}/api/health`, {
      method: 'POST',
      signal: AbortSignal.timeout(5_000),
    });
    assert.equal(res.status, 404);
    assert.deepEqual(await res.json(), { error: 'not found', message: 'no route POST /api/health', path: '/api/health' });
  });
});

describe('startServer', { timeout: TIMEOUT_MS }, () => {
  it('rejects when the port is taken, and close() frees it', async () => {
    const first = await startServer({ port: 0, dbPath });
    try {
      await assert.rejects(startServer({ port: first.port, dbPath }), (err: NodeJS.ErrnoException) => {
        assert.equal(err.code, 'EADDRINUSE');
        return true;
      });
    } finally {
      await first.close();
    }
    const again = await startServer({ port: first.port, dbPath });
    await again.close();
  });
});

describe('createApp (no network)', () => {
  it('serves health through app.request', async () => {
    const res = await createApp({ dbPath, token: 'x' }).request('/api/health');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ok: true, version, store: 'store.sqlite', readOnly: false });
  });

  it('non-API unknown paths are a plain 404', async () => {
    const res = await createApp({ dbPath }).request('/nope');
    assert.equal(res.status, 404);
  });
});
