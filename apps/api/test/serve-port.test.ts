import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, it } from 'node:test';
import { Store } from '@cmcrd/store';
import { main } from '@cmcrd/runner/cli';
import { registerServeCommand, type StartWithDashboard } from '../src/index.js';
import { listenProblem } from '../src/server.js';

// `cmcrd serve` on a port it cannot have: one line naming the port and what to do, exit 2, no stack,
// and before the dashboard is built.
const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-port-'));
after(() => rmSync(work, { recursive: true, force: true }));
const dbPath = join(work, 'store.sqlite');
Store.open(dbPath).close();

/** A server holding a free port of 127.0.0.1, as another `cmcrd serve` would. */
function holdPort(): Promise<{ port: number; server: Server }> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => resolve({ port: (server.address() as AddressInfo).port, server }));
  });
}

/** `cmcrd serve …` in this process, the dashboard replaced by `dashboard`; the exit code and stderr lines. */
async function serve(args: string[], dashboard: StartWithDashboard): Promise<{ code: number; errors: string[] }> {
  const errors: string[] = [];
  const error = console.error;
  console.error = (...a: unknown[]) => errors.push(a.join(' '));
  try {
    const code = await main(['node', 'cmcrd', 'serve', '--db', dbPath, ...args], [(p) => registerServeCommand(p, dashboard)]);
    return { code, errors };
  } finally {
    console.error = error;
  }
}

it('a taken port: exit 2, one line naming it and suggesting --port 0, before the dashboard starts', async () => {
  const { port, server } = await holdPort();
  try {
    let started = false;
    const r = await serve(['--port', String(port)], async () => {
      started = true; // building the dashboard must not start either
      throw new Error('unreachable');
    });
    assert.equal(r.code, 2);
    assert.equal(started, false);
    assert.deepEqual(r.errors, [`cmcrd serve: port ${port} on 127.0.0.1 is taken (another cmcrd serve?): choose another with --port ${port + 1}, or --port 0 for any free one`]);
  } finally {
    server.close();
  }
});

it('a port taken between the check and the listen is said the same way', async () => {
  const { port, server } = await holdPort();
  server.close();
  const taken = Object.assign(new Error(`listen EADDRINUSE: address already in use 127.0.0.1:${port}`), { code: 'EADDRINUSE' });
  const r = await serve(['--port', String(port)], async () => {
    throw taken;
  });
  assert.equal(r.code, 2);
  assert.equal(r.errors.length, 1, r.errors.join('\n'));
  assert.match(r.errors[0], new RegExp(`^cmcrd serve: port ${port} on 127\\.0\\.0\\.1 is taken .*--port 0 for any free one$`));
  // Other failures still fail as before (exit 1 with their stack).
  const r2 = await serve(['--port', '0'], async () => {
    throw new Error('boom');
  });
  assert.equal(r2.code, 1);
  assert.match(r2.errors.join('\n'), /boom/);
});

it('listenProblem: a privileged port and a foreign address get their own line; other errors none', () => {
  assert.match(listenProblem({ code: 'EACCES' }, 80, '127.0.0.1') ?? '', /^port 80 on 127\.0\.0\.1 needs privileges .*--port 0/);
  assert.match(listenProblem({ code: 'EADDRNOTAVAIL' }, 3000, '10.9.9.9') ?? '', /^--host 10\.9\.9\.9 is not an address of this machine/);
  assert.equal(listenProblem(new Error('x'), 3000, '127.0.0.1'), null);
  assert.equal(listenProblem(undefined, 3000, '127.0.0.1'), null);
});

it('cmcrd serve --api-only on a taken port, as its own process: exit 2, one line on stderr, no stack', { timeout: 60_000 }, async () => {
  const { port, server } = await holdPort();
  try {
    const cli = fileURLToPath(new URL('../../cli/src/cmcrd.ts', import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, cli, 'serve', '--api-only', '--db', dbPath, '--port', String(port)], {
      env: { ...process.env, CMCRD_API_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 2, stderr);
    assert.equal(stdout, '');
    assert.match(stderr, new RegExp(`^cmcrd serve: port ${port} on 127\\.0\\.0\\.1 is taken .*--port 0 for any free one\\n$`));
  } finally {
    server.close();
  }
});
