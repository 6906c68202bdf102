// `pnpm --filter @cmcrd/cli bench`: how long the built `cmcrd` takes to answer, median of 3 runs
// of each, against issue 16's targets: --help, a comparison table of a small store, and
// `serve --api-only` until /api/health answers. Plain JavaScript, run against the build output
// (bin/cmcrd.js builds it first if needed, outside the timing).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../bin/cmcrd.js', import.meta.url));
const RUNS = 3;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function timed(args) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8' });
  const s = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`cmcrd ${args.join(' ')} exited with ${r.status}:\n${r.stderr}`);
  return s;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Seconds from spawning `cmcrd serve --api-only` to the first 200 from /api/health. */
async function serveUntilHealthy(db) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, [BIN, 'serve', '--api-only', '--port', String(port), '--db', db], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`cmcrd serve exited with ${child.exitCode}:\n${stderr}`);
      if (performance.now() - t0 > 120_000) throw new Error(`no answer from /api/health in 120 s:\n${stderr}`);
      try {
        const r = await fetch(`http://127.0.0.1:${port}/api/health`);
        if (r.ok) return (performance.now() - t0) / 1000;
      } catch {}
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r() : child.once('exit', r)));
  }
}

const work = mkdtempSync(join(tmpdir(), 'cmcrd-bench-startup-'));
try {
  timed(['--version']); // builds if needed: not timed
  // A small store of the golden fixture's folds (written with the runner's testing helpers, untimed).
  const db = join(work, 'demo.sqlite');
  const [{ Store }, { goldenFolds, fixtureRow, insertFolds }] = await Promise.all([import('@cmcrd/store'), import('@cmcrd/store/testing')]);
  const store = Store.open(db);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.close();

  const rows = [];
  const row = (what, xs, target) => {
    const m = median(xs);
    rows.push(`${what.padEnd(38)} ${m.toFixed(2).padStart(6)} s   target ≤ ${target} s   ${m <= target ? 'met' : 'NOT met'}   (runs: ${xs.map((x) => x.toFixed(2)).join(', ')})`);
  };
  const help = [];
  for (let i = 0; i < RUNS; i++) help.push(timed(['--help']));
  row('cmcrd --help', help, 1);
  const report = [];
  for (let i = 0; i < RUNS; i++) report.push(timed(['report', 'comparison', '--db', db]));
  row('cmcrd report comparison (small store)', report, 2);
  const serve = [];
  for (let i = 0; i < RUNS; i++) serve.push(await serveUntilHealthy(db));
  row('cmcrd serve --api-only → /api/health', serve, 2);
  console.log(`cmcrd startup, median of ${RUNS} (built command, node ${process.version}):`);
  for (const r of rows) console.log(`  ${r}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
