import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '@cmcrd/store';
import { TABLE_KINDS, buildReport, reportJson } from '@cmcrd/reports';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { type ServerHandle, startServer } from '../src/index.js';
import { testSweepRunner } from './sweep-runner.js';

const TIMEOUT = { timeout: 60_000 };
const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-'));
after(() => rmSync(work, { recursive: true, force: true }));

/** A store with the runner's golden fixture folds (both protocols and directions, two datasets, a failed fold). */
function fixtureStore(name: string): string {
  const path = join(work, `${name}.sqlite`);
  const store = Store.open(path);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.close();
  return path;
}

async function get(server: ServerHandle, path: string, init?: RequestInit) {
  const res = await fetch(`${server.url}${path}`, { ...init, signal: AbortSignal.timeout(20_000) });
  const type = res.headers.get('content-type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  return { status: res.status, type, body, headers: res.headers };
}

const post = (server: ServerHandle, path: string, body: unknown, token?: string) =>
  get(server, path, {
    method: 'POST',
    body: typeof body === 'string' ? body : JSON.stringify(body),
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
  });

describe('reading the store', TIMEOUT, () => {
  let server: ServerHandle;
  let dbPath: string;
  before(async () => {
    dbPath = fixtureStore('read');
    server = await startServer({ port: 0, dbPath, token: null });
  });
  after(() => server.close());

  it('lists folds in pages, with the total and the next page', async () => {
    const first = await get(server, '/api/folds?limit=5');
    assert.equal(first.status, 200);
    assert.equal(first.body.total, goldenFolds().length);
    assert.equal(first.body.items.length, 5);
    assert.deepEqual(
      first.body.items.map((f: { id: number }) => f.id),
      [1, 2, 3, 4, 5],
    );
    assert.equal(first.body.next, '/api/folds?limit=5&offset=5');
    const second = await get(server, first.body.next);
    assert.deepEqual(
      second.body.items.map((f: { id: number }) => f.id),
      [6, 7, 8, 9, 10],
    );
    const last = await get(server, `/api/folds?limit=5&offset=${first.body.total - 2}`);
    assert.equal(last.body.items.length, 2);
    assert.equal(last.body.next, null);
  });

  it('filters folds by every identity field, status and fold key', async () => {
    const expected = goldenFolds().filter((f) => f.method === 'kd' && f.direction === 'em->eeg' && f.dataset === 'seed-iv' && f.protocol === 'within-subject');
    const r = await get(server, `/api/folds?method=kd&direction=${encodeURIComponent('em->eeg')}&dataset=seed-iv&protocol=within-subject&limit=500`);
    assert.equal(r.body.total, expected.length);
    assert.ok(r.body.items.every((f: { method: string; dataset: string }) => f.method === 'kd' && f.dataset === 'seed-iv'));
    const failed = await get(server, '/api/folds?status=failed');
    assert.equal(failed.body.total, 1);
    assert.equal(failed.body.items[0].error, 'fixture failure');
    const key = await get(server, '/api/folds?foldKey=loso-02&backbone=dgcnn&seed=1&limit=1');
    assert.equal(key.body.items[0].foldKey, 'loso-02');
    assert.equal(key.body.items[0].backbone, 'dgcnn');
  });

  it('serves one fold with its configuration, and its epochs', async () => {
    const store = Store.open(dbPath);
    const { id } = store.recordFold(
      { ...fixtureRow({ dataset: 'synthetic-seed', protocol: 'within-subject', foldKey: 'subject-01', method: 'eeg-only', backbone: 'dnn', direction: 'none', accuracy: 0.5 }), confusion: '[[3,1],[0,4]]' },
      [
        { epoch: 1, lr: 0.001, losses: '{"total":1.2,"ce":1.2}', trainAccuracy: 0.4, valAccuracy: null, testAccuracy: 0.35 },
        { epoch: 2, lr: 0.002, losses: '{"total":0.9,"ce":0.9}', trainAccuracy: 0.6, valAccuracy: null, testAccuracy: 0.5 },
      ],
    );
    store.close();
    const fold = await get(server, `/api/folds/${id}`);
    assert.equal(fold.status, 200);
    assert.deepEqual(fold.body.confusion, [
      [3, 1],
      [0, 4],
    ]);
    assert.equal(fold.body.config.foldKey, 'subject-01');
    assert.match(fold.body.run, /^[0-9a-f]{16}$/);
    const epochs = await get(server, `/api/folds/${id}/epochs`);
    assert.deepEqual(
      epochs.body.epochs.map((e: { epoch: number; losses: { ce: number }; testAccuracy: number }) => [e.epoch, e.losses.ce, e.testAccuracy]),
      [
        [1, 1.2, 0.35],
        [2, 0.9, 0.5],
      ],
    );
  });

  it('groups folds into runs and lists a run with its folds', async () => {
    const runs = await get(server, '/api/runs?method=cmcrd&backbone=dgcnn&dataset=seed-iv&protocol=cross-subject&limit=500');
    assert.equal(runs.status, 200);
    // The default CMCRD and its 7 ablation variants in em->eeg, the default in eeg->em.
    assert.equal(runs.body.total, 9);
    const ablation = runs.body.items.find((r: { options: { mcc: boolean; us: boolean; iew: boolean } }) => !r.options.mcc && !r.options.us && !r.options.iew);
    assert.deepEqual([ablation.done, ablation.failed, ablation.direction], [4, 0, 'em->eeg']);
    const one = await get(server, `/api/runs/${ablation.id}`);
    assert.equal(one.body.folds.length, 4);
    assert.ok(one.body.folds.every((f: { run: string; options: { mcc: boolean } }) => f.run === ablation.id && f.options.mcc === false));
    const byRun = await get(server, `/api/folds?run=${ablation.id}`);
    assert.equal(byRun.body.total, 4);
    const kd = await get(server, `/api/runs?method=kd&dataset=seed-iv&protocol=within-subject&backbone=dnn&direction=${encodeURIComponent('em->eeg')}`);
    assert.deepEqual([kd.body.items[0].done, kd.body.items[0].failed], [3, 1]);
  });

  it('serves every report table as the runner builds it, and as files to download', async () => {
    const store = Store.open(dbPath);
    try {
      for (const table of TABLE_KINDS) {
        const r = await get(server, `/api/tables/${table}`);
        assert.equal(r.status, 200, table);
        assert.deepEqual(r.body, JSON.parse(JSON.stringify(reportJson(table, buildReport(store, table)))), table);
      }
      const filtered = await get(server, `/api/tables/significance?protocol=cross-subject&direction=${encodeURIComponent('em->eeg')}&family=table&paper=false`);
      assert.deepEqual(filtered.body, JSON.parse(JSON.stringify(reportJson('significance', buildReport(store, 'significance', { protocol: 'cross-subject', direction: 'em->eeg', family: 'table', paper: false })))));
    } finally {
      store.close();
    }
    const csv = await get(server, '/api/tables/comparison?format=csv');
    assert.match(csv.type, /^text\/csv/);
    assert.equal(csv.headers.get('content-disposition'), 'attachment; filename="cmcrd-comparison.csv"');
    assert.match(csv.body, /^table,title,normalisation/);
    const tex = await get(server, '/api/tables/ablation?format=latex');
    assert.match(tex.body, /\\toprule/);
  });

  it("serves the paper's transcription", async () => {
    const r = await get(server, '/api/paper');
    const shared = JSON.parse(readFileSync(new URL('../../../packages/reports/paper/reported.json', import.meta.url), 'utf8'));
    assert.deepEqual(r.body, shared);
  });

  it('documents every route in an OpenAPI document generated from the schemas', async () => {
    const r = await get(server, '/api/openapi.json');
    assert.equal(r.status, 200);
    assert.equal(r.body.openapi, '3.1.0');
    for (const path of ['/api/folds', '/api/folds/{id}', '/api/folds/{id}/epochs', '/api/runs', '/api/runs/{id}', '/api/experiments', '/api/experiments/{id}', '/api/experiments/{id}/cancel', '/api/tables/{table}', '/api/paper', '/api/events']) {
      assert.ok(r.body.paths[path], path);
    }
    const limit = r.body.paths['/api/folds'].get.parameters.find((p: { name: string }) => p.name === 'limit');
    assert.deepEqual([limit.in, limit.schema.maximum], ['query', 500]);
    assert.deepEqual(r.body.paths['/api/experiments'].post.security, [{ bearer: [] }]);
    assert.equal(r.body.components.securitySchemes.bearer.scheme, 'bearer');
    assert.ok(r.body.components.schemas.Fold && r.body.components.schemas.Error);
  });
});

describe('bad requests', TIMEOUT, () => {
  let server: ServerHandle;
  let dbPath: string;
  before(async () => {
    dbPath = fixtureStore('bad');
    server = await startServer({ port: 0, dbPath, token: 'sekret', sweepRunner: testSweepRunner() });
  });
  after(() => server.close());

  for (const [path, parameter, where] of [
    ['/api/folds?limit=0', 'limit', 'query'],
    ['/api/folds?limit=501', 'limit', 'query'],
    ['/api/folds?limit=ten', 'limit', 'query'],
    ['/api/folds?offset=-1', 'offset', 'query'],
    ['/api/folds?seed=x', 'seed', 'query'],
    ['/api/folds?status=finished', 'status', 'query'],
    ['/api/folds?limt=5', 'limt', 'query'],
    ['/api/folds?run=zzz', 'run', 'query'],
    [`/api/folds?dataset=${'x'.repeat(201)}`, 'dataset', 'query'],
    ['/api/folds/abc', 'id', 'param'],
    ['/api/folds/0', 'id', 'param'],
    ['/api/runs/not-a-run', 'id', 'param'],
    ['/api/tables/table9', 'table', 'param'],
    ['/api/tables/significance?family=row', 'family', 'query'],
    ['/api/tables/comparison?format=pdf', 'format', 'query'],
    ['/api/tables/comparison?paper=maybe', 'paper', 'query'],
    ['/api/experiments?status=paused', 'status', 'query'],
    ['/api/events?experiment=-3', 'experiment', 'query'],
  ] as const) {
    it(`400 naming '${parameter}' for ${path.slice(0, 60)}`, async () => {
      const r = await get(server, path);
      assert.equal(r.status, 400);
      assert.match(r.type, /application\/json/);
      assert.equal(r.body.parameter, parameter);
      assert.equal(r.body.in, where);
      assert.ok(r.body.message.length > 0);
    });
  }

  for (const path of ['/api/folds/99999', '/api/folds/99999/epochs', '/api/runs/0123456789abcdef', '/api/experiments/42', '/api/events?experiment=42', '/api/folds?run=0123456789abcdef']) {
    it(`404 for ${path}`, async () => {
      const r = await get(server, path);
      assert.equal(r.status, 404);
      assert.equal(r.body.error, 'not found');
    });
  }

  it('SQL-injection-shaped strings are only values: nothing matches and nothing changes', async () => {
    const before = readFileSync(dbPath);
    for (const evil of ["' OR 1=1 --", "x'; DROP TABLE folds; --", '1; DELETE FROM folds', '" OR ""="']) {
      for (const key of ['dataset', 'method', 'foldKey', 'protocol']) {
        const r = await get(server, `/api/folds?${key}=${encodeURIComponent(evil)}`);
        assert.equal(r.status, 200);
        assert.equal(r.body.total, 0, `${key}=${evil}`);
      }
      const t = await get(server, `/api/tables/comparison?dataset=${encodeURIComponent(evil)}`);
      assert.deepEqual(t.body.tables, []);
    }
    const all = await get(server, '/api/folds?limit=1');
    assert.equal(all.body.total, goldenFolds().length);
    assert.ok(readFileSync(dbPath).equals(before), 'the store file is byte-identical');
  });

  it('malformed, oversized and ill-typed bodies are refused before anything runs', async () => {
    const token = 'sekret';
    const malformed = await post(server, '/api/experiments', '{"spec": ', token);
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.in, 'json');
    const big = await post(server, '/api/experiments', { spec: 'x'.repeat(300_000) }, token);
    assert.equal(big.status, 413);
    for (const [body, parameter] of [
      [{ spec: 'name: x', workers: 0 }, 'workers'],
      [{ spec: 'name: x', workers: 'two' }, 'workers'],
      [{ spec: 'name: x', path: 'paper.yaml' }, 'spec'],
      [{}, 'spec'],
      [{ spec: 'name: x', shell: 'rm -rf /' }, 'shell'],
      [{ spec: 'name: x\ngrids: [' }, 'spec'],
      [{ spec: 'name: x\ngrids:\n  - dataset: nowhere\n    method: eeg-only\n' }, 'spec'],
      [{ spec: 'name: x\nplugins: [./evil.ts]\ngrids:\n  - dataset: synthetic-seed\n    method: eeg-only\n' }, 'spec'],
      [{ path: '../../etc/passwd' }, 'path'],
      [{ path: 'missing.yaml' }, 'path'],
    ] as const) {
      const r = await post(server, '/api/experiments', body, token);
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.equal(r.body.parameter, parameter, JSON.stringify(r.body));
    }
    const yaml = await post(server, '/api/experiments', { spec: 'name: x\ngrids:\n  - dataset: nowhere\n    method: eeg-only\n' }, token);
    assert.match(yaml.body.message, /^spec:\d+:\d+: .*nowhere/);
    const experiments = await get(server, '/api/experiments');
    assert.equal(experiments.body.total, 0, 'no experiment was opened');
  });
});

describe('mutations need the token', TIMEOUT, () => {
  it('a server without a token is read-only', async () => {
    const server = await startServer({ port: 0, dbPath: fixtureStore('readonly'), token: null });
    try {
      const health = await get(server, '/api/health');
      assert.equal(health.body.readOnly, true);
      for (const [path, body] of [
        ['/api/experiments', { spec: 'name: x' }],
        ['/api/experiments/1/cancel', {}],
      ] as const) {
        const r = await post(server, path, body, 'anything');
        assert.equal(r.status, 403);
        assert.equal(r.body.error, 'read-only');
      }
    } finally {
      await server.close();
    }
  });

  it('a wrong or missing bearer token is 401, before the body is even read', async () => {
    const server = await startServer({ port: 0, dbPath: fixtureStore('token'), token: 'right' });
    try {
      for (const token of [undefined, 'wrong', 'righ', 'Right']) {
        const r = await post(server, '/api/experiments', '{not json', token);
        assert.equal(r.status, 401, String(token));
        assert.equal(r.headers.get('www-authenticate'), 'Bearer realm="cmcrd"');
      }
      const basic = await get(server, '/api/experiments/1/cancel', { method: 'POST', headers: { authorization: 'Basic cmlnaHQ=' } });
      assert.equal(basic.status, 401);
    } finally {
      await server.close();
    }
  });

  it('binds loopback by default', async () => {
    const server = await startServer({ port: 0, dbPath: fixtureStore('loopback') });
    try {
      assert.equal(server.hostname, '127.0.0.1');
      assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    } finally {
      await server.close();
    }
  });
});

/** Reads server-sent events until `until` accepts one, or fails after `ms`. */
async function events(url: string, until: (data: Record<string, unknown>) => boolean, ms = 60_000): Promise<Record<string, unknown>[]> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), ms);
  const seen: Record<string, unknown>[] = [];
  try {
    const res = await fetch(url, { signal: ctrl.signal });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/event-stream/);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) throw new Error('the stream ended');
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const data = block
          .split('\n')
          .filter((l) => l.startsWith('data:'))
          .map((l) => l.slice(5).trim())
          .join('\n');
        if (block.includes('event: progress') && data) {
          const parsed = JSON.parse(data);
          seen.push(parsed);
          if (until(parsed)) return seen;
        }
        end = buffer.indexOf('\n\n');
      }
    }
  } catch (e) {
    if (ctrl.signal.aborted) throw new Error(`no matching event within ${ms} ms; saw ${JSON.stringify(seen).slice(0, 500)}`);
    throw e;
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}

describe('live progress', TIMEOUT, () => {
  it('streams a progress event at once and another when any process stores a fold', async () => {
    const dbPath = fixtureStore('events');
    const server = await startServer({ port: 0, dbPath, token: null, progressIntervalMs: 50 });
    try {
      const total = goldenFolds().length;
      const stream = events(`${server.url}/api/events`, (d) => (d.folds as { done: number }).done === total);
      // A second connection, as a `cmcrd sweep` in another process would be.
      setTimeout(() => {
        const writer = Store.open(dbPath);
        writer.recordFold(fixtureRow({ dataset: 'synthetic-seed', protocol: 'within-subject', foldKey: 'subject-09', method: 'em-only', backbone: 'dnn', direction: 'none', accuracy: 0.7 }), []);
        writer.close();
      }, 300);
      const seen = await stream;
      assert.deepEqual(seen[0].folds, { done: total - 1, failed: 1 });
      const last = seen[seen.length - 1] as { latest: { foldKey: string; method: string }[] };
      assert.deepEqual(
        last.latest.map((f) => [f.foldKey, f.method]),
        [['subject-09', 'em-only']],
      );
    } finally {
      await server.close();
    }
  });
});

describe('starting and cancelling sweeps', { timeout: 180_000 }, () => {
  let server: ServerHandle;
  let dbPath: string;
  const token = 'sweep-token';
  before(async () => {
    dbPath = join(work, 'sweeps.sqlite');
    Store.open(dbPath).close(); // the API opens stores, it never creates one
    const sweepFiles = join(work, 'sweep-files');
    mkdirSync(sweepFiles, { recursive: true });
    writeFileSync(
      join(sweepFiles, 'long.yaml'),
      'name: long\ngrids:\n  - dataset: synthetic-seed-iv\n    protocol: within-subject\n    method: [eeg-only, em-only]\n    epochs: 400\n    folds: [subject-01, subject-02]\n',
    );
    server = await startServer({ port: 0, dbPath, token, progressIntervalMs: 100, sweepFilesDir: sweepFiles, sweepRunner: testSweepRunner() });
  });
  after(async () => {
    server.api.sweeps.cancelAll();
    await server.close();
  });

  it('starts a sweep from its text, streams its progress and finishes it', async () => {
    const spec = 'name: tiny\ngrids:\n  - dataset: synthetic-seed-iv\n    protocol: within-subject\n    method: eeg-only\n    epochs: 2\n    warmupEpochs: 1\n    teacherEpochs: 2\n    folds: [subject-01]\n';
    const started = await post(server, '/api/experiments', { spec, workers: 1, backend: 'wasm' }, token);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    assert.deepEqual([started.body.name, started.body.status, started.body.folds, started.body.startedHere], ['tiny', 'running', 1, true]);
    const id = started.body.id as number;
    const again = await post(server, '/api/experiments', { spec, workers: 1 }, token);
    assert.equal(again.status, 409, JSON.stringify(again.body));
    const seen = await events(`${server.url}/api/events?experiment=${id}`, (d) => (d.folds as { done: number }).done === 1, 120_000);
    const last = seen[seen.length - 1] as { latest: { foldKey: string; method: string; experiment: number }[] };
    assert.deepEqual(
      last.latest.map((f) => [f.foldKey, f.method, f.experiment]),
      [['subject-01', 'eeg-only', id]],
    );
    for (let i = 0; i < 200; i++) {
      const e = await get(server, `/api/experiments/${id}`);
      if (e.body.status === 'finished') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const done = await get(server, `/api/experiments/${id}`);
    assert.deepEqual([done.body.status, done.body.done, done.body.failed, done.body.spec], ['finished', 1, 0, spec]);
    const folds = await get(server, `/api/folds?experiment=${id}`);
    assert.equal(folds.body.total, 1);
    const finishedCancel = await post(server, `/api/experiments/${id}/cancel`, {}, token);
    assert.equal(finishedCancel.status, 409);
  });

  it('cancels a sweep it started: its processes stop and its finished folds stay', async () => {
    const started = await post(server, '/api/experiments', { path: 'long.yaml', workers: 1, backend: 'wasm' }, token);
    assert.equal(started.status, 202, JSON.stringify(started.body));
    const id = started.body.id as number;
    const pid = server.api.sweeps.pidOf(id);
    assert.ok(pid);
    const noToken = await post(server, `/api/experiments/${id}/cancel`, {});
    assert.equal(noToken.status, 401);
    const cancelled = await post(server, `/api/experiments/${id}/cancel`, {}, token);
    assert.equal(cancelled.status, 200);
    assert.deepEqual([cancelled.body.status, cancelled.body.startedHere], ['cancelled', false]);
    const gone = async () => {
      for (let i = 0; i < 100; i++) {
        try {
          process.kill(-pid!, 0);
        } catch {
          return true;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    };
    assert.ok(await gone(), 'the sweep process group has exited');
    const list = await get(server, '/api/experiments?status=cancelled');
    assert.deepEqual(
      list.body.items.map((e: { id: number }) => e.id),
      [id],
    );
    const unknown = await post(server, '/api/experiments/999/cancel', {}, token);
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.parameter, 'id');
  });

  it('a sweep started elsewhere cannot be cancelled here', async () => {
    const store = Store.open(dbPath);
    const other = store.openSweep({ name: 'elsewhere', file: '/x.yaml', spec: 'name: elsewhere', options: { real: false }, folds: 3 });
    store.close();
    const r = await post(server, `/api/experiments/${other.id}/cancel`, {}, token);
    assert.equal(r.status, 409);
    assert.match(r.body.message, /not started by this server/);
  });
});

