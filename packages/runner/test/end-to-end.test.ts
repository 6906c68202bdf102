import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type RunInput, executeJobs, expandJobs, loadBuiltins, main } from '../src/index.js';
import { Store } from '@cmcrd/store';

loadBuiltins();
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-e2e-'));

const tiny = (method: string, folds = ['subject-01']): RunInput => ({
  dataset: 'synthetic-seed-iv',
  protocol: 'within-subject',
  backbone: 'dnn',
  method,
  direction: 'em->eeg',
  seed: 7,
  epochs: 2,
  warmupEpochs: 1,
  teacherEpochs: 2,
  folds,
});

async function runInto(path: string, inputs: RunInput[], workers = 1) {
  const store = Store.open(path);
  try {
    const { jobs } = expandJobs(inputs);
    const summary = await executeJobs(jobs, store, { workers, backend: 'wasm' });
    return { summary, folds: store.listFolds(), epochs: store.listFolds().map((f) => store.epochsOf(f.id)) };
  } finally {
    store.close();
  }
}

test('a tiny cell runs end to end and every fold lands in SQLite with its epochs', async () => {
  const path = join(dir, 'tiny.sqlite');
  const { summary, folds, epochs } = await runInto(path, [tiny('eeg-only'), tiny('cmcrd')]);
  assert.deepEqual(summary, { finished: 2, failed: 0, skipped: 0 });
  assert.equal(folds.length, 2);
  const byMethod = Object.fromEntries(folds.map((f) => [f.method, f]));
  for (const f of folds) {
    assert.equal(f.status, 'done', f.error ?? '');
    assert.equal(f.dataset, 'synthetic-seed-iv');
    assert.equal(f.synthetic, true);
    assert.equal(f.protocol, 'within-subject');
    assert.equal(f.foldKey, 'subject-01');
    assert.equal(f.backbone, 'dnn');
    assert.equal(f.seed, 7);
    assert.equal(f.backend, 'wasm');
    assert.equal(f.epochs, 2);
    assert.equal(f.testModality, 'eeg');
    assert.ok(f.accuracy! >= 0 && f.accuracy! <= 1);
    assert.match(f.configHash, /^[0-9a-f]{64}$/);
    const confusion = JSON.parse(f.confusion!) as number[][];
    assert.equal(confusion.length, 4);
    const total = confusion.flat().reduce((a, b) => a + b, 0);
    assert.equal(total, f.testSize);
    const diagonal = confusion.reduce((a, row, i) => a + row[i], 0);
    assert.ok(Math.abs(diagonal / total - f.accuracy!) < 1e-12);
    assert.ok(f.trainMs! > 0 && f.testMs! > 0);
    assert.deepEqual(JSON.parse(f.protocolOptions), { epochSelection: 'last', mccSource: 'train', normalisation: 'train' });
  }
  assert.equal(byMethod['eeg-only'].direction, 'none');
  assert.equal(byMethod['eeg-only'].teacherKey, null);
  assert.equal(byMethod.cmcrd.direction, 'em->eeg');
  assert.match(byMethod.cmcrd.teacherKey ?? '', /^[0-9a-f]{64}$/);
  assert.ok(byMethod.cmcrd.teacherAccuracy! > 0.25);
  const options = JSON.parse(byMethod.cmcrd.options);
  assert.equal(options.negatives, 1200);
  assert.deepEqual([options.mcc, options.us, options.iew], [true, true, true]);
  for (const list of epochs) {
    assert.deepEqual(
      list.map((e) => e.epoch),
      [1, 2],
    );
    for (const e of list) assert.ok(Number.isFinite(JSON.parse(e.losses).total));
  }
  const cmcrdEpochs = epochs[folds.findIndex((f) => f.method === 'cmcrd')];
  assert.ok('distill' in JSON.parse(cmcrdEpochs[0].losses));
});

test('running the same cells again skips what is stored and duplicates nothing', async () => {
  const path = join(dir, 'tiny.sqlite');
  const { summary, folds } = await runInto(path, [tiny('eeg-only'), tiny('cmcrd')]);
  assert.deepEqual(summary, { finished: 0, failed: 0, skipped: 2 });
  assert.equal(folds.length, 2);
});

test('same seed and backend give identical numbers, in one process or in worker processes', async () => {
  const a = await runInto(join(dir, 'det-a.sqlite'), [tiny('cmcrd', ['subject-02', 'subject-03'])], 1);
  const b = await runInto(join(dir, 'det-b.sqlite'), [tiny('cmcrd', ['subject-02', 'subject-03'])], 2);
  const key = (f: { foldKey: string }) => f.foldKey;
  const sa = [...a.folds].sort((x, y) => key(x).localeCompare(key(y)));
  const sb = [...b.folds].sort((x, y) => key(x).localeCompare(key(y)));
  assert.equal(sa.length, 2);
  for (let i = 0; i < sa.length; i++) {
    assert.equal(sa[i].configHash, sb[i].configHash);
    assert.equal(sa[i].accuracy, sb[i].accuracy);
    assert.equal(sa[i].confusion, sb[i].confusion);
    assert.equal(sa[i].teacherAccuracy, sb[i].teacherAccuracy);
  }
  const lossesA = a.epochs.flat().map((e) => e.losses).sort();
  const lossesB = b.epochs.flat().map((e) => e.losses).sort();
  assert.deepEqual(lossesA, lossesB);
});

test('the command refuses bad input with exit code 2 and writes nothing', async () => {
  const cases = [
    ['--dataset', 'seed-ix', '--method', 'cmcrd'],
    ['--dataset', 'synthetic-seed-iv', '--method', 'nope'],
    ['--dataset', 'synthetic-seed-iv', '--method', 'cmcrd', '--backbone', 'transformer'],
    ['--dataset', 'synthetic-seed-iv', '--method', 'cmcrd', '--epochs', '-3'],
    ['--dataset', 'synthetic-seed-iv', '--method', 'cmcrd', '--options', '{"temperature": 0}'],
  ];
  for (const args of cases) {
    const db = join(dir, `refused-${cases.indexOf(args)}.sqlite`);
    const code = await main(['node', 'cmcrd', 'run', ...args, '--db', db]);
    assert.equal(code, 2, args.join(' '));
    assert.equal(existsSync(db), false, `${args.join(' ')} created ${db}`);
  }
});

test('fusion averages the two unimodal models of the fold; eeg->em distils the other way', async () => {
  const { summary, folds } = await runInto(join(dir, 'fusion.sqlite'), [
    tiny('eeg-only'),
    tiny('em-only'),
    tiny('fusion'),
    { ...tiny('kd'), direction: 'eeg->em' },
  ]);
  assert.deepEqual(summary, { finished: 4, failed: 0, skipped: 0 });
  const by = Object.fromEntries(folds.map((f) => [f.method, f]));
  for (const f of folds) assert.equal(f.status, 'done', f.error ?? '');
  assert.equal(by.fusion.testModality, 'eeg+em');
  assert.equal(by.fusion.direction, 'none');
  assert.equal(by.fusion.teacherKey, null);
  // The fold's unimodal models are trained once and shared: fusion reports their training time.
  assert.equal(by.fusion.trainMs, by['eeg-only'].trainMs! + by['em-only'].trainMs!);
  assert.ok(by.fusion.accuracy! > 0.25);
  assert.equal(by.kd.direction, 'eeg->em');
  assert.equal(by.kd.testModality, 'em');
  assert.match(by.kd.teacherKey ?? '', /^[0-9a-f]{64}$/);
});
