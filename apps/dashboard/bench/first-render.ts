// Issue 9's target: the comparison page's first render ≤ 1.5 s on a store of 100,000 folds,
// measured in the browser (navigation start → the table in the DOM), on a fresh server (the table
// not yet computed) and again once computed; plus what each page fetches.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writePaperShapedStore } from '@cmcrd/store/testing';
import { startDashboard } from '../server/serve.js';
import { launchChromium } from '../test/browser.js';

const SEEDS = 18;
const TARGET_MS = 1500;
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-dashboard-bench-'));
const db = join(dir, 'store.sqlite');
const { folds, seconds } = writePaperShapedStore(db, SEEDS);
console.log(`
dashboard: a store of ${folds.toLocaleString('en')} folds (written in ${seconds.toFixed(1)} s)`);

const server = await startDashboard({ port: 0, dbPath: db, token: null });
const browser = await launchChromium();
try {
  const pages = [
    ['comparison (fresh server)', '/comparison/?protocol=within-subject&direction=em->eeg'],
    ['comparison (computed)', '/comparison/?protocol=within-subject&direction=em->eeg'],
    ['comparison, one dataset', '/comparison/?protocol=cross-subject&direction=eeg->em&dataset=seed-iv'],
    ['significance', '/significance/?protocol=within-subject&direction=em->eeg'],
    ['ablation', '/ablation/?direction=em->eeg'],
    ['fusion', '/fusion/?protocol=within-subject'],
    ['timing', '/timing/?backbone=dnn'],
  ] as const;
  console.log('page                          first render ms  API requests  API kB  target');
  for (const [name, path] of pages) {
    const context = await browser.newContext();
    const page = await context.newPage();
    let requests = 0;
    let bytes = 0;
    page.on('response', async (r) => {
      if (!new URL(r.url()).pathname.startsWith('/api/')) return;
      requests++;
      bytes += (await r.body().catch(() => Buffer.alloc(0))).length;
    });
    await page.goto(`${server.url}${path}`);
    await page.waitForSelector('[data-testid=report-table]', { timeout: 60_000 });
    // Milliseconds since the navigation started, read as soon as the table is in the DOM.
    const ms = await page.evaluate(() => performance.now());
    await page.waitForLoadState('networkidle');
    const target = name.startsWith('comparison')
      ? ms <= TARGET_MS
        ? `≤ ${TARGET_MS} ms met`
        : `> ${TARGET_MS} ms MISSED`
      : '';
    console.log(
      `${name.padEnd(30)}${ms.toFixed(0).padStart(15)}  ${String(requests).padStart(12)}  ${(bytes / 1024).toFixed(0).padStart(6)}  ${target}`,
    );
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
}
