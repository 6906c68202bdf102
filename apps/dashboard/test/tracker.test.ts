import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ServerHandle } from '@cmcrd/api';
import { Store, type TsneArtifact } from '@cmcrd/store';
import { CMCRD_DEFAULTS, fixtureRow, insertFolds } from '@cmcrd/store/testing';
import type { Browser, Page } from 'playwright-core';
import { METHOD_COLOURS, methodColour } from '../lib/method-colours';
import { startDashboard } from '../server/serve.js';
import { launchChromium } from './browser.js';

// Issue 14's dashboard: the experiments page as a run list and a cells table, menus that show the
// URL, one colour per method, legends in table order, axis titles, no embedding asked for fusion,
// the 404 page, and the paper's notes once per table.
const ARTIFACTS = new URL('../test-artifacts/', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'cmcrd-tracker-'));
let server: ServerHandle;
let browser: Browser;
let fusionFoldId = 0;

const BUILT_IN = ['eeg-only', 'em-only', 'fusion', 'kd', 'fitnet', 'nst', 'sp', 'rkd', 'pkt', 'crd', 'cmcrd'];
/** 3 classes × 10 points. */
function embedding(): TsneArtifact {
  const points: [number, number][] = Array.from({ length: 30 }, (_, i) => [Math.floor(i / 10) * 5 + (i % 10) * 0.1, (i % 10) * 0.2]);
  const labels = points.map((_, i) => Math.floor(i / 10));
  return { points, labels, predicted: labels, indices: labels.map((_, i) => i), perplexity: 9, iterations: 150, seed: 1, features: 'fixture', ms: 1 };
}
const directionOf = (m: string) => (m === 'eeg-only' || m === 'em-only' || m === 'fusion' ? 'none' : 'em->eeg');

before(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  const dbPath = join(work, 'store.sqlite');
  const store = Store.open(dbPath);
  const demo = store.openSweep({ name: 'demo', file: 'cmcrd demo', spec: 'demo', options: {}, folds: 23 });
  const rows = BUILT_IN.flatMap((method, i) =>
    ['subject-01', 'subject-02'].map((foldKey, k) => ({
      ...fixtureRow({
        dataset: 'synthetic-seed-iv',
        protocol: 'within-subject',
        foldKey,
        method,
        backbone: 'dnn',
        direction: directionOf(method),
        accuracy: 0.4 + 0.02 * i + 0.01 * k,
        options: method === 'cmcrd' ? CMCRD_DEFAULTS : undefined,
      }),
      sweepId: demo.id,
    })),
  );
  rows.push({
    ...fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-03', method: 'kd', backbone: 'dnn', direction: 'em->eeg', status: 'failed' }),
    sweepId: demo.id,
  });
  // The EEG-only fold the drill-down shows beside the selected method keeps its embedding.
  const [withEmbedding, ...rest] = rows;
  store.recordFold(withEmbedding, [], [{ kind: 'tsne', data: embedding() }]);
  insertFolds(store, rest);
  store.finishSweep(demo.id, 1);
  // A sweep still running, one fold in.
  const paper = store.openSweep({ name: 'paper', file: 'sweeps/paper.yaml', spec: 'paper', options: {}, folds: 10 });
  insertFolds(store, [
    { ...fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method: 'cmcrd', backbone: 'dgcnn', direction: 'em->eeg', options: CMCRD_DEFAULTS, accuracy: 0.9 }), sweepId: paper.id },
  ]);
  // `cmcrd run` of an outside plugin: no sweep.
  insertFolds(store, [
    fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method: 'myplugin', backbone: 'dnn', direction: 'em->eeg', accuracy: 0.3 }),
    fixtureRow({ dataset: 'synthetic-seed-iv', protocol: 'within-subject', foldKey: 'subject-02', method: 'myplugin', backbone: 'dnn', direction: 'em->eeg', accuracy: 0.32 }),
    // The real release: the paper's values and deltas.
    fixtureRow({ dataset: 'seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method: 'cmcrd', backbone: 'dnn', direction: 'em->eeg', options: CMCRD_DEFAULTS, accuracy: 0.7 }),
    fixtureRow({ dataset: 'seed-iv', protocol: 'within-subject', foldKey: 'subject-01', method: 'eeg-only', backbone: 'dnn', direction: 'none', accuracy: 0.6 }),
  ]);
  fusionFoldId = store.listFolds({ method: 'fusion' })[0].id;
  store.close();
  server = await startDashboard({ port: 0, dbPath, token: null, progressIntervalMs: 100 });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

async function open(path: string): Promise<{ page: Page; api: string[]; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const api: string[] = [];
  const errors: string[] = [];
  page.on('request', (r) => {
    const u = new URL(r.url());
    if (u.pathname.startsWith('/api/')) api.push(decodeURIComponent(`${u.pathname}${u.search}`));
  });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}${path}`);
  return { page, api, errors };
}

const shot = (page: Page, name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
const cssColour = async (page: Page, hex: string) =>
  page.evaluate((c) => {
    const d = document.createElement('div');
    d.style.color = c;
    document.body.append(d);
    const v = getComputedStyle(d).color;
    d.remove();
    return v;
  }, hex);

describe('method colours', () => {
  it('the eleven built-in methods have eleven different colours; other names one derived from the name', () => {
    assert.deepEqual(Object.keys(METHOD_COLOURS).sort(), [...BUILT_IN].sort());
    assert.equal(new Set(Object.values(METHOD_COLOURS)).size, 11);
    assert.equal(methodColour('myplugin'), methodColour('myplugin'));
    assert.notEqual(methodColour('myplugin'), methodColour('otherplugin'));
    assert.ok(!Object.values(METHOD_COLOURS).includes(methodColour('myplugin')));
  });
});

describe('the tracker pages in headless Chromium', { timeout: 180_000 }, () => {
  it('the experiments page lists every experiment: the demo, a running sweep and a run outside sweeps', async () => {
    const { page, errors } = await open('/');
    await page.waitForSelector('[data-testid=run-list] tbody tr');
    assert.deepEqual(await page.locator('[data-testid=run-list] thead th').allInnerTexts(), [
      'experiment', 'kind', 'status', 'progress', 'done', 'failed', 'of', 'backend', 'started', 'finished', 'duration',
    ]);
    const row = (name: string) => page.locator(`[data-testid=run-list] tr[data-name="${name}"]`);
    const demo = await row('demo').locator('td').allInnerTexts();
    assert.deepEqual([demo[0], demo[1], demo[3], demo[4], demo[5], demo[6]], ['demo', 'finished', '22', '1', '23', 'wasm']);
    assert.match(demo[9], /^\d+ s$/);
    const paper = await row('paper').locator('td').allInnerTexts();
    assert.deepEqual([paper[0], paper[1], paper[3], paper[5], paper[8]], ['sweep', 'running', '1', '10', 'running']);
    // Runs outside sweeps: one per configuration and seed.
    const runs = await page.locator('[data-testid=run-list] tr[data-kind=run] th').allInnerTexts();
    assert.deepEqual(runs.sort(), [
      'cmcrd em->eeg · seed-iv · within-subject · dnn · seed 1',
      'eeg-only · seed-iv · within-subject · dnn · seed 1',
      'myplugin em->eeg · synthetic-seed-iv · within-subject · dnn · seed 1',
    ]);
    // The latest folds have column headers.
    await page.waitForSelector('[data-testid=latest-folds] thead th');
    await shot(page, 'tracker-experiments');
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the cells table sorts, searches and filters, all in the URL; its menus show the URL and offer only stored values', async () => {
    const { page, errors } = await open('/');
    await page.waitForSelector('[data-testid=cells] tbody tr');
    const total = 11 + 2 + 2; // the demo's methods, cmcrd on dgcnn, myplugin; seed-iv's cmcrd and eeg-only
    assert.equal(await page.locator('[data-testid=cell-row]').count(), total);
    await page.click('[data-testid=sort-accuracy]');
    await page.waitForURL(/sort=accuracy&order=desc/);
    const accuracies = async () =>
      (await page.locator('[data-testid=cells] td[data-col=accuracy]').allInnerTexts()).map((t) => Number.parseFloat(t));
    const desc = await accuracies();
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.equal(desc[0], 90);
    await page.click('[data-testid=sort-accuracy]');
    await page.waitForURL(/order=asc/);
    const asc = await accuracies();
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    await page.fill('[data-testid=cells-search]', 'cmcrd seed-iv');
    await page.waitForURL(/q=cmcrd\+seed-iv/);
    assert.deepEqual(await page.locator('[data-testid=cell-row]').evaluateAll((rs) => rs.map((r) => r.getAttribute('data-method'))), ['cmcrd', 'cmcrd', 'cmcrd']);
    await page.selectOption('[data-testid=filter-backbone]', 'dgcnn');
    await page.waitForURL(/backbone=dgcnn/);
    assert.equal(await page.locator('[data-testid=cell-row]').count(), 1);
    assert.match(await page.locator('[data-testid=cells-count]').innerText(), /^1 of 15 cells$/);
    // The method menu offers exactly the methods that have folds.
    assert.deepEqual(
      await page.locator('[data-testid=filter-method] option').allInnerTexts(),
      ['all', ...[...BUILT_IN, 'myplugin'].sort()],
    );
    await page.close();
    // The same URL opened afresh shows the same state in every control.
    const again = await open('/?q=cmcrd&method=cmcrd&sort=folds&order=desc');
    await again.page.waitForSelector('[data-testid=cells] tbody tr');
    assert.equal(await again.page.inputValue('[data-testid=cells-search]'), 'cmcrd');
    assert.equal(await again.page.inputValue('[data-testid=filter-method]'), 'cmcrd');
    assert.equal(await again.page.locator('th[aria-sort=descending]').innerText(), 'folds ▼');
    await shot(again.page, 'tracker-cells');
    assert.deepEqual([...errors, ...again.errors], []);
    await again.page.close();
  });

  it("a table page's menus show the URL's values, even one the store has no folds of", async () => {
    const { page, errors } = await open('/comparison/?protocol=cross-subject&direction=em->eeg');
    await page.waitForSelector('[data-testid=filter-protocol]');
    await page.waitForSelector('text=No folds in the store match');
    assert.equal(await page.inputValue('[data-testid=filter-protocol]'), 'cross-subject');
    assert.deepEqual(await page.locator('[data-testid=filter-protocol] option').allInnerTexts(), [
      'cross-subject (no folds)',
      'within-subject',
    ]);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it("the drill-down: one colour per method, the legend in the table's order, axis titles, no embedding asked for fusion", async () => {
    const { page, api, errors } = await open(
      '/cell/?dataset=synthetic-seed-iv&protocol=within-subject&backbone=dnn&direction=em->eeg&row=fusion',
    );
    await page.waitForSelector('[data-testid=fold-bars] .recharts-legend-item');
    const cell = await (
      await fetch(`${server.url}/api/cell?dataset=synthetic-seed-iv&protocol=within-subject&backbone=dnn&direction=${encodeURIComponent('em->eeg')}`)
    ).json();
    const rows = cell.rows as { label: string; method: string }[];
    assert.ok(rows.length >= 12, `${rows.length} rows`);
    assert.deepEqual(await page.locator('[data-testid=fold-bars] .recharts-legend-item-text').allInnerTexts(), rows.map((r) => r.label));
    for (const r of rows) {
      const fill = await page.locator(`[data-testid=fold-bars] .recharts-legend-item:has-text("${r.label}") path`).first().getAttribute('fill');
      assert.equal(fill, methodColour(r.method), r.label);
    }
    const text = await page.locator('[data-testid=fold-bars] svg').first().innerText().catch(() => '');
    const svgText = text || (await page.locator('[data-testid=fold-bars]').textContent()) || '';
    assert.match(svgText, /fold \(test subject\)/);
    assert.match(svgText, /test accuracy/);
    await page.waitForSelector('text=it has no features of its own to embed');
    await page.waitForTimeout(300);
    assert.ok(!api.includes(`/api/folds/${fusionFoldId}/embedding`), api.join('\n'));
    assert.equal(api.filter((u) => u.endsWith('/embedding')).length, 1, 'the EEG-only model only');
    await shot(page, 'tracker-drilldown');
    assert.deepEqual(errors, [], 'no 404 in the console');
    // The same colour on another page: the cells table's swatch for cmcrd.
    const home = await open('/?method=cmcrd');
    await home.page.waitForSelector('[data-testid=cells] .swatch');
    assert.equal(
      await home.page.locator('[data-testid=cells] .swatch').first().evaluate((e) => getComputedStyle(e).backgroundColor),
      await cssColour(home.page, METHOD_COLOURS.cmcrd),
    );
    await home.page.close();
    await page.close();
  });

  it('an unknown address: a 404 page in the dashboard style that links home', async () => {
    const res = await fetch(`${server.url}/no-such-page/`);
    assert.equal(res.status, 404);
    const { page, errors } = await open('/no-such-page/');
    await page.waitForSelector('[data-testid=not-found]');
    assert.equal(await page.locator('nav').count(), 1);
    await shot(page, 'tracker-404');
    await page.click('[data-testid=not-found] a');
    await page.waitForURL(`${server.url}/`);
    await page.waitForSelector('[data-testid=run-list]');
    assert.deepEqual(errors.filter((e) => !/404/.test(e)), []);
    await page.close();
  });

  it('"synthetic — not comparable" once per table; the Δ footnote only under a table that shows a Δ', async () => {
    const synthetic = await open('/comparison/?protocol=within-subject&direction=em->eeg&dataset=synthetic-seed-iv');
    await synthetic.page.waitForSelector('[data-testid=report-table] td[data-value]');
    const text = await synthetic.page.locator('[data-testid=report-table]').first().innerText();
    assert.equal(text.split('synthetic — not comparable').length - 1, 1, text);
    assert.doesNotMatch(text, /Δ = ours − paper/);
    assert.equal(await synthetic.page.locator('[data-testid=report-table] tr.sub').count(), 0, 'no paper columns');
    await synthetic.page.close();
    const real = await open('/comparison/?protocol=within-subject&direction=em->eeg&dataset=seed-iv');
    await real.page.waitForSelector('[data-testid=report-table] td[data-value]');
    const realText = await real.page.locator('[data-testid=report-table]').first().innerText();
    assert.match(realText, /\(Δ [+−]\d+\.\d\d\)/);
    assert.match(realText, /Δ = ours − paper/);
    assert.doesNotMatch(realText, /not comparable/);
    await real.page.close();
  });
});
