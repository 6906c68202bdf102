import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store, type TsneArtifact } from '@cmcrd/store';
import { fixtureRow } from '@cmcrd/store/testing';
import { type ServerHandle, startServer } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-embeddings-'));
after(() => rmSync(work, { recursive: true, force: true }));

const tsne = (shift: number): TsneArtifact => ({
  points: [
    [0.5 + shift, -1.25],
    [-3, 2.0001],
    [4.75, shift],
  ],
  labels: [0, 1, 3],
  predicted: [0, 2, 3],
  indices: [4, 17, 230],
  perplexity: 1,
  iterations: 200,
  seed: 1,
  features: 'dnn features[1] of 2 (penultimate), 128-d',
  ms: 412,
});

const fold = (method: string, direction: string) =>
  fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method, backbone: 'dnn', direction });

describe('GET /api/folds/{id}/embedding', { timeout: 20_000 }, () => {
  let server: ServerHandle;
  const ids: Record<string, number> = {};

  before(async () => {
    const dbPath = join(work, 'store.sqlite');
    const store = Store.open(dbPath);
    try {
      // The same fold without and with distillation (the dashboard's side-by-side), and a fold without an embedding.
      ids.eegOnly = store.recordFold(fold('eeg-only', 'none'), [], [{ kind: 'tsne', data: tsne(0) }]).id;
      ids.cmcrd = store.recordFold(fold('cmcrd', 'em->eeg'), [], [{ kind: 'tsne', data: tsne(1) }]).id;
      ids.fusion = store.recordFold(fold('fusion', 'none'), []).id;
    } finally {
      store.close();
    }
    server = await startServer({ port: 0, dbPath, token: null });
  });
  after(() => server?.close());

  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, { signal: AbortSignal.timeout(5_000) });
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    return { status: res.status, body: await res.json() };
  };

  it("answers a fold's stored t-SNE with the fold's id", async () => {
    for (const [name, shift] of [
      ['eegOnly', 0],
      ['cmcrd', 1],
    ] as const) {
      const r = await get(`/api/folds/${ids[name]}/embedding`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.body, { fold: ids[name], ...tsne(shift) });
    }
  });

  it('is 404 for a fold without an embedding and for an unknown fold, naming the parameter', async () => {
    const none = await get(`/api/folds/${ids.fusion}/embedding`);
    assert.equal(none.status, 404);
    assert.equal(none.body.error, 'not found');
    assert.match(none.body.message, new RegExp(`fold ${ids.fusion} has no embedding`));
    assert.equal(none.body.parameter, 'id');
    assert.equal(none.body.in, 'param');
    const unknown = await get('/api/folds/999/embedding');
    assert.equal(unknown.status, 404);
    assert.deepEqual(unknown.body, { error: 'not found', message: 'no fold 999', parameter: 'id', in: 'param' });
  });

  it('is 400 for an id that is not a positive integer', async () => {
    for (const bad of ['abc', '0', '-1', '1.5']) {
      const r = await get(`/api/folds/${bad}/embedding`);
      assert.equal(r.status, 400, bad);
      assert.equal(r.body.parameter, 'id');
      assert.equal(r.body.in, 'param');
    }
  });

  it('is documented in the OpenAPI description', async () => {
    const r = await get('/api/openapi.json');
    const op = r.body.paths['/api/folds/{id}/embedding']?.get;
    assert.ok(op, 'the route is in the document');
    assert.deepEqual(Object.keys(op.responses).sort(), ['200', '400', '404']);
    assert.ok(r.body.components.schemas.FoldEmbedding);
  });
});
