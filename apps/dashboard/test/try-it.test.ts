import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, it, mock } from 'node:test';
import type { ServerHandle } from '@cmcrd/api';
import { selectBackend } from '@cmcrd/core';
import { Store, storedModel } from '@cmcrd/store';
import { exportFiles } from '@cmcrd/reports';
import { foldTestWindows } from '@cmcrd/reports/test-split';
import { loadExportedModel, main, predictRows, writeFolderAtomically } from '@cmcrd/runner';
import { unzipSync } from 'fflate';
import type { Browser } from 'playwright-core';
import { startDashboard } from '../server/serve.js';
import { launchChromium } from './browser.js';

// The drill-down's model panel (components/ModelPanel.tsx) in Debian's Chromium: "Download model"
// gives the export, and "Try it" runs the exported model with TensorFlow.js in the browser on the
// fold's test windows, reproducing the stored accuracy and confusion matrix, with probabilities
// within 1e-5 of the Node predictor's (cmcrd predict's code).

const work = mkdtempSync(join(tmpdir(), 'cmcrd-try-it-'));
const dbPath = join(work, 'store.sqlite');
let server: ServerHandle;
let browser: Browser;
let foldId = 0;

before(async () => {
  // A real fold, trained here on the cpu backend (the browser's) and stored with its model.
  const quiet = mock.method(console, 'log', () => {});
  try {
    const code = await main(['node', 'cmcrd', 'run', '--dataset', 'synthetic-seed-iv', '--method', 'eeg-only', '--seed', '3', '--epochs', '2', '--warmup-epochs', '1', '--folds', 'subject-02', '--workers', '1', '--backend', 'cpu', '--db', dbPath]);
    assert.equal(code, 0);
  } finally {
    quiet.mock.restore();
  }
  const store = Store.open(dbPath);
  foldId = store.listFolds()[0].id;
  store.close();
  server = await startDashboard({ port: 0, dbPath, token: null });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

interface TryItResult {
  backend: string;
  n: number;
  accuracy: number;
  confusion: number[][];
  probabilities: number[];
  predictions: number[];
}

it("offers the model's download and runs it in the browser: the stored accuracy and confusion matrix, Node's probabilities within 1e-5", { timeout: 240_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${server.url}/cell/?dataset=synthetic-seed-iv&protocol=within-subject&backbone=dnn&direction=none&row=eeg-only`);
  const download = page.getByTestId('download-model');
  await download.waitFor({ timeout: 60_000 });
  assert.equal(await download.getAttribute('href'), `/api/folds/${foldId}/model`);
  const zip = await fetch(`${server.url}/api/folds/${foldId}/model`);
  assert.equal(zip.status, 200);
  assert.ok(Object.keys(unzipSync(new Uint8Array(await zip.arrayBuffer()))).some((n) => n.endsWith('/model.json')));

  await page.getByTestId('try-it').click();
  await page.getByTestId('try-it-result').waitFor({ timeout: 180_000 });
  assert.ok(await page.getByTestId('try-it-match').isVisible(), await page.getByTestId('try-it-result').innerText());
  const got = (await page.evaluate(() => (globalThis as { __cmcrdTryIt?: unknown }).__cmcrdTryIt)) as TryItResult;
  assert.equal(got.backend, 'cpu');

  const store = Store.open(dbPath);
  try {
    const fold = store.getFold(foldId)!;
    assert.equal(got.accuracy, fold.accuracy);
    assert.deepEqual(got.confusion, JSON.parse(fold.confusion!));
    assert.equal(got.n, fold.testSize);
    // Node: the same export through cmcrd predict's code, on the same backend.
    await selectBackend('cpu');
    const dir = join(work, 'export');
    const { artifact } = storedModel(store, foldId);
    writeFolderAtomically(dir, exportFiles(artifact, { id: foldId }));
    const model = await loadExportedModel(dir);
    const w = foldTestWindows(fold, 'eeg');
    const node = predictRows(model, new Float32Array(new Uint8Array(Buffer.from(w.x, 'base64')).buffer));
    assert.deepEqual(got.predictions, Array.from(node.predictions));
    let worst = 0;
    for (let i = 0; i < node.probabilities.length; i++) worst = Math.max(worst, Math.abs(got.probabilities[i] - node.probabilities[i]));
    assert.ok(worst <= 1e-5, `largest difference ${worst}`);
  } finally {
    store.close();
  }
  assert.deepEqual(errors, []);
  await page.close();
});
