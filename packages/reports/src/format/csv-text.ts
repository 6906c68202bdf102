// CSV as csv-stringify writes it with its defaults (RFC 4180: a field with a comma, a quote or a line
// break quoted, quotes doubled, every record ended by '\n'): the same bytes (test/formats.test.ts
// compares them on every golden table), without csv-stringify, whose module reads Node's Buffer
// when it loads, so that a page writes CSV too.

export type CsvField = string | number | boolean | null | undefined;

function field(value: CsvField): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'string' ? value : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvText(records: readonly (readonly CsvField[])[]): string {
  return records.map((r) => `${r.map(field).join(',')}\n`).join('');
}
