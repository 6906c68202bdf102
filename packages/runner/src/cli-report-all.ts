import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { userPath } from '@cmcrd/store';
import { BUNDLE_DOCUMENT, type ReportOptions, reportBundle } from '@cmcrd/reports';
import { Store } from '@cmcrd/store';

export interface ReportAllOptions extends ReportOptions {
  db: string;
  out: string;
}

/**
 * `cmcrd report all --out DIR`: the reviewer's bundle written to a folder — every table in every
 * format, tables.tex including them all, the sweep files and provenance.json. Returns the exit code
 * (1 when the store makes no table at all).
 */
export function cmdReportAll(
  o: ReportAllOptions,
  log: (s: string) => void = (s) => process.stderr.write(s),
): number {
  const store = Store.open(userPath(o.db));
  let files: ReturnType<typeof reportBundle>;
  try {
    files = reportBundle(store, o);
  } finally {
    store.close();
  }
  const tables = files.filter((f) => f.path.endsWith('.json') && f.path !== 'provenance.json');
  if (tables.length === 0) {
    log(`cmcrd report all: no table from the folds in ${userPath(o.db)} that match\n`);
    return 1;
  }
  const out = resolve(userPath(o.out));
  for (const f of files) {
    const file = join(out, f.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, f.content);
  }
  log(
    `cmcrd report all: ${files.length} files in ${out} (${tables.map((f) => f.path.replace(/\.json$/, '')).join(', ')}); pdflatex ${BUNDLE_DOCUMENT} there compiles them into one document\n`,
  );
  return 0;
}
