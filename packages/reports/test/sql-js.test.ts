// The reports through sql.js (a published site, in the reviewer's browser) are the reports through
// better-sqlite3 (`cmcrd report`), byte for byte: every table kind in every format, under several
// options, the reviewer's bundle, the cell drill-down and a stored model's export.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { storedModel } from '@cmcrd/store/read';
import {
  REPORT_FORMATS,
  type ReportOptions,
  TABLE_KINDS,
  buildReport,
  cellFolds,
  exportFiles,
  formatReport,
  paperReported,
  referenceVariantsHint,
  reportBundle,
  reportJson,
} from '../src/index.js';
import { type TwoDrivers, twoDrivers } from './fixture.js';

let stores: TwoDrivers;
before(async () => {
  stores = await twoDrivers();
});
after(() => stores?.close());

const OPTIONS: ReportOptions[] = [
  {},
  { variants: 'all' },
  { dataset: 'seed-iv', protocol: 'within-subject', family: 'table', test: 'wilcoxon', alternative: 'greater' },
  { backbone: 'dgcnn', seed: 1, paper: false, reference: 'kd' },
];

for (const kind of TABLE_KINDS) {
  for (const o of OPTIONS) {
    test(`${kind} ${JSON.stringify(o)}: every format, the same bytes through sql.js`, () => {
      const expected = buildReport(stores.node, kind, o);
      if (Object.keys(o).length === 0) assert.ok(expected.length > 0, `the fixture makes ${kind} tables`);
      const tables = buildReport(stores.page, kind, o);
      assert.deepEqual(reportJson(kind, tables), reportJson(kind, expected));
      for (const format of REPORT_FORMATS) assert.equal(formatReport(kind, tables, format), formatReport(kind, expected, format), format);
    });
  }
}

test("the reviewer's bundle is the same through sql.js", () => {
  const meta = { generatedAt: new Date('2026-12-01T00:00:00Z') };
  const expected = reportBundle(stores.node, { variants: 'all' }, meta);
  assert.ok(expected.some((f) => f.path.startsWith('sweeps/')), 'with the sweep files');
  assert.deepEqual(reportBundle(stores.page, { variants: 'all' }, meta), expected);
});

test('the cell drill-down is the same through sql.js', () => {
  for (const q of [
    { dataset: 'seed-iv', protocol: 'within-subject', backbone: 'dnn', direction: 'em->eeg' },
    { dataset: 'synthetic-seed-iv', protocol: 'cross-subject', backbone: 'dnn', direction: 'eeg->em', variants: 'all' as const },
    { dataset: 'seed-iv', protocol: 'cross-subject', backbone: 'dgcnn', direction: 'none', protocolFlags: { normalisation: 'train' } },
  ]) {
    const expected = cellFolds(stores.node, q);
    assert.ok(expected.rows.length > 0, JSON.stringify(q));
    assert.deepEqual(cellFolds(stores.page, q), expected);
  }
  assert.equal(referenceVariantsHint(stores.page, 'cmcrd', {}), referenceVariantsHint(stores.node, 'cmcrd', {}));
});

test("the paper's values are bundled with the code, as stored in paper/reported.json", () => {
  assert.deepEqual(paperReported(), JSON.parse(readFileSync(new URL('../paper/reported.json', import.meta.url), 'utf8')));
});

test("a stored model's export is the same through sql.js", () => {
  const files = (store: typeof stores.page) => exportFiles(storedModel(store, 1).artifact, { id: 1 });
  const expected = files(stores.node);
  assert.deepEqual([...expected.keys()].sort(), ['MODEL_CARD.md', 'group1-shard1of1.bin', 'model.json', 'preprocess.json']);
  assert.deepEqual(files(stores.page), expected);
});
