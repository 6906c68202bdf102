import { sql } from 'drizzle-orm';
import type { ReadStore } from './read-store.js';

/**
 * One line of the dashboard's run list: a sweep (the demo is one too) or a run outside any sweep
 * (`cmcrd run`: the folds of one configuration and seed), with what a tracker shows.
 */
export interface RunListItem {
  kind: 'sweep' | 'run';
  /** The sweep's id, or the run's key (dataset, protocol, backbone, method, direction, seed). */
  id: string;
  name: string;
  status: 'running' | 'finished' | 'cancelled' | 'stopped';
  /** Folds asked for (a sweep's), or stored (a run's). */
  folds: number;
  done: number;
  failed: number;
  backends: string[];
  startedAt: string;
  /** When the sweep finished, or its last fold did; null while running. */
  finishedAt: string | null;
}

/** One cell: every fold of (dataset, protocol, backbone, method, direction, options), all seeds. */
export interface CellSummary {
  dataset: string;
  synthetic: boolean;
  protocol: string;
  backbone: string;
  method: string;
  direction: string;
  /** The options and training settings (folds.variant); '' for a method's defaults. */
  variant: string;
  seeds: number;
  /** Distinct folds (subjects) with a finished run. */
  folds: number;
  failed: number;
  /** Mean over the finished fold runs, every seed and fold weighing the same. */
  meanAccuracy: number | null;
}

const list = (s: string | null) => (s ? s.split(',').filter(Boolean).sort() : []);

/** Every sweep and every run outside a sweep, newest first, counted in SQL. */
export function runList(store: ReadStore): RunListItem[] {
  const sweeps = store.listSweeps();
  const perSweep = new Map(
    store.db
      .all<Record<string, unknown>>(
        sql`SELECT sweep_id AS id, sum(status = 'done') AS done, sum(status = 'failed') AS failed, group_concat(DISTINCT backend) AS backends
              FROM folds WHERE sweep_id IS NOT NULL GROUP BY sweep_id`,
      )
      .map((r) => [Number(r.id), r]),
  );
  const items: RunListItem[] = sweeps.map((s) => {
    const r = perSweep.get(s.id);
    return {
      kind: 'sweep',
      id: String(s.id),
      name: s.name,
      status: s.status,
      folds: s.folds,
      done: Number(r?.done ?? 0),
      failed: Number(r?.failed ?? 0),
      backends: list((r?.backends as string | null | undefined) ?? null),
      startedAt: s.createdAt,
      finishedAt: s.finishedAt,
    };
  });
  const runs = store.db.all<Record<string, unknown>>(
    sql`SELECT dataset, protocol, backbone, method, direction, seed, sum(status = 'done') AS done, sum(status = 'failed') AS failed,
               group_concat(DISTINCT backend) AS backends, min(started_at) AS started, max(finished_at) AS finished
          FROM folds WHERE sweep_id IS NULL
         GROUP BY dataset, protocol, backbone, method, direction, variant, seed`,
  );
  for (const r of runs) {
    const done = Number(r.done);
    const failed = Number(r.failed);
    const direction = r.direction === 'none' ? '' : ` ${r.direction}`;
    items.push({
      kind: 'run',
      id: [r.dataset, r.protocol, r.backbone, r.method, r.direction, r.seed].join('/'),
      name: `${r.method}${direction} · ${r.dataset} · ${r.protocol} · ${r.backbone} · seed ${r.seed}`,
      status: 'finished',
      folds: done + failed,
      done,
      failed,
      backends: list(r.backends as string | null),
      startedAt: String(r.started),
      finishedAt: String(r.finished),
    });
  }
  return items.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
}

/** Every cell in the store, grouped in SQL. */
export function cellSummaries(store: ReadStore): CellSummary[] {
  const rows = store.db.all<Record<string, unknown>>(
    sql`SELECT dataset, max(synthetic) AS synthetic, protocol, backbone, method, direction, variant,
               count(DISTINCT CASE WHEN status = 'done' THEN seed END) AS seeds,
               count(DISTINCT CASE WHEN status = 'done' THEN fold_key END) AS folds,
               sum(status = 'failed') AS failed,
               avg(CASE WHEN status = 'done' THEN accuracy END) AS mean
          FROM folds
         GROUP BY dataset, protocol, backbone, method, direction, variant
         ORDER BY dataset, protocol, backbone, method, direction, variant`,
  );
  return rows.map((r) => ({
    dataset: String(r.dataset),
    synthetic: Number(r.synthetic) === 1,
    protocol: String(r.protocol),
    backbone: String(r.backbone),
    method: String(r.method),
    direction: String(r.direction),
    variant: String(r.variant),
    seeds: Number(r.seeds),
    folds: Number(r.folds),
    failed: Number(r.failed),
    meanAccuracy: r.mean === null ? null : Number(r.mean),
  }));
}
