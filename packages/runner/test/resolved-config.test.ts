// The resolved config (config.ts RunConfig): plain data resolved once, one warm-up rule for `run`
// and sweeps, the dataset's K from the plugins' options context, and fold identities that stay
// byte-identical for the folds stored before.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { type DistillerPlugin, hasDistiller, listDistillers, registerDistiller, selectBackend } from '@cmcrd/core';
import { z } from 'zod';
import { hashOf, variantOf } from '@cmcrd/store';
import { FoldExecutor, foldIdentity, teacherKeyOf } from '../src/fold.js';
import { BUILTIN_DISTILLERS, ConfigError, type RunInput, defaultWarmupEpochs, distillerOf, expandJobs, expandSweep, loadBuiltins, main, parseSweep, resolveRun } from '../src/index.js';
import { Store } from '@cmcrd/store';

loadBuiltins();
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-resolved-config-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const quietly = async (argv: string[]) => {
  const log = console.log;
  const error = console.error;
  const lines: string[] = [];
  console.log = (...a: unknown[]) => lines.push(a.join(' '));
  console.error = (...a: unknown[]) => lines.push(a.join(' '));
  try {
    return { code: await main(['node', 'cmcrd', ...argv]), out: lines.join('\n') };
  } finally {
    console.log = log;
    console.error = error;
  }
};

// Computed by the code before the config became plain data (commit 0221645): a stored fold is
// found by these hashes, so they must never change for the same cell.
const STORED: { cell: RunInput; fold: string; hash: string; teacher: string | null; variant: string }[] = [
  {
    cell: { dataset: 'synthetic-seed-iv', method: 'cmcrd' },
    fold: 'subject-01',
    hash: '0e6a2d754dfbc8137537a11da16f08c63a619300e67dcabbb99cb5274e0c6b18',
    teacher: 'b37b6a675cfd7c4cb9e7d85afb752dd3d279e05750bd169a89119642952d7aa3',
    variant:
      '{"dim":128,"iew":true,"mcc":true,"momentum":0.05,"negatives":1200,"temperature":0.07,"us":true,"weight":0.02}\u001f{"batchSize":32,"epochs":40,"lr":0.001,"warmupEpochs":10,"weightDecay":0.001}\u001f50\u001f',
  },
  {
    cell: { dataset: 'synthetic-seed-iv', method: 'cmcrd', protocol: 'cross-subject', options: { us: false } },
    fold: 'loso-01',
    hash: 'ab986092dda84359e7c8447d65c711932c6d9789e8d25bc0dcf8e5981db66d86',
    teacher: '0cc80a520efd1c7274b9af87215e0cec17d16ccd50fba6fbb635dbc8d570067a',
    variant:
      '{"dim":128,"iew":true,"mcc":true,"momentum":0.05,"negatives":25000,"temperature":0.07,"us":false,"weight":0.02}\u001f{"batchSize":32,"epochs":40,"lr":0.001,"warmupEpochs":10,"weightDecay":0.001}\u001f50\u001f',
  },
  {
    cell: { dataset: 'synthetic-seed', method: 'crd', protocol: 'cross-subject', direction: 'eeg->em' },
    fold: 'loso-01',
    hash: '3c55c986dd279bea7afce9c552c0a2924fce8cc3487c695b1f24596345f278c4',
    teacher: '793ef09922f689e09a6d6ef584a7158272007452e3c2a32c722b471e2d064f5a',
    variant:
      '{"dim":128,"momentum":0.5,"negatives":21000,"temperature":0.07,"weight":0.02}\u001f{"batchSize":32,"epochs":40,"lr":0.001,"warmupEpochs":10,"weightDecay":0.001}\u001f50\u001f',
  },
  {
    cell: { dataset: 'synthetic-seed-v', method: 'kd', seed: 3, dataSeed: 2 },
    fold: 'subject-01',
    hash: '6f18dcb8b3c288c351653e6f4ab30cd325033440eabd11bd90108737d1d89431',
    teacher: '075a74446520360620f760f4a32f7368a516abd4c71943b05b9b52aea9ec77a9',
    variant: '{"temperature":4,"weight":10}\u001f{"batchSize":32,"epochs":40,"lr":0.001,"warmupEpochs":10,"weightDecay":0.001}\u001f50\u001f',
  },
  {
    cell: { dataset: 'synthetic-seed-iv', method: 'eeg-only' },
    fold: 'subject-01',
    hash: 'a5adc606e978a957b11170ed8099f92e165ad48140feff5d45f60954160e1a62',
    teacher: null,
    variant: '{}\u001f{"batchSize":32,"epochs":40,"lr":0.001,"warmupEpochs":10,"weightDecay":0.001}\u001f\u001f',
  },
  {
    cell: { dataset: 'synthetic-seed-iv', method: 'fusion', epochs: 12, warmupEpochs: 3, teacherEpochs: 12 },
    fold: 'subject-01',
    hash: '2e82d736829cace919f4ba17b9133fabf443e793678426e42c19a523b8bd9ba7',
    teacher: null,
    variant: '{}\u001f{"batchSize":32,"epochs":12,"lr":0.001,"warmupEpochs":3,"weightDecay":0.001}\u001f\u001f',
  },
  {
    cell: { dataset: 'synthetic-seed-iv', method: 'pkt', protocolOptions: { normalisation: 'paper', mccSource: 'target' } },
    fold: 'subject-01',
    hash: '4aac792ce4ca212d0ca55d6507bdc475cba3f2c8716e80edc638df7bdc6156e6',
    teacher: '19f6ff6aca692ec3d1809de35e8ed5eeffb5e45edcd4e5c8f49d56c27b94ab32',
    variant: '{"eps":1e-7,"weight":1000}\u001f{"batchSize":32,"epochs":40,"lr":0.001,"warmupEpochs":10,"weightDecay":0.001}\u001f50\u001f',
  },
];

test('stored folds keep their identity: the same hashes, teacher keys and variants as before', () => {
  for (const s of STORED) {
    const config = resolveRun(s.cell);
    const identity = foldIdentity(config, s.fold);
    assert.equal(hashOf(identity), s.hash, JSON.stringify(s.cell));
    assert.equal(teacherKeyOf(config, s.fold), s.teacher, JSON.stringify(s.cell));
    assert.equal(variantOf(identity), s.variant, JSON.stringify(s.cell));
  }
});

test('a resolved config is plain data: JSON gives back an equal value with the same identity', () => {
  for (const s of STORED) {
    const config = resolveRun(s.cell);
    const copy = JSON.parse(JSON.stringify(config));
    assert.deepEqual(copy, config);
    assert.equal(hashOf(foldIdentity(copy, s.fold)), s.hash);
  }
  // Jobs carry it, narrowed to their fold, with the same hash as the job's.
  const { jobs } = expandJobs([{ dataset: 'synthetic-seed-iv', method: 'crd', folds: ['subject-02', 'subject-03'] }]);
  assert.equal(jobs.length, 2);
  for (const job of jobs) {
    assert.deepEqual(job.config.folds, [job.foldKey]);
    assert.deepEqual(JSON.parse(JSON.stringify(job)), job);
    assert.equal(hashOf(foldIdentity(JSON.parse(JSON.stringify(job.config)), job.foldKey)), job.configHash);
  }
});

test('the plugin of a resolved method is looked up by name where it runs; none for the reference methods', async () => {
  const crd = resolveRun({ dataset: 'synthetic-seed-iv', method: 'crd' });
  assert.equal(crd.method.distiller, true);
  assert.equal(crd.method.displayName, 'CRD');
  assert.equal((await distillerOf(JSON.parse(JSON.stringify(crd.method))))?.name, 'crd');
  assert.equal(await distillerOf(resolveRun({ dataset: 'synthetic-seed-iv', method: 'fusion' }).method), null);
});

test('a fold whose data differs from the revision its config was resolved with fails, naming both', async () => {
  await selectBackend('wasm');
  const config = resolveRun({ dataset: 'synthetic-seed-iv', method: 'eeg-only', folds: ['subject-01'] });
  const executor = new FoldExecutor();
  try {
    const outcome = await executor.run({ ...config, spec: { ...config.spec, dataVersion: 'elsewhere' } }, 'subject-01');
    assert.equal(outcome.row.status, 'failed');
    assert.match(outcome.row.error ?? '', /synthetic-seed-iv here is revision \(none\), but the fold was resolved with revision elsewhere/);
  } finally {
    executor.dispose();
  }
});

test('the built-ins are registered from one list: CMCRD and the seven baselines', () => {
  assert.deepEqual(BUILTIN_DISTILLERS.map((p) => p.name).sort(), ['cmcrd', 'crd', 'fitnet', 'kd', 'nst', 'pkt', 'rkd', 'sp']);
  for (const p of BUILTIN_DISTILLERS) assert.ok(hasDistiller(p.name), p.name);
  for (const name of ['cmcrd', 'crd', 'fitnet', 'kd', 'nst', 'pkt', 'rkd', 'sp']) assert.ok(listDistillers().includes(name));
});

test('warm-up not given: min(10, floor(epochs/4)), the same rule for every caller; given, it is kept', () => {
  assert.deepEqual([40, 41, 12, 8, 4, 3, 1].map(defaultWarmupEpochs), [10, 10, 3, 2, 1, 0, 0]);
  const warmup = (extra: Partial<RunInput>) => resolveRun({ dataset: 'synthetic-seed-iv', method: 'kd', ...extra }).student.warmupEpochs;
  assert.equal(warmup({}), 10);
  assert.equal(warmup({ epochs: 4 }), 1);
  assert.equal(warmup({ epochs: 100 }), 10);
  assert.equal(warmup({ epochs: 4, warmupEpochs: 4 }), 4);
  assert.equal(warmup({ epochs: 12, warmupEpochs: undefined }), 3);
  assert.throws(() => warmup({ epochs: 4, warmupEpochs: 5 }), (e: unknown) => e instanceof ConfigError && /warmupEpochs \(5\) exceeds epochs \(4\)/.test((e as Error).message));
});

test('a sweep of epochs: 4 with no warm-up is accepted, with the warm-up `run` gives it', () => {
  const spec = parseSweep('name: short\ngrids:\n  - dataset: synthetic-seed-iv\n    method: [kd, eeg-only]\n    epochs: 4\n    folds: [subject-01]\n', 'short.yaml');
  const { jobs } = expandJobs(expandSweep(spec));
  assert.equal(jobs.length, 2);
  for (const job of jobs) assert.deepEqual([job.config.student.epochs, job.config.student.warmupEpochs], [4, 1]);
});

test('a dataset K for plugins that take it from their options context; an outside plugin without `defaults` keeps its own', () => {
  const negatives = z.number().int().positive().default(7);
  const withContext: DistillerPlugin = {
    name: 'test-ctx-negatives',
    options: z.object({ negatives }).strict(),
    defaults: (ctx) => ({ negatives: ctx.negatives }),
    create: () => {
      throw new Error('not trained here');
    },
  };
  const without: DistillerPlugin = { ...withContext, name: 'test-own-negatives', defaults: undefined };
  if (!hasDistiller(withContext.name)) registerDistiller(withContext);
  if (!hasDistiller(without.name)) registerDistiller(without);
  const k = (method: string, extra: Partial<RunInput> = {}) =>
    resolveRun({ dataset: 'synthetic-seed-v', method, ...extra }).method.options.negatives;
  assert.equal(k(withContext.name), 900);
  assert.equal(k(withContext.name, { protocol: 'cross-subject' }), 17000);
  assert.equal(k(withContext.name, { options: { negatives: 5 } }), 5);
  assert.equal(k(without.name), 7);
  assert.equal(k(without.name, { protocol: 'cross-subject' }), 7);
});

test('`cmcrd run` and then a sweep of the same values: the sweep finds every fold stored and runs none', async () => {
  const db = join(dir, 'same.sqlite');
  // 12 epochs and no warm-up given: both take 3 (before, `run` took 3 and the sweep 10).
  const ran = await quietly(['run', '--dataset', 'synthetic-seed-iv', '--method', 'eeg-only', '--folds', 'subject-01', '--epochs', '12', '--no-keep-models', '--workers', '1', '--backend', 'wasm', '--db', db]);
  assert.equal(ran.code, 0, ran.out);
  assert.match(ran.out, /1 fold\(s\) run, 0 already stored, 0 failed/);
  const file = join(dir, 'same.yaml');
  writeFileSync(file, 'name: same\ngrids:\n  - dataset: synthetic-seed-iv\n    method: eeg-only\n    epochs: 12\n    folds: [subject-01]\n');
  const swept = await quietly(['sweep', file, '--workers', '1', '--backend', 'wasm', '--db', db]);
  assert.equal(swept.code, 0, swept.out);
  assert.match(swept.out, /0 fold\(s\) run, 1 already stored, 0 failed/);
  const store = Store.open(db);
  try {
    const folds = store.listFolds();
    assert.equal(folds.length, 1);
    assert.equal(JSON.parse(folds[0].config).student.warmupEpochs, 3);
  } finally {
    store.close();
  }
});
