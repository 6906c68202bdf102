import Database from 'better-sqlite3';
import { StoreError } from './errors.js';
import type { ArtifactKind } from './schema.js';
import { Store } from './store.js';

export interface SlimCopyOptions {
  /** Only the folds of these experiments (sweep names); every fold when empty. */
  experiments: readonly string[];
  /** Which artifacts go along (t-SNE embeddings, kept models); none when empty. */
  artifactKinds: readonly ArtifactKind[];
}

export interface SlimCopyCounts {
  folds: number;
  epochs: number;
  embeddings: number;
  models: number;
  sweeps: number;
}

/**
 * A new store at `target` holding what a published site reads of `source`: the chosen experiments'
 * folds, their epochs, the sweep rows they point at, and the asked-for artifacts. No teachers,
 * claims or step times. Written with this code's schema (migrated, application_id set), in one
 * transaction, then vacuumed into one self-contained file (journal mode DELETE).
 */
export function slimStoreCopy(source: string, target: string, o: SlimCopyOptions): SlimCopyCounts {
  Store.open(target).close();
  const db = new Database(target);
  try {
    db.prepare('ATTACH DATABASE ? AS src').run(source);
    const names = [...o.experiments];
    if (names.length) {
      const known = new Set(db.prepare('SELECT name FROM src.sweeps').pluck().all() as string[]);
      const missing = names.filter((n) => !known.has(n));
      if (missing.length) {
        throw new StoreError(
          `--experiment: no experiment named ${missing.map((n) => `'${n}'`).join(', ')} in ${source} (known: ${[...known].sort().join(', ') || 'none'})`,
          { parameter: '--experiment' },
        );
      }
    }
    const where = names.length ? `WHERE sweep_id IN (SELECT id FROM src.sweeps WHERE name IN (${names.map(() => '?').join(',')}))` : '';
    const kinds = [...o.artifactKinds];
    db.transaction(() => {
      // Same schema on both sides (the source was migrated when it was written by this code): columns by position.
      // The sweep rows first: the folds point at them (a foreign key).
      db.prepare(`INSERT INTO main.sweeps SELECT * FROM src.sweeps WHERE id IN (SELECT DISTINCT sweep_id FROM src.folds ${where})`).run(...names);
      db.prepare(`INSERT INTO main.folds SELECT * FROM src.folds ${where}`).run(...names);
      db.prepare('INSERT INTO main.epochs SELECT * FROM src.epochs WHERE fold_id IN (SELECT id FROM main.folds)').run();
      if (kinds.length) {
        db.prepare(
          `INSERT INTO main.artifacts SELECT * FROM src.artifacts WHERE fold_id IN (SELECT id FROM main.folds) AND kind IN (${kinds.map(() => '?').join(',')})`,
        ).run(...kinds);
      }
    })();
    db.prepare('DETACH DATABASE src').run();
    const n = (sql: string) => db.prepare(sql).pluck().get() as number;
    const counts = {
      folds: n('SELECT count(*) FROM folds'),
      epochs: n('SELECT count(*) FROM epochs'),
      embeddings: n("SELECT count(*) FROM artifacts WHERE kind = 'tsne'"),
      models: n("SELECT count(*) FROM artifacts WHERE kind = 'model'"),
      sweeps: n('SELECT count(*) FROM sweeps'),
    };
    db.pragma('journal_mode = DELETE');
    db.exec('VACUUM');
    return counts;
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw new StoreError(`${source}: cannot copy it for the site: ${(e as Error).message}`, { file: source });
  } finally {
    db.close();
  }
}
