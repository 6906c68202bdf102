// Issue 7's target: building any report table from a store of 100,000 folds in ≤ 1 s. The store
// is written once into a temporary directory (not timed); each table is then built from a freshly
// opened store (read, grouped, tested, formatted as text), five times, and the median printed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Store } from '@cmcrd/store';
import { TABLE_KINDS, buildReport, formatReport } from '@cmcrd/reports';
import { writePaperShapedStore } from '@cmcrd/store/testing';

const SEEDS = 18;
const TARGET_MS = 1000;
const dir = mkdtempSync(join(tmpdir(), 'cmcrd-report-bench-'));
try {
  const file = join(dir, 'store.sqlite');
  const { folds, seconds } = writePaperShapedStore(file, SEEDS);
  console.log(`
report tables from a store of ${folds.toLocaleString('en')} folds (written in ${seconds.toFixed(1)} s)`);
  console.log('table          tables  median ms  max ms  target');
  for (const kind of TABLE_KINDS) {
    const times: number[] = [];
    let count = 0;
    for (let i = 0; i < 6; i++) {
      const start = performance.now();
      const s = Store.open(file);
      const tables = buildReport(s, kind, {});
      formatReport(kind, tables, 'text');
      s.close();
      if (i > 0) times.push(performance.now() - start);
      count = tables.length;
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)];
    const max = times[times.length - 1];
    const verdict = max <= TARGET_MS ? `≤ ${TARGET_MS} ms met` : `> ${TARGET_MS} ms MISSED`;
    console.log(
      `${kind.padEnd(15)}${String(count).padStart(6)}  ${median.toFixed(0).padStart(9)}  ${max.toFixed(0).padStart(6)}  ${verdict}`,
    );
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
