import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type Api, type ServerHandle, startServer } from '@cmcrd/api';
import { Store } from '@cmcrd/store';
import { dashboardApp } from '../server/serve.js';

// The dashboard's server over a stand-in static export (a built one is not needed for these paths).
const work = mkdtempSync(join(tmpdir(), 'cmcrd-dashboard-hardening-'));
after(() => rmSync(work, { recursive: true, force: true }));
const out = join(work, 'out');
mkdirSync(join(out, 'experiments'), { recursive: true });
writeFileSync(join(out, 'index.html'), '<h1>home</h1>');
writeFileSync(join(out, 'experiments', 'index.html'), '<h1>experiments</h1>');
writeFileSync(join(out, '404.html'), '<h1>not here</h1>');

function raw(port: number, path: string, host = `127.0.0.1:${port}`) {
  return new Promise<{ status: number; location?: string; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { host }, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, location: res.headers.location, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

describe("the dashboard's server", { timeout: 30_000 }, () => {
  let server: ServerHandle;
  before(async () => {
    Store.open(join(work, 'store.sqlite')).close(); // the API opens stores, it never creates one
    server = await startServer({
      port: 0,
      dbPath: join(work, 'store.sqlite'),
      token: null,
      fetchFor: (api: Api) => dashboardApp(api, out).fetch,
    });
  });
  after(() => server.close());

  it('serves its pages and redirects a page path to its trailing slash', async () => {
    assert.equal((await raw(server.port, '/')).status, 200);
    const r = await raw(server.port, '/experiments');
    assert.equal(r.status, 308);
    assert.equal(r.location, '/experiments/');
  });

  it('never redirects to another site (//host, /\\host)', async () => {
    for (const path of ['//evil.example/x', '///evil.example/x', '/\\evil.example/x']) {
      const r = await raw(server.port, path);
      if (r.status === 308 || r.status === 301 || r.status === 302) {
        assert.ok(r.location?.startsWith('/') && !r.location.startsWith('//') && !r.location.startsWith('/\\'), `${path} → ${r.location}`);
      }
      assert.notEqual(r.status, 500, path);
    }
    assert.equal((await raw(server.port, '//evil.example/x')).location, '/evil.example/x/');
  });

  it('answers 400, not 500, to a path with a NUL or bad percent-encoding', async () => {
    for (const path of ['/%00', '/a%00b/', '/%E0%A4%A', '/x.html%00']) {
      const r = await raw(server.port, path);
      assert.equal(r.status, 400, path);
    }
  });

  it('refuses a foreign Host (DNS rebinding) on pages as on the API', async () => {
    assert.equal((await raw(server.port, '/', 'rebind.evil.example')).status, 421);
    assert.equal((await raw(server.port, '/api/folds', 'rebind.evil.example')).status, 421);
  });
});
