import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { paperReported } from '@cmcrd/reports';

const repository = fileURLToPath(new URL('../../../', import.meta.url));

test("the paper's source_file is inside the repository and holds every line a cell cites", () => {
  const r = paperReported();
  assert.doesNotMatch(r.source_file, /^(\/|\.\.)/, 'a path relative to the repository root');
  const file = `${repository}${r.source_file}`;
  assert.ok(existsSync(file), `${r.source_file} exists`);
  const lines = new Map(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => [Number(l.slice(0, l.indexOf('\t'))), l.slice(l.indexOf('\t') + 1)]),
  );
  let cited = 0;
  for (const [name, table] of Object.entries(r.tables)) {
    for (const cell of table.cells) {
      const line = cell.line as number;
      assert.ok(lines.has(line), `${name}: line ${line} is in ${r.source_file}`);
      cited++;
    }
  }
  assert.ok(cited > 600, `${cited} cells`);
  // Spot check: Table 1's DNN EEG cell on SEED is read from the line that shows it.
  const t1 = r.tables.t1.cells.find((c) => c.method === 'EEG' && c.dataset === 'SEED' && c.backbone === 'DNN');
  assert.ok(t1, 'Table 1 SEED DNN EEG');
  assert.match(lines.get(t1.line as number) ?? '', /78\.90/);
});
