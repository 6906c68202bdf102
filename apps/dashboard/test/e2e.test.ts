import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store, type TsneArtifact } from '@cmcrd/store';
import { countText, valueText } from '@cmcrd/reports/format';
import { CMCRD_DEFAULTS, fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import type { Browser, Page } from 'playwright-core';
import type { ServerHandle } from '@cmcrd/api';
import { startDashboard } from '../server/serve.js';
import { launchChromium } from './browser.js';

const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'cmcrd-dashboard-'));
let server: ServerHandle;
let browser: Browser;
let epochsFoldId = 0;

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dbPath = join(work, 'store.sqlite');
  const store = Store.open(dbPath);
  insertFolds(store, goldenFolds().map(fixtureRow));
  // One more fold of a column that is otherwise empty, with epochs and a confusion matrix, for the drill-down.
  epochsFoldId = store.recordFold(
    {
      ...fixtureRow({
        dataset: 'synthetic-seed',
        protocol: 'within-subject',
        foldKey: 'subject-01',
        method: 'eeg-only',
        backbone: 'bihdm',
        direction: 'none',
        accuracy: 0.55,
      }),
      confusion: '[[5,1,0],[2,4,1],[0,1,6]]',
    },
    Array.from({ length: 5 }, (_, i) => ({
      epoch: i + 1,
      lr: 0.001,
      losses: JSON.stringify({ total: 1 / (i + 1), ce: 1 / (i + 1) }),
      trainAccuracy: 0.5 + 0.08 * i,
      valAccuracy: null,
      testAccuracy: 0.4 + 0.03 * i,
    })),
    [{ kind: 'tsne', data: embedding(0) }],
  ).id;
  // The same fold distilled (EM teacher → EEG student), with its own embedding: Fig. 4's pair.
  store.recordFold(
    fixtureRow({
      dataset: 'synthetic-seed',
      protocol: 'within-subject',
      foldKey: 'subject-01',
      method: 'cmcrd',
      backbone: 'bihdm',
      direction: 'em->eeg',
      accuracy: 0.6,
      options: CMCRD_DEFAULTS,
    }),
    [],
    [{ kind: 'tsne', data: embedding(1) }],
  );
  store.close();
  server = await startDashboard({ port: 0, dbPath, token: null, progressIntervalMs: 100 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

/** A page that records its API requests and fails the test on a console error. */
async function open(path: string): Promise<{ page: Page; api: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 }, acceptDownloads: true });
  const api: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    // Parameters sorted: the early fetch (components/EarlyFetch.tsx) and the page order them differently.
    u.searchParams.sort();
    if (u.pathname.startsWith('/api/')) api.push(decodeURIComponent(`${u.pathname}${u.search}`));
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}${path}`);
  return { page, api, errors };
}

async function apiJson(path: string) {
  const res = await fetch(`${server.url}${path}`);
  assert.equal(res.status, 200, path);
  return res.json();
}

/** A small made-up embedding: 3 classes × 10 points, shifted by `offset`. */
function embedding(offset: number): TsneArtifact {
  const points: [number, number][] = Array.from({ length: 30 }, (_, i) => [
    Math.floor(i / 10) * 5 + offset + (i % 10) * 0.1,
    (i % 10) * 0.2 - offset,
  ]);
  return {
    points,
    labels: points.map((_, i) => Math.floor(i / 10)),
    predicted: points.map((_, i) => Math.floor(i / 10)),
    indices: points.map((_, i) => i),
    perplexity: 9,
    iterations: 150,
    seed: 1,
    features: 'fixture',
    ms: 1,
  };
}

const shot = (page: Page, name: string) =>
  page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });

describe('the dashboard in headless Chromium', { timeout: 180_000 }, () => {
  it('the comparison page shows the API value in every cell, the paper beside it, and fetches only what it shows', async () => {
    const { page, api, errors } = await open(
      '/comparison/?protocol=within-subject&direction=em->eeg&dataset=seed-iv',
    );
    await page.waitForSelector('[data-testid=report-table]');
    await shot(page, 'comparison');
    const report = await apiJson(
      `/api/tables/comparison?protocol=within-subject&direction=${encodeURIComponent('em->eeg')}&dataset=seed-iv`,
    );
    const t = report.tables[0];
    for (const [i, row] of t.rows.entries()) {
      for (const [j, column] of t.columns.entries()) {
        const c = t.cells[i][j];
        const td = page.locator(`td[data-row="${row.label}"][data-column="${column.label}"]`);
        assert.equal(
          await td.getAttribute('data-value'),
          String(c.value ?? ''),
          `${row.label} / ${column.label}`,
        );
        assert.equal((await td.textContent())?.trim(), `${valueText(t, c)} (${countText(c)})`);
        assert.equal(await td.evaluate((e) => e.classList.contains('marked')), c.marked);
      }
    }
    // The failed kd fold: an incomplete cell, flagged.
    assert.match(
      (await page.locator('td[data-row="kd"][data-column="seed-iv / dnn"]').textContent()) ?? '',
      /n=3\/4/,
    );
    // Real data: the paper's value and delta beside ours; no synthetic badge.
    assert.match(await page.locator('table').first().innerText(), /63\.87 \(Δ [+−]\d+\.\d\d\)/);
    assert.equal(await page.locator('[data-testid=synthetic-badge]').count(), 0);
    assert.deepEqual(api.sort(), [
      '/api/facets',
      '/api/tables/comparison?dataset=seed-iv&direction=em->eeg&protocol=within-subject',
    ]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('changing a filter updates the URL and the table; the defaults go into the URL', async () => {
    const { page, api } = await open('/comparison/');
    await page.waitForSelector('[data-testid=report-table]');
    assert.match(page.url(), /\?protocol=within-subject&direction=em-%3Eeeg$/);
    await page.selectOption('[data-testid=filter-protocol]', 'cross-subject');
    await page.waitForURL(/protocol=cross-subject/);
    await page.waitForSelector('h2:has-text("cross-subject")');
    await page.selectOption('[data-testid=filter-dataset]', 'synthetic-seed-iv');
    await page.waitForURL(/dataset=synthetic-seed-iv/);
    await page.waitForSelector('td[data-column="synthetic-seed-iv / dgcnn"]');
    // The unfiltered table has that column too: wait for the filtered one to replace it.
    await page.waitForSelector('td[data-column="seed-iv / dnn"]', { state: 'detached', timeout: 10_000 });
    assert.equal(await page.locator('td[data-column="seed-iv / dnn"]').count(), 0);
    assert.equal(await page.locator('[data-testid=synthetic-badge]').count(), 1);
    // Once under the table (issue 14), not in every cell.
    assert.match(await page.locator('[data-testid=report-table]').first().innerText(), /synthetic — not comparable/);
    const report = await apiJson(
      `/api/tables/comparison?protocol=cross-subject&direction=${encodeURIComponent('em->eeg')}&dataset=synthetic-seed-iv`,
    );
    const t = report.tables[0];
    const i = t.rows.findIndex((r: { label: string }) => r.label === 'crd');
    const j = t.columns.findIndex((c: { label: string }) => c.label === 'synthetic-seed-iv / dnn');
    await page.waitForFunction(
      ([v]) =>
        document
          .querySelector('td[data-row="crd"][data-column="synthetic-seed-iv / dnn"]')
          ?.getAttribute('data-value') === v,
      [String(t.cells[i][j].value)],
    );
    assert.equal(
      api.filter((u) => u.startsWith('/api/tables/')).at(-1),
      '/api/tables/comparison?dataset=synthetic-seed-iv&direction=em->eeg&protocol=cross-subject',
    );
    // The page asked for no table it did not show: the defaults' table, then one per filter change.
    assert.deepEqual(
      api.filter((u) => u.startsWith('/api/tables/')),
      [
        '/api/tables/comparison?direction=em->eeg&protocol=within-subject',
        '/api/tables/comparison?direction=em->eeg&protocol=cross-subject',
        '/api/tables/comparison?dataset=synthetic-seed-iv&direction=em->eeg&protocol=cross-subject',
      ],
    );
    // A shared link opens the same view.
    const copy = await open(new URL(page.url()).pathname + new URL(page.url()).search);
    await copy.page.waitForSelector('td[data-row="crd"][data-column="synthetic-seed-iv / dnn"]');
    assert.equal(
      await copy.page
        .locator('td[data-row="crd"][data-column="synthetic-seed-iv / dnn"]')
        .getAttribute('data-value'),
      String(t.cells[i][j].value),
    );
    await shot(page, 'comparison-filtered');
    await copy.page.close();
    await page.close();
  });

  it('an export downloads the file the API writes', async () => {
    const { page } = await open('/comparison/?protocol=within-subject&direction=em->eeg&dataset=seed-iv');
    await page.waitForSelector('[data-testid=report-table]');
    for (const [format, ext] of [
      ['csv', 'csv'],
      ['latex', 'tex'],
      ['md', 'md'],
    ]) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click(`[data-testid=export-${format}]`),
      ]);
      assert.equal(download.suggestedFilename(), `cmcrd-comparison.${ext}`);
      const file = join(work, `download.${ext}`);
      await download.saveAs(file);
      const expected = await (
        await fetch(
          `${server.url}/api/tables/comparison?protocol=within-subject&direction=${encodeURIComponent('em->eeg')}&dataset=seed-iv&format=${format}`,
        )
      ).text();
      assert.equal(readFileSync(file, 'utf8'), expected, format);
    }
    await page.close();
  });

  it('significance: p < 0.05 highlighted, the family named and switchable', async () => {
    const { page, errors } = await open('/significance/?protocol=within-subject&direction=em->eeg');
    await page.waitForSelector('[data-testid=report-table]');
    assert.match(await page.locator('h2').first().innerText(), /BH-adjusted per column/);
    const report = await apiJson(
      `/api/tables/significance?protocol=within-subject&direction=${encodeURIComponent('em->eeg')}`,
    );
    const marked = report.tables[0].cells.flat().filter((c: { marked: boolean } | null) => c?.marked).length;
    assert.ok(marked > 0);
    assert.equal(await page.locator('td.marked').count(), marked);
    await page.selectOption('[data-testid=filter-family]', 'table');
    await page.waitForURL(/family=table/);
    await page.waitForSelector('h2:has-text("BH-adjusted per table")');
    await shot(page, 'significance');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the ablation, fusion and timing pages render their tables', async () => {
    for (const [path, table, expectRow] of [
      ['/ablation/', 'ablation', 'MCC ✓ · US ✓ · IEW ✓'],
      ['/fusion/', 'fusion', 'EM+EEG (fusion)'],
      ['/timing/', 'timing', 'seed-iv · EM-guided EEG'],
    ] as const) {
      const { page, errors } = await open(path);
      await page.waitForSelector(`[data-testid=report-table][data-table=${table}]`);
      assert.ok(
        (await page.locator('th[scope=row]').allInnerTexts()).includes(expectRow),
        `${table}: ${expectRow}`,
      );
      await shot(page, table);
      assert.deepEqual(errors, [], table);
      await page.close();
    }
  });

  it('a cell drills down to per-subject bars, learning curves and the confusion matrix', async () => {
    const { page } = await open('/comparison/?protocol=within-subject&direction=em->eeg&dataset=seed-iv');
    await page.waitForSelector('[data-testid=report-table]');
    await page.click('td[data-row="cmcrd"][data-column="seed-iv / dgcnn"] a');
    await page.waitForURL(/\/cell\/\?/);
    await page.waitForSelector('[data-testid=fold-bars] svg');
    const url = new URL(page.url());
    assert.deepEqual(
      [
        url.searchParams.get('dataset'),
        url.searchParams.get('backbone'),
        url.searchParams.get('row'),
        url.searchParams.get('direction'),
      ],
      ['seed-iv', 'dgcnn', 'cmcrd', 'em->eeg'],
    );
    // Every method's bars for the 4 subjects (recharts draws one rectangle per bar with a value).
    const cell = await apiJson(
      `/api/cell?dataset=seed-iv&protocol=within-subject&backbone=dgcnn&direction=${encodeURIComponent('em->eeg')}&normalisation=train&mccSource=train&epochSelection=last`,
    );
    const bars = cell.rows.reduce((a: number, r: { folds: object }) => a + Object.keys(r.folds).length, 0);
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=fold-bars] .recharts-bar-rectangle').length === n,
      bars,
    );
    await page.waitForSelector('[data-testid=fold-summary]');
    assert.match(
      await page.locator('[data-testid=fold-summary]').innerText(),
      /cmcrd \(em->eeg\) on subject-01/,
    );
    await shot(page, 'cell');
    await page.close();
    // The fold with epochs and a confusion matrix.
    const drill = await open(
      '/cell/?dataset=synthetic-seed&protocol=within-subject&backbone=bihdm&direction=none&row=eeg-only',
    );
    await drill.page.waitForSelector('[data-testid=confusion]');
    assert.deepEqual(await drill.page.locator('[data-testid=confusion] tbody td').allInnerTexts(), [
      '5',
      '1',
      '0',
      '2',
      '4',
      '1',
      '0',
      '1',
      '6',
    ]);
    assert.deepEqual(await drill.page.locator('[data-testid=confusion] thead th').allInnerTexts(), [
      'true ↓ / predicted →',
      'negative',
      'neutral',
      'positive',
    ]);
    await drill.page.waitForSelector('[data-testid=curves] .recharts-line');
    assert.ok(drill.api.includes(`/api/folds/${epochsFoldId}/epochs`));
    await shot(drill.page, 'cell-curves');
    await drill.page.close();
    // Fig. 4: the unimodal fold's embedding beside the distilled one's, 30 points each, by class.
    const fig4 = await open(
      '/cell/?dataset=synthetic-seed&protocol=within-subject&backbone=bihdm&direction=em->eeg&row=cmcrd',
    );
    for (const id of ['embedding-baseline', 'embedding-selected']) {
      await fig4.page.waitForFunction(
        (tid) => document.querySelectorAll(`[data-testid=${tid}] .recharts-scatter-symbol`).length === 30,
        id,
      );
    }
    assert.deepEqual(
      await fig4.page.locator('[data-testid=embedding-selected] .recharts-legend-item-text').allInnerTexts(),
      ['negative', 'neutral', 'positive'],
    );
    await shot(fig4.page, 'cell-embeddings');
    assert.deepEqual(fig4.errors, []);
    await fig4.page.close();
  });

  it('the experiments page follows the store live', async () => {
    const { page, errors } = await open('/');
    await page.waitForSelector('[data-testid=live]');
    // The golden folds that did not fail, and the two drill-down folds.
    const total = goldenFolds().filter((f) => f.status !== 'failed').length + 2;
    await page.waitForSelector(
      `[data-testid=store-counts]:has-text("${(total).toLocaleString('en')} finished")`,
    );
    const writer = Store.open(server.api.store.path);
    writer.recordFold(
      fixtureRow({
        dataset: 'synthetic-seed',
        protocol: 'within-subject',
        foldKey: 'subject-07',
        method: 'em-only',
        backbone: 'dnn',
        direction: 'none',
        accuracy: 0.61,
      }),
      [],
    );
    writer.close();
    await page.waitForSelector(
      `[data-testid=store-counts]:has-text("${(total + 1).toLocaleString('en')} finished")`,
    );
    await page.waitForSelector('[data-testid=latest-folds] >> text=subject-07');
    await shot(page, 'experiments');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
