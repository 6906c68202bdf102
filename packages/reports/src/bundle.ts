import { count } from 'drizzle-orm';
import { schema } from '@cmcrd/store/read';
import type { ReadStore } from '@cmcrd/store/read';
import { readFacts, reportFromFacts } from './build.js';
import { formatReport } from './format/index.js';
import { latexDocument } from './format/latex.js';
import { type ReportFormat, type ReportOptions, TABLE_KINDS, type TableKind } from './model.js';

const { folds } = schema;

/** One file of the reviewer's bundle, its path relative to the bundle's root. */
export interface BundleFile {
  path: string;
  content: string;
}

const EXTENSIONS: Record<ReportFormat, string> = {
  text: 'txt',
  md: 'md',
  latex: 'tex',
  csv: 'csv',
  json: 'json',
};

/** The document that includes every table's LaTeX file (compile it in the bundle's folder). */
export const BUNDLE_DOCUMENT = 'tables.tex';

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60) || 'sweep';

/**
 * The reviewer's bundle (`cmcrd report all`, the dashboard's download): every table kind the store's
 * folds make, in every format; one LaTeX document that includes them all; the sweep files behind
 * the folds; and provenance.json — the store, its fold counts, code revisions, backends and sweeps,
 * and the options the tables were built with. Reads the store once; loads no plugin.
 */
export function reportBundle(
  store: ReadStore,
  o: ReportOptions = {},
  meta: { generatedAt?: Date; storeLabel?: string } = {},
): BundleFile[] {
  const facts = readFacts(store, o);
  const files: BundleFile[] = [];
  const kinds: { kind: TableKind; tables: number }[] = [];
  for (const kind of TABLE_KINDS) {
    const tables = reportFromFacts(kind, facts, o);
    kinds.push({ kind, tables: tables.length });
    if (tables.length === 0) continue;
    for (const [format, ext] of Object.entries(EXTENSIONS) as [ReportFormat, string][])
      files.push({ path: `${kind}.${ext}`, content: formatReport(kind, tables, format) });
  }
  const included = kinds.filter((k) => k.tables > 0).map((k) => k.kind);
  files.push({
    path: BUNDLE_DOCUMENT,
    content: latexDocument(
      included.map((k) => `\\input{${k}.tex}\n\\clearpage`).join('\n'),
      'CMCRD report tables',
    ),
  });
  const sweeps = store.listSweeps();
  const sweepFiles = sweeps.map((s) => ({ s, path: `sweeps/${s.id}-${slug(s.name)}.yaml` }));
  for (const { s, path } of sweepFiles)
    files.push({ path, content: s.spec.endsWith('\n') ? s.spec : `${s.spec}\n` });
  const byRevision = store.db
    .select({ revision: folds.codeRevision, backend: folds.backend, status: folds.status, folds: count() })
    .from(folds)
    .groupBy(folds.codeRevision, folds.backend, folds.status)
    .all();
  const tally = (key: 'revision' | 'backend') => {
    const out: Record<string, { done: number; failed: number }> = {};
    for (const r of byRevision) {
      const k = key === 'revision' ? r.revision || 'unrecorded' : r.backend;
      out[k] ??= { done: 0, failed: 0 };
      out[k][r.status] += r.folds;
    }
    return out;
  };
  const provenance = {
    generator: 'cmcrd report all',
    generatedAt: (meta.generatedAt ?? new Date()).toISOString(),
    options: o,
    stores: [
      {
        path: meta.storeLabel ?? store.path,
        folds: store.statusCounts(),
        revisions: tally('revision'),
        backends: tally('backend'),
      },
    ],
    tables: kinds,
    document: BUNDLE_DOCUMENT,
    sweeps: sweepFiles.map(({ s, path }) => ({
      id: s.id,
      name: s.name,
      file: s.file,
      specHash: s.specHash,
      options: JSON.parse(s.options) as unknown,
      status: s.status,
      folds: s.folds,
      failed: s.failed,
      createdAt: s.createdAt,
      finishedAt: s.finishedAt,
      copy: path,
    })),
  };
  files.push({ path: 'provenance.json', content: `${JSON.stringify(provenance, null, 2)}\n` });
  return files;
}
