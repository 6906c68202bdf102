// `pnpm bench` (dashboard, publish): a site written by `cmcrd publish` from a store of the paper
// grid's size (103,680 folds, as the report bench writes it) and from the demo's store, served by a
// static file server on loopback and opened in Debian's Chromium: the site's size (gzip of every
// file: what a host sends), the time from navigation to the comparison table rendered, and the time
// to switch a filter. Issue 24's targets: ≤ 25 MB, ≤ 3 s, ≤ 500 ms. Not part of the tests.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { serve } from '@hono/node-server';
import { serveStatic } from '@hono/node-server/serve-static';
import { writePaperShapedStore } from '@cmcrd/store/testing';
import { Hono } from 'hono';
import { publishSite } from '../server/publish.js';
import { launchChromium } from '../test/browser.js';

const CLI = fileURLToPath(new URL('../../cli/src/cmcrd.ts', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-publish-bench-'));

function walk(d: string): string[] {
  return readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
}

/** What a host sends: each file gzipped (the store's copy is gzip already and counts as it is). */
function compressedSize(site: string): number {
  return walk(site).reduce((s, f) => s + (f.endsWith('.gz') ? statSync(f).size : gzipSync(readFileSync(f)).length), 0);
}

async function measure(name: string, db: string): Promise<void> {
  const site = join(dir, `site-${name}`);
  const t0 = performance.now();
  const s = await publishSite({ db, out: site, log: () => {} });
  const publishSeconds = (performance.now() - t0) / 1000;
  const app = new Hono().use('/*', serveStatic({ root: site }));
  const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((r) => server.once('listening', r));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  const loads: number[] = [];
  const switches: number[] = [];
  let switched = '';
  try {
    for (let i = 0; i < 3; i++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
      const start = performance.now();
      await page.goto(`${origin}/comparison/`);
      await page.waitForSelector('[data-testid=report-table][data-table=comparison] td[data-value]', { timeout: 120_000 });
      loads.push(performance.now() - start);
      // A filter with another value to switch to (the demo's store has one protocol, one dataset).
      let filter = '';
      let other = '';
      for (const name of ['protocol', 'direction', 'backbone', 'dataset']) {
        const select = page.locator(`[data-testid=filter-${name}]`);
        if ((await select.count()) === 0) continue;
        const current = await select.inputValue();
        const values = await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
        const next = values.find((v) => v !== current);
        if (next !== undefined) {
          filter = name;
          other = next;
          break;
        }
      }
      if (!filter) throw new Error('no filter with a second value on the comparison page');
      const s0 = performance.now();
      await page.selectOption(`[data-testid=filter-${filter}]`, other);
      // Rendered: the URL holds the new value and nothing is loading any more (the table, or the
      // empty state where the new value has no folds).
      await page.waitForURL((u) => new URL(u).searchParams.get(filter) === other, { timeout: 60_000 });
      await page.waitForFunction(() => !document.body.innerText.includes('Loading…'), undefined, { timeout: 60_000 });
      switches.push(performance.now() - s0);
      switched = filter;
      await page.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const size = compressedSize(site);
  const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
  console.log(`\n${name}: ${s.folds.toLocaleString('en')} folds; published in ${publishSeconds.toFixed(1)} s`);
  console.log(`  site: ${(s.bytes / 1e6).toFixed(1)} MB on disk, ${(size / 1e6).toFixed(1)} MB compressed (target ≤ 25 MB: ${verdict(size <= 25e6)}); store copy ${(s.storeBytes / 1e6).toFixed(1)} MB, ${(s.storeGzBytes / 1e6).toFixed(1)} MB gzip`);
  console.log(`  load → comparison table: median ${(median(loads) / 1000).toFixed(2)} s of ${loads.map((x) => (x / 1000).toFixed(2)).join(', ')} (target ≤ 3 s: ${verdict(median(loads) <= 3000)})`);
  console.log(`  switch the ${switched} filter: median ${median(switches).toFixed(0)} ms of ${switches.map((x) => x.toFixed(0)).join(', ')} (target ≤ 500 ms: ${verdict(median(switches) <= 500)})`);
}

try {
  // CMCRD_BENCH_PUBLISH=demo measures the demo's store alone.
  if (process.env.CMCRD_BENCH_PUBLISH !== 'demo') {
    process.stderr.write('bench:publish: writing a paper-sized store …\n');
    const paper = join(dir, 'paper.sqlite');
    writePaperShapedStore(paper, 18);
    await measure('paper-sized store', paper);
  }
  process.stderr.write('bench:publish: the demo (4 subjects, about five minutes) …\n');
  const demo = join(dir, 'demo.sqlite');
  const r = spawnSync(process.execPath, [...process.execArgv, CLI, 'demo', '--db', demo], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`cmcrd demo: exit ${r.status}`);
  await measure('demo store', demo);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
