// The text tables and the CSV written without cli-table3 and csv-stringify (format/box-table.ts,
// format/csv-text.ts: those load Node's modules or globals, and a page formats reports too) are what
// those libraries wrote, byte for byte: every table of every kind on the golden fixture, and the
// awkward cases.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import Table from 'cli-table3';
import { stringify } from 'csv-stringify/sync';
import { boxTable } from '../src/format/box-table.js';
import { csvRecords } from '../src/format/csv.js';
import { csvText } from '../src/format/csv-text.js';
import { textRows } from '../src/format/text.js';
import { TABLE_KINDS, buildReport } from '../src/index.js';
import { type TwoDrivers, twoDrivers } from './fixture.js';

/** How format/csv.ts wrote CSV with csv-stringify. */
const csvStringify = (records: unknown[][]) => stringify(records, { cast: { boolean: (b) => (b ? 'true' : 'false') } });

/** How format/text.ts drew its tables with cli-table3. */
function cliTable(rows: readonly (readonly string[])[]): string {
  const [head, ...body] = rows;
  const table = new Table({ head: [...head], style: { head: [], border: [] } });
  for (const r of body) table.push([...r]);
  return table.toString();
}

let stores: TwoDrivers;
before(async () => {
  stores = await twoDrivers();
});
after(() => stores?.close());

test('every golden table is drawn as cli-table3 draws it', () => {
  let n = 0;
  for (const kind of TABLE_KINDS) {
    for (const variants of ['default', 'all'] as const) {
      for (const t of buildReport(stores.node, kind, { variants })) {
        const rows = textRows(t);
        assert.equal(boxTable(rows), cliTable(rows), `${kind}: ${t.title}`);
        n++;
      }
    }
  }
  assert.ok(n > 10);
});

test('wide characters, empty cells and lines, a cell of more lines than its row', () => {
  for (const rows of [
    [['', 'a'], ['x', '']],
    [['', ''], ['', '']],
    [['method', 'SEED-IV / dnn'], ['情感蒸馏', '62.53 ± 15.26 (n=4) ▲\npaper: —'], ['🧠 CMCRD', '\n\nthree']],
    [['only a head'], ['x\ny']],
    [['', 'trailing ', ' leading'], ['\n', 'a\n\nb']],
  ]) {
    assert.equal(boxTable(rows), cliTable(rows), JSON.stringify(rows));
  }
});

test('every golden table is written as csv-stringify writes it', () => {
  for (const kind of TABLE_KINDS) {
    for (const variants of ['default', 'all'] as const) {
      const records = csvRecords(buildReport(stores.node, kind, { variants }));
      assert.ok(records.length > 1, kind);
      assert.equal(csvText(records), csvStringify(records), `${kind} ${variants}`);
    }
  }
});

test('CSV fields: numbers, booleans, nulls, quotes, commas and line breaks', () => {
  const records = [
    ['plain', 'with, comma', 'with "quote"', 'two\nlines', 'carriage\rreturn', '', ' spaced ', 'ünï ±—▲'],
    [0, -0, 1.5, -2e-7, 123456789012, Number.NaN, Number.POSITIVE_INFINITY, -1],
    [true, false, null, undefined, '"', ',', '\r\n', '""'],
  ];
  assert.equal(csvText(records), csvStringify(records));
});
