// What a published site runs in the reviewer's browser: the store's read side with sql.js and the
// reports the API's read routes serve, bundled for the browser by esbuild. Bundling fails if any of
// it imports a Node built-in (esbuild resolves none under platform 'browser') or better-sqlite3; the
// bundle then runs in a realm with no Node globals (no Buffer, process or require: only what a page
// has) and computes, from the store file's bytes, exactly what Node computes from the file.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { cellSummaries, runList, storedModel } from '@cmcrd/store/read';
import { type BuildResult, build } from 'esbuild';
import { REPORT_FORMATS, TABLE_KINDS, buildReport, cellFolds, exportFiles, formatReport, paperReported, reportBundle } from '../src/index.js';
import { type TwoDrivers, twoDrivers } from './fixture.js';

/** The entry points the API's read routes use, and the page's store. */
const ENTRY = `
export * as reports from '@cmcrd/reports';
export * as reportModel from '@cmcrd/reports/model';
export * as reportCells from '@cmcrd/reports/format';
export * as store from '@cmcrd/store/read';
export * as sqlJs from '@cmcrd/store/sql-js';
`;

/** Modules of the store that need Node (a file, better-sqlite3, node:crypto): none may be in the bundle. */
const NODE_SIDE = /packages\/store\/src\/(store|better-sqlite3-client|faults|missing|paths|identity|merge|slim-copy|store-reader|ballast|testing)\.ts$|node_modules\/.*(better-sqlite3|bindings|file-uri-to-path)\//;

let stores: TwoDrivers;
let bundle: BuildResult<{ write: false; metafile: true }> | undefined;
before(async () => {
  stores = await twoDrivers();
});
after(() => stores?.close());

test('the read side and the reports bundle for the browser: no Node built-in, no better-sqlite3', async (t) => {
  try {
    bundle = await build({
      stdin: { contents: ENTRY, resolveDir: fileURLToPath(new URL('.', import.meta.url)), sourcefile: 'page-entry.ts', loader: 'ts' },
      // The metafile names inputs relative to the repository.
      absWorkingDir: fileURLToPath(new URL('../../..', import.meta.url)),
      bundle: true,
      write: false,
      platform: 'browser',
      format: 'iife',
      globalName: 'cmcrd',
      conditions: ['@cmcrd/source'],
      minify: true,
      metafile: true,
      logLevel: 'silent',
    });
  } catch (e) {
    const errors = (e as { errors?: { text: string; location: { file: string; line: number } | null }[] }).errors ?? [];
    assert.fail(`esbuild could not bundle the page's code:\n${errors.map((x) => `  ${x.text} (${x.location?.file}:${x.location?.line})`).join('\n') || e}`);
  }
  const inputs = Object.keys(bundle.metafile.inputs);
  assert.deepEqual(inputs.filter((f) => NODE_SIDE.test(f)), []);
  assert.ok(inputs.some((f) => f.endsWith('packages/store/src/read-store.ts')) && inputs.some((f) => f.endsWith('paper/reported.json')));
  assert.deepEqual(bundle.warnings.map((w) => w.text), []);
  const code = bundle.outputFiles[0].contents;
  // Measured: 559 kB minified, 144 kB gzipped (drizzle and @stdlib's distributions most of it, the paper's values 115 kB).
  t.diagnostic(`bundle: ${(code.length / 1024).toFixed(0)} kB minified, ${(gzipSync(code).length / 1024).toFixed(0)} kB gzipped, ${inputs.length} modules`);
});

test('the check bites: the main entry of @cmcrd/store, which opens files with better-sqlite3, does not bundle for the browser', async () => {
  await assert.rejects(
    build({ stdin: { contents: "export * from '@cmcrd/store';", resolveDir: fileURLToPath(new URL('.', import.meta.url)) }, bundle: true, write: false, platform: 'browser', conditions: ['@cmcrd/source'], logLevel: 'silent' }),
    (e: { errors?: { text: string }[] }) => (e.errors ?? []).some((x) => /Could not resolve "(node:)?(fs|path|url|crypto|os)"/.test(x.text)),
  );
});

test('the bundle, with no Node globals, computes from the file what Node computes', () => {
  assert.ok(bundle, 'bundled');
  // What a page has of the globals the code uses; vm adds the language's own (Math, JSON, typed arrays …).
  const context = vm.createContext({ TextEncoder, TextDecoder, atob, btoa, console });
  vm.runInContext(bundle.outputFiles[0].text, context);
  const page = context.cmcrd as {
    reports: typeof import('../src/index.js');
    store: typeof import('@cmcrd/store/read');
    sqlJs: typeof import('@cmcrd/store/sql-js');
  };
  assert.equal(vm.runInContext('typeof Buffer + typeof process + typeof require', context), 'undefinedundefinedundefined');
  const store = page.sqlJs.openSqlJsStore(stores.SQL, stores.bytes, stores.node.path);
  const node = stores.node;
  try {
    for (const kind of TABLE_KINDS) {
      const ours = page.reports.buildReport(store, kind, { variants: 'all' });
      const expected = buildReport(node, kind, { variants: 'all' });
      for (const format of REPORT_FORMATS) assert.equal(page.reports.formatReport(kind, ours, format), formatReport(kind, expected, format), `${kind} ${format}`);
    }
    const json = (x: unknown) => JSON.stringify(x);
    const meta = { generatedAt: new Date('2026-12-01T00:00:00Z') };
    assert.equal(json(page.reports.reportBundle(store, {}, meta)), json(reportBundle(node, {}, meta)));
    const q = { dataset: 'seed-iv', protocol: 'within-subject', backbone: 'dnn', direction: 'em->eeg' };
    assert.equal(json(page.reports.cellFolds(store, q)), json(cellFolds(node, q)));
    assert.equal(json(page.store.runList(store)), json(runList(node)));
    assert.equal(json(page.store.cellSummaries(store)), json(cellSummaries(node)));
    assert.equal(json(page.reports.paperReported()), json(paperReported()));
    const files = page.reports.exportFiles(page.store.storedModel(store, 1).artifact, { id: 1 });
    const expected = exportFiles(storedModel(node, 1).artifact, { id: 1 });
    assert.deepEqual([...files.keys()], [...expected.keys()]);
    for (const [name, bytes] of expected) assert.ok(Buffer.from(bytes).equals(Buffer.from(files.get(name)!)), name);
  } finally {
    store.close();
  }
});
