import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mock, test } from 'node:test';
import { createRandom, getBackbone, selectBackend } from '@cmcrd/core';
import { buildSplit, loadDataset, parseProtocolOptions } from '@cmcrd/data';
import { eq } from 'drizzle-orm';
import { type RunInput, TSNE_ITERATIONS, TSNE_MAX_POINTS, TSNE_PERPLEXITY, embedTestSet, embedTestSetAsync, executeJobs, expandJobs, guardedArtifacts, loadBuiltins, main, perplexityFor, stratifiedSample } from '../src/index.js';
import { Store, type TsneArtifact, schema } from '@cmcrd/store';
import { decodeOutcome, encodeOutcome } from '../src/queue.js';

// t-SNE embeddings of a fold's test features (src/embedding.ts): stored by `cmcrd run` and
// `cmcrd sweep --embeddings`, deterministic, outside the fold's identity, deleted with the fold.

loadBuiltins();
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-embeddings-'));

const cell: RunInput = {
  dataset: 'synthetic-seed-iv',
  protocol: 'within-subject',
  backbone: 'dnn',
  method: 'eeg-only',
  seed: 3,
  epochs: 2,
  warmupEpochs: 1,
  teacherEpochs: 2,
  folds: ['subject-01'],
};
const runArgs = ['--dataset', 'synthetic-seed-iv', '--method', 'eeg-only', '--seed', '3', '--epochs', '2', '--warmup-epochs', '1'];
const common = ['--folds', 'subject-01', '--workers', '1', '--backend', 'wasm'];

/** Runs the CLI with its output kept out of the test log (returned instead). */
async function cli(args: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = mock.method(console, 'log', (...a: unknown[]) => lines.push(a.join(' ')));
  try {
    const code = await main(['node', 'cmcrd', ...args]);
    return { code, out: lines.join('\n') };
  } finally {
    log.mock.restore();
  }
}

function foldsAndArtifacts(path: string) {
  const store = Store.open(path);
  try {
    return store.listFolds().map((f) => ({ fold: f, tsne: store.artifactOf(f.id, 'tsne') }));
  } finally {
    store.close();
  }
}

const testSplit = (foldKey: string) =>
  buildSplit(loadDataset('synthetic-seed-iv', { seed: 0 }), 'within-subject', foldKey, parseProtocolOptions({})).test;

let fromRun: { configHash: string; tsne: TsneArtifact } | undefined;

test('cmcrd run stores a t-SNE of the test features with the fold: stratified, labelled, finite', async () => {
  const db = join(dir, 'run.sqlite');
  const r = await cli(['run', ...runArgs, ...common, '--db', db]);
  assert.equal(r.code, 0, r.out);
  const [only, ...rest] = foldsAndArtifacts(db);
  assert.equal(rest.length, 0);
  assert.equal(only.fold.status, 'done', only.fold.error ?? '');
  const tsne = only.tsne;
  assert.ok(tsne, 'a tsne artifact');
  const test = testSplit('subject-01');
  assert.equal(only.fold.testSize, test.n);
  const n = Math.min(TSNE_MAX_POINTS, test.n);
  assert.ok(test.n > TSNE_MAX_POINTS, 'the fold is large enough to be subsampled');
  for (const list of [tsne.points, tsne.labels, tsne.predicted, tsne.indices]) assert.equal(list.length, n);
  assert.deepEqual(tsne.indices, [...new Set(tsne.indices)].sort((a, b) => a - b), 'ascending, no repeats');
  assert.ok(tsne.indices.every((i) => i >= 0 && i < test.n));
  assert.deepEqual(tsne.labels, tsne.indices.map((i) => test.labels[i]), "the test split's labels of those rows");
  for (const p of tsne.points) assert.ok(p.length === 2 && Number.isFinite(p[0]) && Number.isFinite(p[1]));
  assert.ok(new Set(tsne.points.map((p) => p.join())).size > n / 2, 'the points are spread out');
  assert.ok(tsne.predicted.every((c) => Number.isInteger(c) && c >= 0 && c < 4));
  // Stratified: each class keeps its share of the test rows, to within one point.
  for (let c = 0; c < 4; c++) {
    const share = (test.labels.filter((l) => l === c).length * n) / test.n;
    const got = tsne.labels.filter((l) => l === c).length;
    assert.ok(Math.abs(got - share) < 1, `class ${c}: ${got} points for a share of ${share}`);
  }
  assert.equal(tsne.perplexity, TSNE_PERPLEXITY);
  assert.equal(tsne.iterations, TSNE_ITERATIONS);
  assert.equal(tsne.seed, 3);
  assert.equal(tsne.features, 'dnn features[1] of 2 (penultimate), 128-d');
  assert.ok(tsne.ms > 0);
  fromRun = { configHash: only.fold.configHash, tsne };
});

test('the same fold config in a fresh store gives identical coordinates; the option is not in its identity', async () => {
  assert.ok(fromRun, 'needs the first test');
  const plain = expandJobs([cell]).jobs;
  const withEmbeddings = expandJobs([cell], { embeddings: true }).jobs;
  assert.deepEqual(
    withEmbeddings.map((j) => j.configHash),
    plain.map((j) => j.configHash),
  );
  assert.equal(plain[0].configHash, fromRun.configHash);
  assert.equal(plain[0].embeddings, undefined);
  assert.equal(withEmbeddings[0].embeddings, true);

  const db = join(dir, 'again.sqlite');
  const store = Store.open(db);
  try {
    assert.deepEqual(await executeJobs(withEmbeddings, store, { workers: 1, backend: 'wasm' }), { finished: 1, failed: 0, skipped: 0 });
    const [fold] = store.listFolds();
    assert.equal(fold.configHash, fromRun.configHash);
    const tsne = store.artifactOf(fold.id, 'tsne')!;
    assert.deepEqual(tsne.points, fromRun.tsne.points);
    assert.deepEqual(tsne.indices, fromRun.tsne.indices);
    assert.deepEqual(tsne.predicted, fromRun.tsne.predicted);
  } finally {
    store.close();
  }
});

test('cmcrd sweep stores embeddings only with --embeddings, in worker processes too, under the same fold hashes', async () => {
  assert.ok(fromRun, 'needs the first test');
  const file = join(dir, 'sweep.yaml');
  writeFileSync(
    file,
    `name: embeddings-test
defaults:
  dataset: synthetic-seed-iv
  seed: 3
  epochs: 2
  warmupEpochs: 1
  teacherEpochs: 2
grids:
  - method: eeg-only
    folds: [subject-01, subject-02]
`,
  );
  const without = join(dir, 'sweep-without.sqlite');
  const withIt = join(dir, 'sweep-with.sqlite');
  // Two folds in two groups on two workers: the worker-process path, whose outcomes cross IPC.
  const a = await cli(['sweep', file, '--db', without, '--workers', '2', '--backend', 'wasm']);
  assert.equal(a.code, 0, a.out);
  const b = await cli(['sweep', file, '--db', withIt, '--workers', '2', '--backend', 'wasm', '--embeddings']);
  assert.equal(b.code, 0, b.out);
  const plain = foldsAndArtifacts(without);
  const embedded = foldsAndArtifacts(withIt);
  assert.equal(plain.length, 2);
  assert.equal(embedded.length, 2);
  assert.ok(plain.every((f) => f.fold.status === 'done' && f.tsne === undefined));
  assert.ok(embedded.every((f) => f.fold.status === 'done' && f.tsne !== undefined));
  const hashes = (list: typeof plain) => list.map((f) => f.fold.configHash).sort();
  assert.deepEqual(hashes(embedded), hashes(plain));
  const first = embedded.find((f) => f.fold.foldKey === 'subject-01')!;
  assert.equal(first.fold.configHash, fromRun.configHash);
  assert.deepEqual(first.tsne!.points, fromRun.tsne.points, 'a worker process computes the same embedding as the command itself');
  const second = embedded.find((f) => f.fold.foldKey === 'subject-02')!;
  assert.equal(second.tsne!.points.length, Math.min(TSNE_MAX_POINTS, testSplit('subject-02').n));
  // The sweep's row is the same with and without the option (it changes no fold).
  const store = Store.open(withIt);
  try {
    assert.deepEqual(JSON.parse(store.listSweeps()[0].options), { real: false });
  } finally {
    store.close();
  }
});

test("deleting a fold deletes its artifact; a finished fold's artifact stays when it is recorded again", () => {
  const store = Store.open(join(dir, 'run.sqlite'));
  try {
    const [fold] = store.listFolds();
    const tsne = store.artifactOf(fold.id, 'tsne')!;
    assert.ok(tsne);
    const { id: _id, ...row } = fold;
    assert.deepEqual(store.recordFold(row, [], []), { id: fold.id, inserted: false });
    assert.deepEqual(store.artifactOf(fold.id, 'tsne'), tsne);
    assert.equal(store.artifactOf(fold.id + 1000, 'tsne'), undefined);
    store.db.delete(schema.folds).where(eq(schema.folds.id, fold.id)).run();
    assert.equal(store.artifactOf(fold.id, 'tsne'), undefined);
    assert.equal(store.db.select().from(schema.artifacts).all().length, 0);
  } finally {
    store.close();
  }
});

test('a failed attempt is replaced together with nothing stored beside it; the retry stores its artifact', () => {
  const source = Store.open(join(dir, 'again.sqlite'));
  const [fold] = source.listFolds();
  source.close();
  const store = Store.open(join(dir, 'retry.sqlite'));
  try {
    const { id: _id, ...done } = fold;
    const failed = { ...done, status: 'failed' as const, accuracy: null, error: 'Error: boom' };
    const first = store.recordFold(failed, []);
    assert.equal(store.artifactOf(first.id, 'tsne'), undefined);
    const data: TsneArtifact = {
      points: [
        [0, 1],
        [1, 0],
      ],
      labels: [0, 1],
      predicted: [0, 0],
      indices: [3, 7],
      perplexity: 1,
      iterations: 1,
      seed: 3,
      features: 'x',
      ms: 1,
    };
    const second = store.recordFold(done, [], [{ kind: 'tsne', data }]);
    assert.equal(second.inserted, true);
    assert.deepEqual(store.artifactOf(second.id, 'tsne'), data);
  } finally {
    store.close();
  }
});

test('a failing embedding leaves the fold without an artifact and says so on stderr, naming the fold', async () => {
  await selectBackend('wasm');
  const model = getBackbone('dnn').create({ inputDim: 8, numClasses: 4, modality: 'eeg', random: createRandom(1) });
  const error = mock.method(console, 'error', () => {});
  try {
    // Test rows of 7 values for a model of 8 inputs: the model itself refuses them.
    const labels = Int32Array.from({ length: 20 }, (_, i) => i % 4);
    const wrong = guardedArtifacts('synthetic-seed-iv within-subject subject-01 cmcrd dnn seed 3', () => ({
      kind: 'tsne',
      data: embedTestSet({ model, x: new Float32Array(20 * 7), dim: 7, labels, seed: 3, stream: 'subject-01' }),
    }));
    assert.deepEqual(wrong, []);
    // A model whose weights went NaN: its features are not finite, and nothing is embedded.
    model.restore(model.snapshot().map((w) => w.map(() => Number.NaN)));
    const nan = guardedArtifacts('fold-b', () => ({
      kind: 'tsne',
      data: embedTestSet({ model, x: new Float32Array(20 * 8).fill(1), dim: 8, labels, seed: 3, stream: 'subject-01' }),
    }));
    assert.deepEqual(nan, []);
    assert.equal(error.mock.callCount(), 2);
    const [first, second] = error.mock.calls.map((c) => String(c.arguments[0]));
    assert.match(first, /warning: no t-SNE embedding for synthetic-seed-iv within-subject subject-01 cmcrd dnn seed 3: /);
    assert.match(second, /fold-b: t-SNE: the model's features are not finite/);
  } finally {
    error.mock.restore();
    model.dispose();
  }
  // And a working one goes through.
  const fine = getBackbone('dnn').create({ inputDim: 8, numClasses: 4, modality: 'eeg', random: createRandom(1) });
  try {
    const r = createRandom(5);
    const labels = Int32Array.from({ length: 40 }, (_, i) => i % 4);
    const x = new Float32Array(40 * 8).map(() => r.normal());
    const out = guardedArtifacts('fold-c', () => ({ kind: 'tsne', data: embedTestSet({ model: fine, x, dim: 8, labels, seed: 3, stream: 's' }) }));
    assert.equal(out.length, 1);
    assert.equal(out[0].data.points.length, 40);
    assert.equal(out[0].data.perplexity, 13);
  } finally {
    fine.dispose();
  }
});

test('the subsample is stratified, deterministic and sorted; the perplexity is capped for small sets', () => {
  const labels = Int32Array.from({ length: 1000 }, (_, i) => (i < 700 ? 0 : i < 950 ? 1 : 2));
  const a = stratifiedSample(labels, 400, createRandom(9).fork('x'));
  const b = stratifiedSample(labels, 400, createRandom(9).fork('x'));
  const c = stratifiedSample(labels, 400, createRandom(9).fork('y'));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(a.length, 400);
  assert.deepEqual(a, [...a].sort((x, y) => x - y));
  assert.deepEqual(
    [0, 1, 2].map((k) => a.filter((i) => labels[i] === k).length),
    [280, 100, 20],
  );
  // Remainders: 3 classes of 1 row each into 2 places, and 10 rows into 7.
  assert.equal(stratifiedSample(Int32Array.from([0, 1, 2]), 2, createRandom(1)).length, 2);
  const uneven = Int32Array.from([0, 0, 0, 0, 0, 1, 1, 1, 2, 2]);
  assert.deepEqual(
    [0, 1, 2].map((k) => stratifiedSample(uneven, 7, createRandom(1)).filter((i) => uneven[i] === k).length),
    [4, 2, 1],
  );
  assert.deepEqual(stratifiedSample(Int32Array.from([1, 0, 1]), 400, createRandom(1)), [0, 1, 2]);
  assert.equal(perplexityFor(400), 30);
  assert.equal(perplexityFor(61), 20);
  assert.equal(perplexityFor(3), 1);
});

test('an outcome with its embedding survives the queue (JSON), and so does the job that asks for it', () => {
  const [job] = expandJobs([cell], { embeddings: true }).jobs;
  assert.equal((JSON.parse(JSON.stringify(job)) as typeof job).embeddings, true);
  assert.ok(fromRun, 'needs the first test');
  const outcome = { row: { configHash: job.configHash } as never, epochs: [], artifacts: [{ kind: 'tsne' as const, data: fromRun.tsne }] };
  const back = decodeOutcome(JSON.parse(JSON.stringify(encodeOutcome(outcome))));
  assert.deepEqual(back.artifacts, outcome.artifacts);
});

// One contract, two readers: the asynchronous embedding (used by folds, as webgpu has no
// synchronous read) gives exactly the synchronous one's artifact on the same backend.
test('embedTestSetAsync gives the same points, labels and predictions as embedTestSet', async () => {
  await selectBackend('wasm');
  const model = getBackbone('dnn').create({ inputDim: 8, numClasses: 3, modality: 'em', random: createRandom(4) });
  const r = createRandom(5);
  const labels = Int32Array.from({ length: 30 }, (_, i) => i % 3);
  const x = Float32Array.from({ length: 30 * 8 }, () => r.normal());
  const input = { model, x, dim: 8, labels, seed: 3, stream: 'subject-01' };
  const a = embedTestSet(input);
  const b = await embedTestSetAsync(input);
  assert.deepEqual(b.points, a.points);
  assert.deepEqual(b.labels, a.labels);
  assert.deepEqual(b.predicted, a.predicted);
  model.dispose();
});
