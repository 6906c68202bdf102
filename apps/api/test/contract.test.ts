import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TABLE_KINDS as RUNNER_TABLE_KINDS } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import type { ZodType } from 'zod';
import {
  CellFoldsSchema,
  CellListSchema,
  ErrorSchema,
  ExperimentPageSchema,
  ExperimentWithSpecSchema,
  FacetsSchema,
  FoldEmbeddingSchema,
  FoldEpochsSchema,
  FoldModelInfoSchema,
  FoldPageSchema,
  FoldSchema,
  HealthSchema,
  NotFoundSchema,
  PaperSchema,
  ProgressEventSchema,
  ReportSchema,
  RunListSchema,
  RunPageSchema,
  RunWithFoldsSchema,
  TABLE_KINDS,
  VerifySchema,
} from '../src/contract/index.js';
import { type Api, createApi } from '../src/index.js';

// Every JSON route's response schema against the route's real answer on a small store. A schema
// that accepts the body is not enough: zod drops keys it does not declare, so the parsed body must
// also equal the body, or the contract is missing a field the server sends.

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-contract-'));
after(() => rmSync(work, { recursive: true, force: true }));

const SRC = new URL('../src/', import.meta.url);

/** Every .ts file under apps/api/src, relative. */
function sources(dir = SRC, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? sources(new URL(`${e.name}/`, dir), `${prefix}${e.name}/`)
      : e.name.endsWith('.ts')
        ? [`${prefix}${e.name}`]
        : [],
  );
}

/** The paths of the OpenAPI document that this file reads (the model routes: models.test.ts). */
const visited = new Set<string>();

describe('the API contract', { timeout: 60_000 }, () => {
  let api: Api;
  let foldId: number;
  let sweepId: number;

  before(() => {
    const store = Store.open(join(work, 'store.sqlite'));
    insertFolds(store, goldenFolds().map(fixtureRow));
    const sweep = store.openSweep({ name: 'demo', file: 'cmcrd demo', spec: 'x', options: { workers: 2 }, folds: 1 });
    sweepId = sweep.id;
    const recorded = store.recordFold(
      {
        ...fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-09', method: 'eeg-only', backbone: 'dnn', direction: 'none', seed: 7 }),
        sweepId,
      },
      [
        { epoch: 1, lr: 0.001, losses: JSON.stringify({ ce: 1.2 }), trainAccuracy: 0.4, valAccuracy: null, testAccuracy: 0.35 },
        { epoch: 2, lr: 0.001, losses: JSON.stringify({ ce: 0.9 }), trainAccuracy: 0.6, valAccuracy: 0.5, testAccuracy: 0.45 },
      ],
      [
        {
          kind: 'tsne',
          data: { points: [[0.5, -1], [2, 3]], labels: [0, 1], predicted: [0, 0], indices: [3, 9], perplexity: 1, iterations: 200, seed: 1, features: 'dnn features[1] of 2 (penultimate), 128-d', ms: 40 },
        },
      ],
    );
    assert.ok(recorded.inserted, 'the fold with epochs and an embedding is new to the fixture store');
    foldId = recorded.id;
    store.finishSweep(sweepId, 0);
    api = createApi({ store, token: null });
  });
  after(() => {
    api?.close();
    api?.store.close();
  });

  /** GETs `path` and checks its JSON body against `schema`, recording `route` as covered. */
  async function conforms(route: string, path: string, schema: ZodType, status = 200): Promise<unknown> {
    const res = await api.app.request(path);
    assert.equal(res.status, status, `${path}: status`);
    const body: unknown = await res.json();
    const parsed = schema.safeParse(body);
    assert.ok(parsed.success, `${path}: ${parsed.error?.message}`);
    assert.deepEqual(parsed.data, body, `${path}: the body has fields the contract does not declare`);
    visited.add(route);
    return body;
  }

  it('folds, epochs and runs', async () => {
    const page = (await conforms('/api/folds', '/api/folds?limit=500', FoldPageSchema)) as { items: { run: string }[] };
    await conforms('/api/folds/{id}', '/api/folds/1', FoldSchema);
    await conforms('/api/folds/{id}', `/api/folds/${foldId}`, FoldSchema);
    const epochs = (await conforms('/api/folds/{id}/epochs', `/api/folds/${foldId}/epochs`, FoldEpochsSchema)) as { epochs: unknown[] };
    assert.equal(epochs.epochs.length, 2);
    await conforms('/api/runs', '/api/runs?limit=500', RunPageSchema);
    await conforms('/api/runs/{id}', `/api/runs/${page.items[0].run}`, RunWithFoldsSchema);
  });

  it('experiments', async () => {
    await conforms('/api/experiments', '/api/experiments', ExperimentPageSchema);
    await conforms('/api/experiments/{id}', `/api/experiments/${sweepId}`, ExperimentWithSpecSchema);
  });

  it('every report table, in its variants, and the paper', async () => {
    for (const table of TABLE_KINDS) {
      const report = (await conforms('/api/tables/{table}', `/api/tables/${table}`, ReportSchema)) as { tables: unknown[] };
      assert.ok(report.tables.length > 0, `${table}: no tables on the fixture store`);
      await conforms('/api/tables/{table}', `/api/tables/${table}?variants=all&paper=false`, ReportSchema);
    }
    await conforms('/api/tables/{table}', '/api/tables/significance?test=wilcoxon&family=table&alternative=greater', ReportSchema);
    await conforms('/api/paper', '/api/paper', PaperSchema);
  });

  it("the dashboard's views: facets, a cell, the run list, the cells, an embedding", async () => {
    await conforms('/api/facets', '/api/facets', FacetsSchema);
    const cell = (await conforms(
      '/api/cell',
      `/api/cell?dataset=seed-iv&protocol=within-subject&backbone=dnn&direction=${encodeURIComponent('em->eeg')}`,
      CellFoldsSchema,
    )) as { rows: unknown[] };
    assert.ok(cell.rows.length > 0);
    await conforms('/api/run-list', '/api/run-list', RunListSchema);
    await conforms('/api/cells', '/api/cells', CellListSchema);
    await conforms('/api/folds/{id}/embedding', `/api/folds/${foldId}/embedding`, FoldEmbeddingSchema);
    await conforms('/api/folds/{id}/model-info', `/api/folds/${foldId}/model-info`, FoldModelInfoSchema);
  });

  it('health, verify, errors and unknown paths', async () => {
    await conforms('/api/health', '/api/health', HealthSchema);
    const verify = (await conforms('/api/verify', '/api/verify', VerifySchema)) as { store: { sha256: string; bytes: number }; counts: { folds: number } };
    // The sha256 of the store file as the server read it.
    assert.match(verify.store.sha256, /^[0-9a-f]{64}$/);
    assert.ok(verify.store.bytes > 0 && verify.counts.folds > 0);
    await conforms('/api/folds/{id}', '/api/folds/99999', ErrorSchema, 404);
    await conforms('/api/folds', '/api/folds?limit=0', ErrorSchema, 400);
    await conforms('/api/tables/{table}', '/api/tables/nonsense', ErrorSchema, 400);
    await conforms('(none)', '/api/no-such-route', NotFoundSchema, 404);
  });

  it("the progress stream's first event", async () => {
    const res = await api.app.request('/api/events?latest=3');
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    let text = '';
    while (!text.includes('\n\n')) text += new TextDecoder().decode((await reader.read()).value);
    await reader.cancel();
    const data = JSON.parse(text.split('\n').find((l) => l.startsWith('data:'))!.slice(5));
    const parsed = ProgressEventSchema.parse(data);
    assert.deepEqual(parsed, data);
    assert.equal(parsed.latest.length, 3);
    visited.add('/api/events');
  });

  it('reads every JSON route of the document (the model routes: models.test.ts)', async () => {
    const doc = (await (await api.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, unknown> }> } }>;
    };
    const jsonGets = Object.entries(doc.paths)
      .filter(([, ops]) => ops.get?.responses['200']?.content?.['application/json'])
      .map(([path]) => path.replace(/\{(\w+)\}/g, '{$1}'));
    const elsewhere = new Set(['/api/folds/{id}/test-windows', '/api/openapi.json']);
    const missed = jsonGets.filter((p) => !visited.has(p) && !elsewhere.has(p));
    assert.deepEqual(missed, [], 'JSON routes this test does not read');
    assert.ok(visited.has('/api/events'));
  });

  it('names every response schema in the document, none of them empty', async () => {
    const doc = (await (await api.app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: Record<string, unknown> }> }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    for (const [path, ops] of Object.entries(doc.paths))
      for (const [method, op] of Object.entries(ops))
        for (const [status, response] of Object.entries(op.responses)) {
          const schema = response.content?.['application/json']?.schema;
          if (!schema) continue;
          // z.any() and z.unknown() give {}; a structured response is a named component.
          assert.ok(typeof schema.$ref === 'string', `${method} ${path} ${status}: ${JSON.stringify(schema).slice(0, 200)}`);
        }
    for (const name of ['ReportTable', 'ReportCell', 'CellFolds', 'Paper', 'ProgressEvent', 'FoldSummary', 'Fold', 'FoldEmbedding'])
      assert.ok(doc.components.schemas[name], `components.schemas.${name}`);
  });
});

describe('the contract module', () => {
  it('no schema in apps/api/src is z.any() or z.unknown()', () => {
    const offenders = sources().flatMap((file) =>
      readFileSync(new URL(file, SRC), 'utf8')
        .split('\n')
        .flatMap((line, i) => (/\bz\s*\.\s*(any|unknown)\s*\(/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    assert.deepEqual(offenders, []);
  });

  it('imports nothing but zod and its own modules (the dashboard bundles it)', () => {
    const imports = sources(new URL('contract/', SRC)).flatMap((file) =>
      [...readFileSync(new URL(`contract/${file}`, SRC), 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]),
    );
    assert.ok(imports.length > 0);
    assert.deepEqual([...new Set(imports.filter((s) => !s.startsWith('./')))], ['zod']);
  });

  it('names the same table kinds as the runner', () => {
    assert.deepEqual([...TABLE_KINDS], [...RUNNER_TABLE_KINDS]);
  });
});
