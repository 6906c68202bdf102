import type { Dataset } from './dataset-types.js';
import { forgetImported, loadImported } from './imported.js';
import { datasetSpec, releaseSpec } from './spec.js';
import { generateSynthetic } from './synthetic.js';

export type { Dataset } from './dataset-types.js';

const cache = new Map<string, Dataset>();

function checkSeed(seed: unknown): number {
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) {
    throw new RangeError(`dataset seed must be a safe integer, got ${String(seed)}`);
  }
  return seed;
}

/**
 * Load a dataset by name. The synthetic presets are generated in memory, deterministically from the
 * seed (default 0), and cached per (name, seed): repeated calls return the same object. The
 * releases ('seed', 'seed-iv', 'seed-v') are read from their import cache (the seed is ignored).
 * Throws {@link UnknownDatasetError} for an unknown name.
 */
export function loadDataset(name: string, opts: { seed?: number } = {}): Dataset {
  const release = releaseSpec(name);
  if (release) return loadImported(name, release);
  const spec = datasetSpec(name);
  const seed = checkSeed(opts.seed ?? 0);
  const key = `${spec.name}\u0000${seed}`;
  let ds = cache.get(key);
  if (!ds) {
    ds = generateSynthetic(spec, seed);
    cache.set(key, ds);
  }
  return ds;
}

/** Drop cached datasets (all, or those of one name) to free memory. */
export function clearDatasetCache(name?: string): void {
  forgetImported(name);
  if (name === undefined) {
    cache.clear();
    return;
  }
  for (const key of [...cache.keys()]) if (key.startsWith(`${name}\u0000`)) cache.delete(key);
}
