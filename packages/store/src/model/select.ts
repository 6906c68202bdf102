// Which stored model `cmcrd export` and the API mean: a fold by id, or the one fold of a cell.
import { and, eq, inArray } from 'drizzle-orm';
import { artifacts } from '../schema.js';
import type { ReadStore } from '../read-store.js';
import { StoreError } from '../errors.js';
import type { ModelArtifact } from './artifact.js';

/** A malformed --cell filter. */
export class CellFilterError extends StoreError {
  override name = 'CellFilterError';
}

export class ModelNotFoundError extends StoreError {
  override name = 'ModelNotFoundError';
}

/** The stored model of fold `id`, or a ModelNotFoundError saying why there is none. */
export function storedModel(store: ReadStore, id: number): { fold: { id: number }; artifact: ModelArtifact } {
  const fold = store.getFold(id);
  if (!fold) throw new ModelNotFoundError(`no fold ${id} in ${store.path}`);
  if (fold.status !== 'done') throw new ModelNotFoundError(`fold ${id} failed (${fold.error ?? 'no error recorded'}): it has no model`);
  const artifact = store.artifactOf(id, 'model');
  if (!artifact) {
    if (fold.testModality === 'eeg+em') {
      throw new ModelNotFoundError(`fold ${id} is a fusion fold: it has no single model (export its eeg-only and em-only folds)`);
    }
    throw new ModelNotFoundError(
      `fold ${id} (${fold.dataset} ${fold.foldKey} ${fold.method} ${fold.backbone}) was stored without its model: run it again with --keep-models (on by default for cmcrd run and the demo) into a new store`,
    );
  }
  return { fold: { id }, artifact };
}

/** The cell filters `--cell` takes, as key=value pairs separated by commas. */
export const CELL_KEYS = ['dataset', 'protocol', 'backbone', 'method', 'direction', 'seed'] as const;

export function parseCell(text: string): Partial<Record<(typeof CELL_KEYS)[number], string>> {
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const i = pair.indexOf('=');
    const key = pair.slice(0, i);
    if (i <= 0 || !(CELL_KEYS as readonly string[]).includes(key)) {
      throw new CellFilterError(`--cell: '${pair}' is not key=value with a key among ${CELL_KEYS.join(', ')}`);
    }
    out[key] = pair.slice(i + 1);
  }
  if (Object.keys(out).length === 0) throw new CellFilterError(`--cell: no filters (e.g. --cell dataset=synthetic-seed-iv,method=cmcrd,backbone=dnn)`);
  return out;
}

/**
 * The one done fold of the cell (and fold key) that has a stored model. Several → an error listing
 * them: choosing among folds by their test accuracy would be selecting on the test set.
 */
export function cellModelFold(store: ReadStore, cell: ReturnType<typeof parseCell>, foldKey?: string): number {
  if (cell.seed !== undefined && !/^\d+$/.test(cell.seed)) throw new CellFilterError(`--cell: seed must be an integer, got '${cell.seed}'`);
  const rows = store
    .listFolds({ ...cell, seed: cell.seed === undefined ? undefined : Number(cell.seed), status: 'done' })
    .filter((r) => foldKey === undefined || r.foldKey === foldKey);
  const stored = new Set(
    rows.length === 0
      ? []
      : store.db
          .select({ id: artifacts.foldId })
          .from(artifacts)
          .where(and(eq(artifacts.kind, 'model'), inArray(artifacts.foldId, rows.map((r) => r.id))))
          .all()
          .map((a) => a.id),
  );
  const withModel = rows.filter((r) => stored.has(r.id));
  const what = `${Object.entries(cell).map(([k, v]) => `${k}=${v}`).join(',')}${foldKey ? ` fold key ${foldKey}` : ''}`;
  if (withModel.length === 1) return withModel[0].id;
  if (withModel.length === 0) {
    throw new ModelNotFoundError(
      rows.length === 0 ? `no done fold matches ${what} in ${store.path}` : `${rows.length} fold(s) match ${what}, none stored with its model (run with --keep-models)`,
    );
  }
  const list = withModel
    .slice(0, 20)
    .map((r) => `  --fold ${r.id}: ${r.dataset} ${r.protocol} ${r.foldKey} ${r.method} ${r.backbone} ${r.direction} seed ${r.seed}`)
    .join('\n');
  throw new ModelNotFoundError(`${withModel.length} folds with a stored model match ${what}; choose one with --fold-key or --fold:\n${list}${withModel.length > 20 ? '\n  …' : ''}`);
}
