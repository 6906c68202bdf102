// Issue 8's targets: every table endpoint at 50 concurrent requests on a store of 100,000 folds,
// p50 ≤ 50 ms and p99 ≤ 200 ms, no errors. The store is written once into a temporary directory;
// the API runs in its own process (`cmcrd serve --api-only`), autocannon in this one, on loopback.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TABLE_KINDS } from '@cmcrd/reports';
import { writePaperShapedStore } from '@cmcrd/store/testing';
import autocannon from 'autocannon';

const SEEDS = 18;
const CONNECTIONS = 50;
const SECONDS = 5;
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-api-bench-'));
const db = join(dir, 'store.sqlite');

const { folds, seconds } = writePaperShapedStore(db, SEEDS);
console.log(`\nAPI load: a store of ${folds.toLocaleString('en')} folds (written in ${seconds.toFixed(1)} s), ${CONNECTIONS} connections, ${SECONDS} s per endpoint`);

const cli = fileURLToPath(new URL('../../cli/src/cmcrd.ts', import.meta.url));
const server = spawn(process.execPath, [...process.execArgv, cli, 'serve', '--api-only', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, CMCRD_API_TOKEN: '' } });
try {
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    server.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out);
      if (m) resolve(m[1]);
    });
    server.once('exit', (code) => reject(new Error(`the server exited (${code}) before listening`)));
  });
  console.log('endpoint                         first ms  requests   p50 ms  p99 ms  errors  target (p50 ≤ 50, p99 ≤ 200, no errors)');
  for (const table of TABLE_KINDS) {
    const path = `/api/tables/${table}`;
    // The first request builds the table; the rest are served from the cache until the store changes.
    const first = performance.now();
    const res = await fetch(`${url}${path}`);
    await res.arrayBuffer();
    const firstMs = performance.now() - first;
    const r = await autocannon({ url: `${url}${path}`, connections: CONNECTIONS, duration: SECONDS });
    const errors = r.errors + r.timeouts + r.non2xx;
    const met = r.latency.p50 <= 50 && r.latency.p99 <= 200 && errors === 0 && res.status === 200;
    console.log(
      `${path.padEnd(32)}${firstMs.toFixed(0).padStart(9)}  ${String(r.requests.total).padStart(8)}  ${String(r.latency.p50).padStart(7)}  ${String(r.latency.p99).padStart(6)}  ${String(errors).padStart(6)}  ${met ? 'met' : 'MISSED'}`,
    );
  }
} finally {
  server.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
