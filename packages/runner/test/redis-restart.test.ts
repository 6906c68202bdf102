import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { CLI, inspectStore, writeTinySweep } from './fault-helpers.js';
import { waitFor } from './process-helpers.js';
import { freePort, startRedis } from './redis-helpers.js';

// Redis restarted (empty: no persistence) in the middle of a distributed sweep: the coordinator
// puts the missing folds and the stored teachers back, and the sweep ends with one row per fold.

const work = mkdtempSync(join(tmpdir(), 'cmcrd-redis-restart-'));
const children = new Set<ChildProcess>();
after(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(work, { recursive: true, force: true });
});

function cmcrd(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  return { child, out: () => out, exited: new Promise<number | null>((r) => child.on('exit', (code) => r(code))) };
}

test('Redis restarted mid-sweep: one done row per fold, no corrupt file', { timeout: 300_000 }, async () => {
  const port = await freePort();
  let redis = await startRedis(port);
  children.add(redis);
  const url = `redis://127.0.0.1:${port}/3`;
  const file = join(work, 'tiny.yaml');
  const db = join(work, 'store.sqlite');
  const folds = writeTinySweep(file, 3);
  const env = { CMCRD_QUEUE_RECHECK_MS: '2000', CMCRD_QUEUE_LOCK_MS: '4000' };
  const worker = cmcrd(['worker', '--queue', url, '--backend', 'wasm'], env);
  await waitFor('the worker', () => /taking folds from/.test(worker.out()), 60_000);
  const coordinator = cmcrd(['sweep', file, '--db', db, '--queue', url], env);
  await waitFor('the first fold stored', () => /^\[\s*1\//m.test(coordinator.out()), 120_000);
  redis.kill('SIGKILL');
  await new Promise((r) => redis.once('exit', r));
  redis = await startRedis(port);
  children.add(redis);
  const code = await coordinator.exited;
  assert.equal(code, 0, coordinator.out());
  worker.child.kill('SIGTERM');
  await worker.exited;
  const state = inspectStore(db);
  assert.equal(state.integrity, 'ok');
  assert.equal(state.doneBySweepFold.size, folds, coordinator.out());
  assert.ok([...state.doneBySweepFold.values()].every((n) => n === 1));
  assert.deepEqual(state.sweeps, ['finished']);
});
