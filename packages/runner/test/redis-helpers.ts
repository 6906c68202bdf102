// A real redis-server on a free loopback port for the tests (Debian's; not a test file itself).
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { waitFor } from './process-helpers.js';

export const REDIS_SERVER = '/usr/bin/redis-server';

export function freePort(): Promise<number> {
  return new Promise((r) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => r(port));
    });
  });
}

/** Starts redis-server on `port` (no persistence); resolves once it accepts connections. */
export async function startRedis(port: number): Promise<ChildProcess> {
  assert.ok(existsSync(REDIS_SERVER), `${REDIS_SERVER} is missing: these tests need Debian's redis-server (apt-get install redis-server)`);
  const child = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let ready = false;
  createInterface({ input: child.stdout! }).on('line', (l) => {
    if (/Ready to accept connections/.test(l)) ready = true;
  });
  await waitFor('redis-server to accept connections', () => {
    if (child.exitCode !== null) throw new Error('redis-server exited');
    return ready;
  });
  return child;
}
