// `cmcrd publish`: the site a reviewer opens with nothing installed. Served by a static file server
// on loopback, rendered in Debian's Chromium: every table equals `cmcrd report <table> --format json`
// on the same store, and no request leaves the site's origin.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { countText, valueText } from '@cmcrd/reports/format';
import { Store } from '@cmcrd/store';
import { CMCRD_DEFAULTS, fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';
import Database from 'better-sqlite3';
import { Hono } from 'hono';
import type { Browser } from 'playwright-core';
import { publishSite } from '../server/publish.js';
import { launchChromium } from './browser.js';

const CLI = fileURLToPath(new URL('../../cli/src/cmcrd.ts', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'cmcrd-publish-'));
const dbPath = join(work, 'store.sqlite');
const site = join(work, 'site');
let browser: Browser;
let server: ReturnType<typeof serve>;
let origin = '';

function cmcrd(args: string[]): { code: number | null; out: string; stdout: string } {
  const r = spawnSync(process.execPath, [...process.execArgv, CLI, ...args], { encoding: 'utf8', timeout: 240_000 });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

before(async () => {
  const store = Store.open(dbPath);
  insertFolds(store, goldenFolds().map(fixtureRow));
  store.recordFold(
    {
      ...fixtureRow({ dataset: 'synthetic-seed', protocol: 'within-subject', foldKey: 'subject-01', method: 'cmcrd', backbone: 'bihdm', direction: 'em->eeg', accuracy: 0.6, options: CMCRD_DEFAULTS }),
      confusion: '[[5,1,0],[2,4,1],[0,1,6]]',
    },
    Array.from({ length: 4 }, (_, i) => ({
      epoch: i + 1,
      lr: 0.001,
      losses: JSON.stringify({ total: 1 / (i + 1) }),
      trainAccuracy: 0.5 + 0.1 * i,
      valAccuracy: null,
      testAccuracy: 0.45 + 0.05 * i,
    })),
  );
  // Folds of an experiment (a sweep row they point at), for --experiment.
  const sweep = store.openSweep({ name: 'fixture-sweep', file: 'fixture.yaml', spec: 'name: fixture-sweep', options: {}, folds: 2 });
  for (const foldKey of ['subject-02', 'subject-03']) {
    store.recordFold({ ...fixtureRow({ dataset: 'synthetic-seed', protocol: 'within-subject', foldKey, method: 'eeg-only', backbone: 'bihdm', direction: 'none', accuracy: 0.5 }), sweepId: sweep.id }, []);
  }
  store.close();
  const r = cmcrd(['publish', '--db', dbPath, '--out', site]);
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /published .* files/);
  // A static file server: nothing of ours answers, only the files.
  const app = new Hono().use('/*', serveStatic({ root: site }));
  server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  server?.close();
  rmSync(work, { recursive: true, force: true });
});

describe('a published site', () => {
  it('every table in the page equals cmcrd report --format json; no request leaves the origin', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const elsewhere: string[] = [];
    const errors: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(origin) && !r.url().startsWith('blob:') && !r.url().startsWith('data:')) elsewhere.push(r.url());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    for (const [table, query] of [
      ['comparison', 'protocol=within-subject&direction=em->eeg'],
      ['comparison', 'protocol=within-subject&direction=em->eeg&dataset=seed-iv'],
      ['significance', 'protocol=within-subject&direction=em->eeg'],
      ['ablation', ''],
      ['fusion', ''],
      ['timing', ''],
    ] as const) {
      await page.goto(`${origin}/${table}/${query ? `?${query}` : ''}`);
      await page.waitForSelector(`[data-testid=report-table][data-table=${table}]`, { timeout: 30_000 });
      // The page puts its defaults into the URL: the CLI is asked exactly what the page shows.
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=report-table] td[data-value]').length > 0);
      const args = ['report', table, '--db', dbPath, '--format', 'json'];
      for (const [k, v] of new URL(page.url()).searchParams) args.push(`--${k}`, v);
      const r = cmcrd(args);
      assert.equal(r.code, 0, r.out);
      const report = JSON.parse(r.stdout);
      const shown = page.locator(`[data-testid=report-table][data-table=${table}]`);
      assert.equal(await shown.count(), report.tables.length, `${table} ${query}: tables`);
      let compared = 0;
      for (const [k, t] of report.tables.entries()) {
        for (const [i, row] of t.rows.entries()) {
          for (const [j, column] of t.columns.entries()) {
            const c = t.cells[i][j];
            const td = shown.nth(k).locator(`td[data-row="${row.label}"][data-column="${column.label}"]`);
            const where = `${table} ${query}: ${row.label} / ${column.label}`;
            // An empty cell is an empty <td> without data.
            assert.equal(await td.count(), c ? 1 : 0, where);
            if (!c) continue;
            assert.equal(await td.getAttribute('data-value'), String(c.value ?? ''), where);
            // The value as formatted (with its CI, p and q where the table has them) and n.
            const text = ((await td.textContent()) ?? '').trim();
            assert.ok(text.startsWith(valueText(t, c)) && text.endsWith(`(${countText(c)})`), `${where}: '${text}'`);
            compared++;
          }
        }
      }
      assert.ok(compared > 0, `${table} ${query}: no cell compared`);
    }
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the drill-down (bars, curves, confusion matrix) and the experiments page work from the page', async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${origin}/comparison/?protocol=within-subject&direction=em->eeg&dataset=seed-iv`);
    await page.waitForSelector('[data-testid=report-table]', { timeout: 30_000 });
    await page.click('td[data-row="cmcrd"][data-column="seed-iv / dgcnn"] a');
    await page.waitForURL(/\/cell\/\?/);
    await page.waitForSelector('[data-testid=fold-bars] .recharts-bar-rectangle');
    await page.goto(`${origin}/cell/?dataset=synthetic-seed&protocol=within-subject&backbone=bihdm&direction=em->eeg&row=cmcrd`);
    await page.waitForSelector('[data-testid=confusion]', { timeout: 30_000 });
    assert.deepEqual(await page.locator('[data-testid=confusion] tbody td').allInnerTexts(), ['5', '1', '0', '2', '4', '1', '0', '1', '6']);
    await page.waitForSelector('[data-testid=curves] .recharts-line');
    // The experiments page reads the progress stream from the API in the page.
    await page.goto(`${origin}/`);
    await page.waitForSelector('[data-testid=live]', { timeout: 30_000 });
    const folds = new Database(dbPath, { readonly: true });
    const done = folds.prepare("SELECT count(*) FROM folds WHERE status = 'done'").pluck().get() as number;
    folds.close();
    await page.waitForSelector(`[data-testid=store-counts]:has-text("${done.toLocaleString('en')} finished")`);
    assert.deepEqual(errors, []);
    await page.close();
  });

  it('the Verify page shows the store copy: the sha256 the browser computed, counts, and the report commands', async () => {
    const page = await browser.newPage();
    await page.goto(`${origin}/verify/`);
    const sha = await page.locator('[data-testid=verify-sha256]').textContent({ timeout: 30_000 });
    const manifest = JSON.parse(readFileSync(join(site, 'cmcrd-site', 'site.json'), 'utf8'));
    const bytes = gunzipSync(readFileSync(join(site, 'cmcrd-site', manifest.gz)));
    assert.equal(sha, createHash('sha256').update(bytes).digest('hex'));
    assert.match(await page.locator('[data-testid=verify-commands]').innerText(), /cmcrd report comparison --db store\.sqlite --format json/);
    // The copy holds the folds and their epochs, and no teacher weights.
    const copy = join(work, 'copy.sqlite');
    writeFileSync(copy, bytes);
    const d = new Database(copy, { readonly: true });
    const source = new Database(dbPath, { readonly: true });
    assert.equal(d.prepare('SELECT count(*) FROM folds').pluck().get(), source.prepare('SELECT count(*) FROM folds').pluck().get());
    assert.equal(d.prepare('SELECT count(*) FROM teachers').pluck().get(), 0);
    d.close();
    source.close();
    await page.close();
  });

  it('a download (an export) is written by the API in the page', async () => {
    const page = await browser.newPage({ acceptDownloads: true });
    await page.goto(`${origin}/comparison/?protocol=within-subject&direction=em->eeg`);
    await page.waitForSelector('[data-testid=report-table]', { timeout: 30_000 });
    const [download] = await Promise.all([page.waitForEvent('download'), page.locator('a[download$=".csv"]').first().click()]);
    const text = readFileSync((await download.path())!, 'utf8');
    const r = cmcrd(['report', 'comparison', '--db', dbPath, '--format', 'csv', '--protocol', 'within-subject', '--direction', 'em->eeg']);
    assert.equal(text.trim(), r.stdout.trim());
    await page.close();
  });
});

describe('publish refuses', () => {
  it('a non-empty folder, a symlink, a file that is not a CMCRD store: exit 2, nothing written', () => {
    const full = join(work, 'full');
    mkdirSync(full);
    writeFileSync(join(full, 'keep.txt'), 'mine');
    const link = join(work, 'link');
    mkdirSync(join(work, 'target'));
    symlinkSync(join(work, 'target'), link);
    const foreign = join(work, 'foreign.sqlite');
    const f = new Database(foreign);
    f.exec('CREATE TABLE notes (text TEXT)');
    f.close();
    for (const [args, what] of [
      [['--db', dbPath, '--out', full], /not empty/],
      [['--db', dbPath, '--out', link], /symlink/],
      [['--db', foreign, '--out', join(work, 'new-site')], /not a CMCRD store/],
    ] as const) {
      const r = cmcrd(['publish', ...args]);
      assert.equal(r.code, 2, r.out);
      assert.match(r.out, what);
    }
    assert.equal(readFileSync(join(full, 'keep.txt'), 'utf8'), 'mine');
    assert.equal(existsSync(join(work, 'new-site')), false);
    assert.deepEqual(
      spawnSync('ls', ['-A', join(work, 'target')], { encoding: 'utf8' }).stdout,
      '',
    );
  });

  it('publishes only the experiments named', async () => {
    const only = join(work, 'only');
    const s = await publishSite({ db: dbPath, out: only, experiments: ['fixture-sweep'], log: () => {} });
    assert.deepEqual([s.folds, s.sweeps], [2, 1]);
    await assert.rejects(publishSite({ db: dbPath, out: join(work, 'none'), experiments: ['no-such'] }), /no experiment named 'no-such'/);
    assert.equal(existsSync(join(work, 'none')), false);
  });
});
