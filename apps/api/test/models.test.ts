import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createRandom, getBackbone, inferAll, loadGraphModel, selectBackend, tf } from '@cmcrd/core';
import { type ModelArtifact, Store, buildModelArtifact } from '@cmcrd/store';
import { exportFiles } from '@cmcrd/reports';
import { fixtureRow } from '@cmcrd/store/testing';
import { unzipSync } from 'fflate';
import { FoldModelInfoSchema, FoldTestWindowsSchema, ModelPreprocessSchema } from '../src/contract/index.js';
import { type ServerHandle, startServer } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-models-'));
after(() => rmSync(work, { recursive: true, force: true }));

const fold = (method: string, direction: string) =>
  fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method, backbone: 'dnn', direction });

describe('GET /api/folds/{id}/model', { timeout: 60_000 }, () => {
  let server: ServerHandle;
  let artifact: ModelArtifact;
  const ids: Record<string, number> = {};
  const backbone = getBackbone('dnn').create({ inputDim: 310, numClasses: 4, modality: 'eeg', random: createRandom(5) });
  after(() => backbone.dispose());

  before(async () => {
    await selectBackend('cpu');
    const row = fold('cmcrd', 'em->eeg');
    artifact = buildModelArtifact({
      snapshot: backbone.snapshot(),
      architecture: { backbone: 'dnn', modality: 'eeg', inputDim: 310, numClasses: 4, featureDims: [128, 128], parameterCount: backbone.parameterCount() },
      preprocess: { normalisation: 'train', mean: Array(310).fill(0.5), std: Array(310).fill(2), featureNames: Array.from({ length: 310 }, (_, i) => `f${i}`), classNames: ['neutral', 'sad', 'fear', 'happy'] },
      provenance: {
        dataset: row.dataset,
        synthetic: true,
        dataRevision: '0',
        protocol: row.protocol,
        foldKey: row.foldKey,
        protocolOptions: { normalisation: 'train', mccSource: 'train', epochSelection: 'last' },
        method: 'cmcrd',
        options: {},
        direction: 'em->eeg',
        teacherKey: 'f'.repeat(64),
        teacherAccuracy: 0.9,
        seed: 1,
        student: { epochs: 2 },
        accuracy: 0.5,
        balancedAccuracy: 0.5,
        testSize: 10,
        trainSize: 20,
        confusion: [[5, 0, 0, 0], [5, 0, 0, 0], [0, 0, 0, 0], [0, 0, 0, 0]],
        selectedEpoch: null,
        backend: 'cpu',
        codeRevision: 'test',
        configHash: row.configHash,
        trainedAt: '2026-01-01T00:00:00.000Z',
      },
    });
    const dbPath = join(work, 'store.sqlite');
    const store = Store.open(dbPath);
    try {
      ids.cmcrd = store.recordFold(row, [], [{ kind: 'model', data: artifact }]).id;
      ids.without = store.recordFold(fold('eeg-only', 'none'), []).id;
      ids.fusion = store.recordFold(fold('fusion', 'none'), []).id;
    } finally {
      store.close();
    }
    server = await startServer({ port: 0, dbPath, token: null });
  });
  after(() => server?.close());

  const get = (path: string) => fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(10_000) });

  it('answers the export as a zip holding exactly what cmcrd export writes', async () => {
    const res = await get(`/api/folds/${ids.cmcrd}/model`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.match(res.headers.get('content-disposition') ?? '', /attachment; filename="cmcrd-fold-\d+-model\.zip"/);
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const expected = exportFiles(artifact, { id: ids.cmcrd });
    assert.deepEqual(Object.keys(files).sort(), [...expected.keys()].map((n) => `cmcrd-fold-${ids.cmcrd}-model/${n}`).sort());
    for (const [name, bytes] of expected) assert.deepEqual(files[`cmcrd-fold-${ids.cmcrd}-model/${name}`], bytes, name);
  });

  it("serves each file, so that tf.loadGraphModel loads the model from the API and gives the backbone's logits", async () => {
    const graph = await loadGraphModel(`${server.url}/api/folds/${ids.cmcrd}/model/model.json`);
    try {
      const r = createRandom(9);
      const x = Float32Array.from({ length: 20 * 310 }, () => r.normal());
      const logits = graph.execute(tf.tensor2d(x, [20, 310]), 'logits') as tf.Tensor;
      assert.deepEqual(Array.from(logits.dataSync()), Array.from(inferAll(backbone, x, 310).logits));
    } finally {
      graph.dispose();
    }
    const card = await get(`/api/folds/${ids.cmcrd}/model/MODEL_CARD.md`);
    assert.match(card.headers.get('content-type') ?? '', /text\/markdown/);
    assert.match(await card.text(), /distilled with \*\*cmcrd\*\*/);
  });

  it('answers model-info, test-windows and preprocess.json as the contract declares them (no undeclared fields)', async () => {
    const cases = [
      [`/api/folds/${ids.cmcrd}/model-info`, FoldModelInfoSchema],
      [`/api/folds/${ids.without}/model-info`, FoldModelInfoSchema],
      [`/api/folds/${ids.cmcrd}/test-windows`, FoldTestWindowsSchema],
      [`/api/folds/${ids.cmcrd}/model/preprocess.json`, ModelPreprocessSchema],
    ] as const;
    for (const [path, schema] of cases) {
      const res = await get(path);
      assert.equal(res.status, 200, path);
      const body: unknown = await res.json();
      assert.deepEqual(schema.parse(body), body, path);
    }
  });

  it('404 for a missing fold, a fold stored without its model, a fusion fold, a file the export lacks', async () => {
    const cases: [string, RegExp][] = [
      ['/api/folds/9999/model', /no fold 9999/],
      [`/api/folds/${ids.without}/model`, /was stored without its model: run it again with --keep-models/],
      [`/api/folds/${ids.fusion}/model`, /is a fusion fold: it has no single model/],
      [`/api/folds/${ids.cmcrd}/model/secrets.txt`, /the export has no file 'secrets\.txt'/],
    ];
    for (const [path, re] of cases) {
      const res = await get(path);
      assert.equal(res.status, 404, path);
      assert.match(((await res.json()) as { message: string }).message, re, path);
    }
    assert.equal((await get('/api/folds/0/model')).status, 400);
  });

  it('model-info answers 200 with or without a model (the drill-down asks without a 404 in the console)', async () => {
    const info = async (id: number) => (await get(`/api/folds/${id}/model-info`)).json();
    assert.deepEqual(await info(ids.cmcrd), { fold: ids.cmcrd, stored: true, modelId: artifact.modelId, backbone: 'dnn', modality: 'eeg', normalisation: 'train', backend: 'cpu' });
    const none = (await info(ids.without)) as { stored: boolean; reason: string };
    assert.equal(none.stored, false);
    assert.match(none.reason, /stored without its model/);
    assert.equal((await get('/api/folds/9999/model-info')).status, 404);
  });
});

describe('GET /api/folds/{id}/test-windows', { timeout: 60_000 }, () => {
  it("rebuilds a fold's raw test windows and labels from the dataset", async () => {
    const { buildSplit, loadDataset, parseProtocolOptions } = await import('@cmcrd/data');
    const { foldTestWindows } = await import('@cmcrd/reports/test-split');
    const row = { ...fold('eeg-only', 'none'), id: 3, foldKey: 'subject-02' } as Parameters<typeof foldTestWindows>[0];
    const w = foldTestWindows(row, 'eeg');
    const ds = loadDataset('synthetic-seed-iv', { seed: 0 });
    const split = buildSplit(ds, 'within-subject', 'subject-02', parseProtocolOptions({}));
    assert.equal(w.n, split.test.n);
    assert.deepEqual(w.labels, Array.from(split.test.labels));
    const x = new Float32Array(new Uint8Array(Buffer.from(w.x, 'base64')).buffer);
    const r = split.test.rows[5];
    assert.deepEqual(Array.from(x.subarray(5 * 310, 6 * 310)), Array.from(ds.eeg.subarray(r * 310, (r + 1) * 310)));
  });
});
