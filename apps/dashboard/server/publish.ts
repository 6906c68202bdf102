import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { StoreReader, slimStoreCopy } from '@cmcrd/store';
import { UserError } from '@cmcrd/data/user-error';
import { build } from 'esbuild';
import { DASHBOARD_DIR, ensureBuilt } from './serve.js';

/** `cmcrd publish` refused: the folder or the store. Exit 2, nothing written. */
export class PublishError extends UserError {
  override name = 'PublishError';
}

export interface PublishOptions {
  db: string;
  out: string;
  /** Only these experiments' folds (sweep names); all folds when empty. */
  experiments?: string[];
  withModels?: boolean;
  withEmbeddings?: boolean;
  log?: (s: string) => void;
}

/** What the site's loader reads first (cmcrd-site/site.json). */
export interface SiteManifest {
  /** The store's file name, as the pages show it and `cmcrd report --db` takes it once unpacked. */
  file: string;
  /** The gzip of the store, beside this manifest. */
  gz: string;
  bytes: number;
  sha256: string;
  version: string;
  publishedAt: string;
  experiments: string[] | null;
  withModels: boolean;
  withEmbeddings: boolean;
}

export interface PublishSummary {
  out: string;
  files: number;
  bytes: number;
  storeBytes: number;
  storeGzBytes: number;
  folds: number;
  epochs: number;
  embeddings: number;
  models: number;
  sweeps: number;
}

const SITE = 'cmcrd-site';
const here = dirname(fileURLToPath(import.meta.url));
/** The page's loader (sql.js, the store, the API in the page), bundled when publishing. */
const PAGE_ENTRY = resolve(here, '..', 'publish', 'page-entry.ts');
const NO_TEST_SPLIT = resolve(here, '..', 'publish', 'no-test-split.ts');

/**
 * Writes a folder any static host serves as it is: the dashboard's pages, a slimmed copy of the
 * store (gzip), SQLite compiled to WebAssembly, and the API's read routes bundled for the page, so
 * that the reviewer's browser computes every number from the fold rows. Written beside `out` and
 * renamed into place at the end: a refusal or a failure leaves nothing behind.
 */
export async function publishSite(o: PublishOptions): Promise<PublishSummary> {
  const log = o.log ?? ((s: string) => process.stderr.write(s));
  const out = resolve(o.out);
  checkOut(out);
  const source = resolve(o.db);
  const reader = StoreReader.openIfExists(source);
  if (!reader) throw new PublishError(`${source}: no store there (give one with --db)`, { file: source });
  reader.close();

  ensureBuilt(log);
  const work = `${out}.partial-${process.pid}`;
  rmSync(work, { recursive: true, force: true });
  try {
    mkdirSync(join(work, SITE), { recursive: true });
    const storeFile = join(work, SITE, basename(source));
    const counts = slimStoreCopy(source, storeFile, {
      experiments: o.experiments ?? [],
      artifactKinds: [...(o.withEmbeddings ? (['tsne'] as const) : []), ...(o.withModels ? (['model'] as const) : [])],
    });
    const bytes = readFileSync(storeFile);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const gz = `${basename(source)}.gz`;
    writeFileSync(join(work, SITE, gz), gzipSync(bytes, { level: 9 }));
    rmSync(storeFile);

    // The dashboard's static export, with the loader first in every page's head.
    cpSync(DASHBOARD_DIR, work, { recursive: true });
    for (const html of walk(work).filter((f) => f.endsWith('.html'))) {
      const text = readFileSync(html, 'utf8');
      writeFileSync(html, text.replace('<head>', `<head><script src="/${SITE}/page.js"></script>`));
    }
    await build({
      entryPoints: [PAGE_ENTRY],
      bundle: true,
      minify: true,
      format: 'iife',
      platform: 'browser',
      target: 'es2022',
      conditions: ['@cmcrd/source'],
      // sql.js reaches for these only when it runs in Node; the datasets stay out of a site.
      external: ['fs', 'path', 'crypto'],
      alias: { '@cmcrd/reports/test-split': NO_TEST_SPLIT },
      outfile: join(work, SITE, 'page.js'),
      logLevel: 'error',
      legalComments: 'none',
    });
    const require = createRequire(import.meta.url);
    cpSync(join(dirname(require.resolve('sql.js')), 'sql-wasm.wasm'), join(work, SITE, 'sql-wasm.wasm'));
    const manifest: SiteManifest = {
      file: basename(source),
      gz,
      bytes: bytes.length,
      sha256,
      version: JSON.parse(readFileSync(join(here, '..', 'package.json'), 'utf8')).version,
      publishedAt: new Date().toISOString(),
      experiments: o.experiments?.length ? o.experiments : null,
      withModels: o.withModels === true,
      withEmbeddings: o.withEmbeddings === true,
    };
    writeFileSync(join(work, SITE, 'site.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    // Only now, the folder: created, or an empty one replaced.
    if (existsSync(out)) rmSync(out, { recursive: true });
    renameSync(work, out);
    const files = walk(out);
    return {
      out,
      files: files.length,
      bytes: files.reduce((s, f) => s + statSync(f).size, 0),
      storeBytes: bytes.length,
      storeGzBytes: statSync(join(out, SITE, gz)).size,
      ...counts,
    };
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  }
}

/** `out` must be new, or an empty folder that is not a symlink. */
function checkOut(out: string): void {
  let st: ReturnType<typeof lstatSync>;
  try {
    st = lstatSync(out);
  } catch {
    if (!existsSync(dirname(out))) throw new PublishError(`--out ${out}: its folder ${dirname(out)} does not exist`, { file: out });
    return;
  }
  if (st.isSymbolicLink()) throw new PublishError(`--out ${out} is a symlink: give a new folder, or an empty one`, { file: out });
  if (!st.isDirectory()) throw new PublishError(`--out ${out} is a file: give a new folder, or an empty one`, { file: out });
  const entries = readdirSync(out);
  if (entries.length > 0) {
    throw new PublishError(`--out ${out} is not empty (${entries.length} entries, e.g. ${entries.slice(0, 3).join(', ')}): give a new folder, or an empty one; nothing was written`, { file: out });
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

