import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { cachePath } from '../data-dir.js';
import { writeCacheFile } from './cache-file.js';
import { UnknownDatasetError } from '../errors.js';
import type { Importer, ImportOptions, ImportProgress } from './importer.js';
import { importSeed } from './seed.js';
import { importSeedIv } from './seed-iv.js';
import { importSeedV } from './seed-v.js';

export const IMPORTABLE_DATASETS = ['seed', 'seed-iv', 'seed-v'] as const;
export type ImportableDataset = (typeof IMPORTABLE_DATASETS)[number];

const IMPORTERS: Record<ImportableDataset, Importer> = { seed: importSeed, 'seed-iv': importSeedIv, 'seed-v': importSeedV };

export interface ImportSummary {
  name: ImportableDataset;
  cache: string;
  bytes: number;
  windows: number;
  subjects: number[];
  emSubjects: number[];
  seconds: number;
}

export function isImportable(name: string): name is ImportableDataset {
  return (IMPORTABLE_DATASETS as readonly string[]).includes(name);
}

/**
 * Reads an official release from `folder`, checks every file, and only then writes the cache
 * (atomically). Any problem in the files is an ImportError naming the file and variable, and
 * leaves the existing cache, if any, untouched.
 */
export function importDataset(
  name: string,
  folder: string,
  options: ImportOptions = {},
  progress?: ImportProgress,
): ImportSummary {
  if (!isImportable(name)) {
    throw new UnknownDatasetError(`cannot import ${JSON.stringify(name)}: known releases are ${IMPORTABLE_DATASETS.join(', ')}`);
  }
  const started = performance.now();
  const source = resolve(folder);
  const imported = IMPORTERS[name](source, { eye: options.eye && resolve(options.eye) }, progress);
  const path = cachePath(name);
  mkdirSync(dirname(path), { recursive: true });
  const bytes = writeCacheFile(path, imported.table, {
    dataset: name,
    source,
    importedAt: new Date().toISOString(),
    emSubjects: imported.emSubjects,
    sessions: imported.sessions,
  });
  return {
    name,
    cache: path,
    bytes,
    windows: imported.table.n,
    subjects: [...new Set(imported.table.subject)].sort((a, b) => a - b),
    emSubjects: imported.emSubjects,
    seconds: (performance.now() - started) / 1000,
  };
}
