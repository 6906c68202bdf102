import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Store, StoreFaultError } from '@cmcrd/store';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { hostPolicy } from '../src/host-check.js';
import { type ServerHandle, startServer } from '../src/index.js';
import { MIN_TOKEN_LENGTH, tokenProblem } from '../src/serve-command.js';
import { testSweepRunner } from './sweep-runner.js';

const TIMEOUT = { timeout: 180_000 };
const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-hardening-'));
after(() => rmSync(work, { recursive: true, force: true }));
const dbPath = join(work, 'store.sqlite');
{
  const store = Store.open(dbPath);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.close();
}
const TOKEN = 'a'.repeat(MIN_TOKEN_LENGTH);

/** A raw HTTP request, so that the Host header and the path are sent exactly as given. */
function raw(port: number, path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        body += d;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.end();
  });
}

describe('Host check (DNS rebinding)', TIMEOUT, () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer({ port: 0, dbPath, token: null, allowedHosts: ['lab.example.org'] });
  });
  after(() => server.close());

  it('answers loopback names with the right port', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
      const r = await raw(server.port, '/api/folds?limit=1', { host });
      assert.equal(r.status, 200, host);
    }
  });

  it('refuses another name with 421, before any route reads the store', async () => {
    const r = await raw(server.port, '/api/folds', { host: 'rebind.evil.example' });
    assert.equal(r.status, 421);
    const body = JSON.parse(r.body);
    assert.equal(body.error, 'misdirected request');
    assert.equal(body.parameter, 'Host');
    assert.doesNotMatch(r.body, /fold|accuracy/i);
    const withPort = await raw(server.port, '/api/health', { host: `rebind.evil.example:${server.port}` });
    assert.equal(withPort.status, 421);
    // Non-API paths (the dashboard's) are refused the same way.
    assert.equal((await raw(server.port, '/', { host: 'rebind.evil.example' })).status, 421);
  });

  it('refuses a loopback name with the wrong port, and a malformed Host', async () => {
    assert.equal((await raw(server.port, '/api/health', { host: `127.0.0.1:${server.port + 1}` })).status, 421);
    assert.equal((await raw(server.port, '/api/health', { host: '127.0.0.1' })).status, 421);
    // A Host that is not a host name at all: the HTTP layer's 400 or ours.
    const malformed = (await raw(server.port, '/api/health', { host: 'a b:1' })).status;
    assert.ok(malformed === 400 || malformed === 421, String(malformed));
  });

  it('answers an allowed name (a reverse proxy) on any port', async () => {
    assert.equal((await raw(server.port, '/api/health', { host: 'lab.example.org' })).status, 200);
    assert.equal((await raw(server.port, '/api/health', { host: 'lab.example.org:443' })).status, 200);
    assert.equal((await raw(server.port, '/api/health', { host: 'evil.lab.example.org' })).status, 421);
  });

  it('/api/health names no absolute path', async () => {
    const r = await raw(server.port, '/api/health', { host: `127.0.0.1:${server.port}` });
    const body = JSON.parse(r.body);
    assert.equal(body.store, 'store.sqlite');
    assert.ok(!r.body.includes(work), r.body);
  });
});

describe('a damaged store', () => {
  it('is refused when the server opens it, not answered with 500s', async () => {
    const bad = join(work, 'zeroed.sqlite');
    copyFileSync(dbPath, bad);
    // Zeroed pages in the middle of the file, as a failing disk leaves them.
    const fd = openSync(bad, 'r+');
    writeSync(fd, Buffer.alloc(4096 * 20), 0, 4096 * 20, 4096 * 39);
    closeSync(fd);
    await assert.rejects(async () => startServer({ port: 0, dbPath: bad, token: null }), (e: unknown) => {
      assert.ok(e instanceof StoreFaultError);
      assert.match((e as Error).message, /zeroed\.sqlite: the store is damaged/);
      return true;
    });
  });
});

describe('hostPolicy', () => {
  it('accepts the bound address and, for a wildcard bind, no foreign name', () => {
    const p = hostPolicy('10.1.2.3');
    assert.ok(p.allows('10.1.2.3:80', 80));
    assert.ok(!p.allows('10.1.2.4:80', 80));
    assert.ok(p.allows('127.0.0.1:80', 80));
    assert.ok(p.allows('127.0.0.1', 80));
    assert.ok(!p.allows(undefined, 80));
    const wild = hostPolicy('0.0.0.0');
    assert.ok(wild.allows('127.0.0.1:3000', 3000));
    assert.ok(!wild.allows('evil.example:3000', 3000));
  });
});

describe('query integers', TIMEOUT, () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer({ port: 0, dbPath, token: null });
  });
  after(() => server.close());

  for (const [query, parameter] of [
    ['limit=0x10', 'limit'],
    ['limit=1&limit=2', 'limit'],
    ['limit=1e2', 'limit'],
    ['offset=%205', 'offset'],
    ['seed=0x1', 'seed'],
    ['experiment=1&experiment=1', 'experiment'],
  ]) {
    it(`refuses ${query} with 400 naming ${parameter}`, async () => {
      const r = await fetch(`${server.url}/api/folds?${query}`, { signal: AbortSignal.timeout(10_000) });
      assert.equal(r.status, 400);
      const body = await r.json();
      assert.equal(body.parameter, parameter);
      assert.equal(body.in, 'query');
      assert.match(body.message, /decimal|more than once/);
    });
  }

  it('still reads plain decimal numbers', async () => {
    const r = await fetch(`${server.url}/api/folds?limit=16&offset=0`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(r.status, 200);
    assert.equal((await r.json()).limit, 16);
    const one = await fetch(`${server.url}/api/folds/1`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(one.status, 200);
    const hex = await fetch(`${server.url}/api/folds/0x1`, { signal: AbortSignal.timeout(10_000) });
    assert.equal(hex.status, 400);
  });
});

describe('bearer token', TIMEOUT, () => {
  let server: ServerHandle;
  before(async () => {
    server = await startServer({ port: 0, dbPath, token: TOKEN, workDir: join(work, 'api'), sweepRunner: testSweepRunner() });
  });
  after(() => server.close());

  it('takes the scheme in any case', async () => {
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      // An empty body: the token is checked first, so a right token gets the body's 400, a wrong one 401.
      const r = await fetch(`${server.url}/api/experiments`, {
        method: 'POST',
        headers: { authorization: `${scheme} ${TOKEN}`, 'content-type': 'application/json' },
        body: '{}',
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(r.status, 400, scheme);
    }
    const wrong = await fetch(`${server.url}/api/experiments`, {
      method: 'POST',
      headers: { authorization: `bearer ${'b'.repeat(32)}`, 'content-type': 'application/json' },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(wrong.status, 401);
  });

  it('a posted plugin path does not reveal whether the file exists', async () => {
    const spec = (plugin: string) =>
      `name: p\nplugins: [${plugin}]\ngrids:\n  - dataset: synthetic-seed-iv\n    method: kd\n`;
    const answers = [];
    for (const plugin of [fileURLToPath(import.meta.url), '/no/such/plugin.ts']) {
      const r = await fetch(`${server.url}/api/experiments`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ spec: spec(plugin) }),
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(r.status, 400);
      const body = await r.json();
      answers.push(body.message.replaceAll(plugin, 'PLUGIN'));
    }
    assert.equal(answers[0], answers[1]);
    assert.match(answers[0], /plugins are not accepted over the API/);
  });
});

describe('cmcrd serve', TIMEOUT, () => {
  const cli = fileURLToPath(new URL('../../cli/src/cmcrd.ts', import.meta.url));
  const serve = (args: string[], env: Record<string, string>) =>
    spawn(process.execPath, [...process.execArgv, cli, 'serve', '--api-only', '--db', dbPath, '--port', '0', ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });

  it('refuses a short token with exit 2, saying how to make one', async () => {
    assert.match(tokenProblem('abc') ?? '', /openssl rand -hex 32/);
    assert.equal(tokenProblem(TOKEN), null);
    assert.equal(tokenProblem(undefined), null);
    const child = serve([], { CMCRD_API_TOKEN: 'abc' });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2);
    assert.match(stderr, /3 character\(s\).*at least 32.*openssl rand -hex 32/s);
  });

  it('warns on stderr when bound to a non-loopback address', async () => {
    const child = serve(['--host', '0.0.0.0'], { CMCRD_API_TOKEN: '' });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const listening = new Promise<void>((resolve) =>
      child.stdout.on('data', (d) => {
        stdout += d;
        if (stdout.includes('Ctrl-C')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    await Promise.race([listening, exited]);
    child.kill('SIGTERM');
    await exited;
    assert.match(stderr, /warning: --host 0\.0\.0\.0 is not loopback/);
    assert.match(stdout, /cmcrd API on/);
  });
});
