// Backend selection as the CLI sees it, and a short end-to-end fold on the backend under test
// (CMCRD_TEST_BACKEND: CI runs this file again with webgpu on Mesa's lavapipe).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { loseDeviceForTesting } from '@cmcrd/core';
import { type ExecEvent, type RunInput, executeJobs, expandJobs, loadBuiltins, main } from '../src/index.js';
import { Store } from '@cmcrd/store';

loadBuiltins();
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-backends-'));
const backend = process.env.CMCRD_TEST_BACKEND || 'wasm';
const cli = fileURLToPath(new URL('../../../apps/cli/src/cmcrd.ts', import.meta.url));

// The smallest synthetic fold (1,330 training windows), one epoch each, K = 64: lavapipe runs a
// step in ~0.2 s, and CI's webgpu pass should stay within a few minutes.
const tiny = (method: string): RunInput => ({
  dataset: 'synthetic-seed-v',
  protocol: 'within-subject',
  backbone: 'dnn',
  method,
  direction: 'em->eeg',
  seed: 7,
  epochs: 1,
  warmupEpochs: 0,
  teacherEpochs: 1,
  options: method === 'cmcrd' ? { negatives: 64 } : {},
  folds: ['subject-01'],
});

async function capture(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await main(['node', 'cmcrd', ...argv]), out: lines.join('\n') };
  } finally {
    console.log = log;
  }
}

test('cmcrd list shows every backend in the automatic order, each available or not and why', async () => {
  const { code, out } = await capture(['list']);
  assert.equal(code, 0);
  assert.match(out, /tensorflow-gpu → webgpu → tensorflow → wasm → cpu/);
  for (const name of ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu']) {
    assert.match(out, new RegExp(`^  ${name} +(available|named only|unavailable) +\\S`, 'm'), `no line for ${name}`);
  }
  // The pure-JS backend is always there; the optional native builds say how to get them.
  assert.match(out, /^ {2}cpu +available/m);
  assert.match(out, /tensorflow-gpu +(available|unavailable +npm package @tensorflow\/tfjs-node-gpu)/);
  // webgpu names its adapter (vendor, architecture) or what is missing.
  assert.match(out, /webgpu +(available +adapter \S+ \S+|named only +software adapter \S+ \S+|unavailable +(no WebGPU adapter|the Dawn binding))/);
});

test('--backend webgpu with no adapter: exit 2 before training, naming what is missing, no store written', () => {
  const db = join(dir, 'no-adapter.sqlite');
  // No driver (an ICD list naming a file that does not exist) and no XDG_RUNTIME_DIR.
  const env: NodeJS.ProcessEnv = { ...process.env, VK_ICD_FILENAMES: join(dir, 'no-such-icd.json'), VK_DRIVER_FILES: join(dir, 'no-such-icd.json') };
  delete env.XDG_RUNTIME_DIR;
  delete env.CMCRD_TEST_BACKEND;
  const r = spawnSync(
    process.execPath,
    ['--conditions=@cmcrd/source', '--import', 'tsx', cli, 'run', '--dataset', 'synthetic-seed-iv', '--protocol', 'within-subject', '--backbone', 'dnn', '--method', 'cmcrd', '--backend', 'webgpu', '--db', db],
    { encoding: 'utf8', env, timeout: 120_000 },
  );
  assert.equal(r.status, 2, r.stderr);
  assert.match(r.stderr, /cmcrd: backend 'webgpu' could not be loaded here: no WebGPU adapter; missing: .*Vulkan driver.*XDG_RUNTIME_DIR/);
  assert.equal(existsSync(db), false, 'the store was created');
});

test(`a short fold end to end on ${backend}: stored done, with its backend recorded`, async () => {
  const path = join(dir, `fold-${backend}.sqlite`);
  const store = Store.open(path);
  try {
    const { jobs } = expandJobs([tiny('cmcrd')]);
    const summary = await executeJobs(jobs, store, { workers: 1, backend });
    assert.deepEqual(summary, { finished: 1, failed: 0, skipped: 0 });
    const [fold] = store.listFolds();
    assert.equal(fold.status, 'done', fold.error ?? '');
    assert.equal(fold.backend, backend);
    assert.equal(store.epochsOf(fold.id).length, 1);
    // Five classes: better than chance after one epoch.
    assert.ok(fold.accuracy! > 0.3, `accuracy ${fold.accuracy}`);
  } finally {
    store.close();
  }
});

// The device-lost path exists on webgpu only: this test is part of CI's webgpu pass.
if (backend === 'webgpu') {
  test('a device lost mid-fold fails that fold with its error, which is retried on a fresh device and stored once', async () => {
    const path = join(dir, 'device-lost.sqlite');
    const store = Store.open(path);
    const events: ExecEvent[] = [];
    let lost = false;
    try {
      const { jobs } = expandJobs([tiny('eeg-only')]);
      const summary = await executeJobs(jobs, store, {
        workers: 1,
        backend,
        retries: 1,
        onEvent: (e) => {
          events.push(e);
          // The first student epoch of the first attempt: the device goes away as in a driver reset.
          if (!lost && e.type === 'progress' && e.progress.stage === 'student') {
            lost = true;
            loseDeviceForTesting();
          }
        },
      });
      assert.ok(lost);
      assert.deepEqual(summary, { finished: 1, failed: 0, skipped: 0 });
      const retry = events.find((e) => e.type === 'retry') as Extract<ExecEvent, { type: 'retry' }> | undefined;
      assert.ok(retry, 'no retry');
      assert.match(retry.error, /DeviceLostError: webgpu device lost/);
      const folds = store.listFolds();
      assert.equal(folds.length, 1);
      assert.equal(folds[0].status, 'done');
      assert.equal(folds[0].attempts, 2);
      assert.equal(store.epochsOf(folds[0].id).length, 1);
    } finally {
      store.close();
    }
  });
}
