import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '@cmcrd/store';
import { formatReport, buildReport } from '@cmcrd/reports';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import { strFromU8, unzipSync } from 'fflate';
import { type ServerHandle, startServer } from '../src/index.js';

const work = mkdtempSync(join(tmpdir(), 'cmcrd-api-bundle-'));
after(() => rmSync(work, { recursive: true, force: true }));

describe('the reviewer bundle as one zip', { timeout: 60_000 }, () => {
  let server: ServerHandle;
  let dbPath: string;
  before(async () => {
    dbPath = join(work, 'bundle.sqlite');
    const store = Store.open(dbPath);
    insertFolds(store, goldenFolds().map(fixtureRow));
    store.close();
    server = await startServer({ port: 0, dbPath, token: null });
  });
  after(() => server.close());

  it('GET /api/report-bundle: every table in every format, tables.tex and provenance.json, as cmcrd report all writes them', async () => {
    const res = await fetch(`${server.url}/api/report-bundle?test=wilcoxon`, {
      signal: AbortSignal.timeout(20_000),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/zip');
    assert.equal(res.headers.get('content-disposition'), 'attachment; filename="cmcrd-report.zip"');
    const files = unzipSync(new Uint8Array(await res.arrayBuffer()));
    const names = Object.keys(files).sort();
    assert.equal(names.length, 5 * 5 + 2);
    assert.ok(names.includes('cmcrd-report/tables.tex'));
    const provenance = JSON.parse(strFromU8(files['cmcrd-report/provenance.json']));
    // The server's path stays on the server.
    assert.equal(provenance.stores[0].path, 'bundle.sqlite');
    assert.equal(provenance.options.test, 'wilcoxon');
    const store = Store.open(dbPath);
    try {
      const expected = formatReport(
        'significance',
        buildReport(store, 'significance', { test: 'wilcoxon' }),
        'md',
      );
      assert.equal(strFromU8(files['cmcrd-report/significance.md']), expected);
    } finally {
      store.close();
    }
  });

  it('refuses a bad parameter with 400', async () => {
    const res = await fetch(`${server.url}/api/report-bundle?alternative=sideways`, {
      signal: AbortSignal.timeout(20_000),
    });
    assert.equal(res.status, 400);
  });
});
