// `cmcrd runs` and `cmcrd folds`: what a store holds, as terminal tables or JSON. Read commands: the
// store must exist (nothing is created), and nothing here loads TensorFlow.js, the queue or a plugin
// (apps/cli/test/read-closure.test.ts).
import { boxTable, variantNamer } from '@cmcrd/reports';
import {
  CellFilterError,
  DEFAULT_DB,
  type FoldFilter,
  type FoldQuery,
  type FoldSummaryRow,
  type RunRow,
  Store,
  decodeVariant,
  parseCell,
  runIdOf,
  userPath,
} from '@cmcrd/store';
import { cutDirection, unknownDirectionMessage } from './directions.js';
import { ConfigError } from './errors.js';

export const LIST_FORMATS = ['text', 'json'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number];

/** The store's run filters (less the fold status, which a run does not have), the store and the format. */
export interface RunsOptions extends Omit<FoldFilter, 'status'> {
  db: string;
  format: ListFormat;
}

export interface FoldsOptions {
  db: string;
  run?: string;
  cell?: string;
  foldKey?: string;
  status?: 'done' | 'failed';
  limit: number;
  offset: number;
  format: ListFormat;
}

type Out = (s: string) => void;
const stdout: Out = (s) => process.stdout.write(s);

/** A direction the shell cut at '>' (unquoted `em->eeg`) matches nothing: refuse it, saying how to quote it. */
function refuseCutDirection(value: string | undefined, quoted: (whole: string) => string): void {
  if (value !== undefined && cutDirection(value)) throw new ConfigError(unknownDirectionMessage(value, quoted));
}

/** `--db X` when X is not the default store, for the hints the commands print. */
const dbArg = (db: string) => (db === DEFAULT_DB ? '' : ` --db ${db}`);
const percent = (x: number | null) => (x === null ? '—' : (100 * x).toFixed(2));
const seconds = (ms: number | null, digits: number) => (ms === null ? '—' : (ms / 1000).toFixed(digits));
/** An ISO timestamp (UTC) to the second, as the tables show it. */
const when = (iso: string | null) => (iso === null ? '—' : /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/.test(iso) ? iso.slice(0, 19).replace('T', ' ') : iso);
const methodText = (method: string, direction: string) => (direction === 'none' ? method : `${method} ${direction}`);
const pairs = (o: Record<string, unknown>) =>
  Object.entries(o)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');

// ---------------------------------------------------------------- runs

/** A run as `cmcrd runs --format json` prints it (the API's /api/runs names, with the short variant and first fold). */
export function runJson(r: RunRow, variant: string) {
  const v = decodeVariant(r.variant);
  return {
    id: runIdOf(r),
    dataset: r.dataset,
    dataRevision: r.dataRevision,
    synthetic: r.synthetic,
    protocol: r.protocol,
    protocolOptions: JSON.parse(r.protocolOptions) as Record<string, unknown>,
    backbone: r.backbone,
    method: r.method,
    direction: r.direction,
    // What sets this run apart from the others of its method listed with it ('' when nothing).
    variant,
    options: v.options,
    training: { student: v.student, teacherEpochs: v.teacherEpochs, module: v.module },
    seed: r.seed,
    done: r.done,
    failed: r.failed,
    meanAccuracy: r.meanAccuracy,
    firstFoldId: r.firstFoldId,
    lastFinishedAt: r.lastFinishedAt,
    experiments: r.sweepIds,
  };
}

/**
 * What tells runs apart beyond their columns: the settings that vary between runs of one method on
 * one dataset and protocol (as the report's rows are named: options at the plugin's default left
 * out), the protocol options that vary between runs of a protocol, the data revision where a
 * dataset has several.
 */
function runLabels(runs: readonly RunRow[]): { variant: (r: RunRow) => string; dataset: (r: RunRow) => string; protocol: (r: RunRow) => string } {
  const named = variantNamer(runs, (r) => `${r.dataset}\u0000${r.protocol}`);
  const revisions = new Map<string, Set<string>>();
  for (const r of runs) revisions.set(r.dataset, (revisions.get(r.dataset) ?? new Set()).add(r.dataRevision));
  const byProtocol = new Map<string, Record<string, unknown>[]>();
  for (const text of new Set(runs.map((r) => `${r.protocol}\u0000${r.protocolOptions}`))) {
    const [protocol, options] = text.split('\u0000');
    byProtocol.set(protocol, [...(byProtocol.get(protocol) ?? []), JSON.parse(options) as Record<string, unknown>]);
  }
  const varyingKeys = new Map(
    [...byProtocol].map(([protocol, list]) => {
      const keys = new Set(list.flatMap((o) => Object.keys(o)));
      return [protocol, [...keys].filter((k) => new Set(list.map((o) => JSON.stringify(o[k] ?? null))).size > 1).sort()];
    }),
  );
  return {
    variant: (r) => pairs(named(r).settings),
    dataset: (r) => ((revisions.get(r.dataset)?.size ?? 0) > 1 ? `${r.dataset}@${r.dataRevision.slice(0, 8)}` : r.dataset),
    protocol: (r) => {
      const keys = varyingKeys.get(r.protocol) ?? [];
      if (keys.length === 0) return r.protocol;
      const options = JSON.parse(r.protocolOptions) as Record<string, unknown>;
      return `${r.protocol} (${pairs(Object.fromEntries(keys.map((k) => [k, options[k] ?? null])))})`;
    },
  };
}

/** `cmcrd runs`: one row per run (the folds of one configuration and seed), oldest first. */
export function cmdRuns(o: RunsOptions, out: Out = stdout): number {
  refuseCutDirection(o.direction, (whole) => `--direction '${whole}'`);
  const store = Store.openExisting(userPath(o.db));
  try {
    const runs = store.listRuns({ dataset: o.dataset, protocol: o.protocol, backbone: o.backbone, method: o.method, direction: o.direction, seed: o.seed });
    const labels = runLabels(runs);
    if (o.format === 'json') {
      out(`${JSON.stringify(runs.map((r) => runJson(r, labels.variant(r))), null, 2)}\n`);
      return 0;
    }
    if (runs.length === 0) {
      out(`no run in ${store.path} matches${store.countFolds() === 0 ? ' (the store holds no folds yet)' : ''}\n`);
      return 0;
    }
    const head = ['run', 'dataset', 'protocol', 'backbone', 'method', 'variant', 'seed', 'done', 'failed', 'mean acc. %', 'last finished (UTC)'];
    const rows = runs.map((r) => [
      runIdOf(r),
      labels.dataset(r),
      labels.protocol(r),
      r.backbone,
      methodText(r.method, r.direction),
      labels.variant(r),
      String(r.seed),
      String(r.done),
      String(r.failed),
      percent(r.meanAccuracy),
      when(r.lastFinishedAt),
    ]);
    const done = runs.reduce((n, r) => n + r.done, 0);
    const failed = runs.reduce((n, r) => n + r.failed, 0);
    out(`${boxTable([head, ...rows], { rules: 'head' })}\n`);
    out(
      `${runs.length} run(s), ${done} done and ${failed} failed fold(s), in ${store.path}; mean acc.: over the done folds. A run's folds: cmcrd folds --run <id>${dbArg(o.db)}\n`,
    );
    return 0;
  } finally {
    store.close();
  }
}

// ---------------------------------------------------------------- folds

/** A fold as `cmcrd folds --format json` prints it (named as in the API's /api/folds), with its run's id. */
export function foldJson(r: FoldSummaryRow) {
  return {
    id: r.id,
    run: runIdOf(r),
    dataset: r.dataset,
    synthetic: r.synthetic,
    protocol: r.protocol,
    foldKey: r.foldKey,
    method: r.method,
    direction: r.direction,
    backbone: r.backbone,
    seed: r.seed,
    options: JSON.parse(r.options) as Record<string, unknown>,
    status: r.status,
    accuracy: r.accuracy,
    balancedAccuracy: r.balancedAccuracy,
    trainMs: r.trainMs,
    testMs: r.testMs,
    teacherMs: r.teacherMs,
    epochs: r.epochs,
    selectedEpoch: r.selectedEpoch,
    backend: r.backend,
    error: r.error,
    experiment: r.sweepId,
    startedAt: r.startedAt,
    finishedAt: r.finishedAt,
  };
}

/** The run `id` names (its full id, or a prefix of 4 or more hex digits that only it has). */
function findRun(runs: readonly RunRow[], id: string, o: FoldsOptions, path: string): RunRow {
  if (!/^[0-9a-f]{4,16}$/i.test(id)) {
    throw new ConfigError(`--run takes a run id as \`cmcrd runs\` shows it (16 hex digits, or a prefix of 4 or more), got '${id}'`);
  }
  const wanted = id.toLowerCase();
  const matches = runs.filter((r) => runIdOf(r).startsWith(wanted));
  if (matches.length === 0) throw new ConfigError(`no run ${id} in ${path}; \`cmcrd runs${dbArg(o.db)}\` lists its runs`);
  if (matches.length > 1) {
    const ids = matches.slice(0, 5).map(runIdOf).join(', ');
    throw new ConfigError(`--run ${id} is the start of ${matches.length} run ids (${ids}${matches.length > 5 ? ', …' : ''}): give more of it`);
  }
  return matches[0];
}

/** `cmcrd folds`: one page of folds (oldest first) and how many match. */
export function cmdFolds(o: FoldsOptions, out: Out = stdout): number {
  // The arguments are checked before the store is opened.
  const cell = o.cell === undefined ? {} : parseCell(o.cell);
  if (cell.seed !== undefined && !/^\d+$/.test(cell.seed)) throw new CellFilterError(`--cell: seed must be an integer, got '${cell.seed}'`);
  refuseCutDirection(cell.direction, (whole) => `--cell '…,direction=${whole}'`);
  const store = Store.openExisting(userPath(o.db));
  try {
    const query: FoldQuery = {
      ...cell,
      seed: cell.seed === undefined ? undefined : Number(cell.seed),
      status: o.status,
      foldKey: o.foldKey,
      ids: o.run === undefined ? undefined : store.runFoldIds(findRun(store.listRuns(), o.run, o, store.path)),
    };
    const { rows, total } = store.pageFolds(query, { limit: o.limit, offset: o.offset });
    const nextOffset = o.offset + rows.length < total ? o.offset + o.limit : null;
    if (o.format === 'json') {
      out(`${JSON.stringify({ items: rows.map(foldJson), total, limit: o.limit, offset: o.offset, nextOffset }, null, 2)}\n`);
      return 0;
    }
    if (total === 0) {
      out(`no fold in ${store.path} matches${store.countFolds() === 0 ? ' (the store holds no folds yet)' : ''}\n`);
      return 0;
    }
    if (rows.length === 0) {
      out(`no folds from --offset ${o.offset}: ${total} match\n`);
      return 0;
    }
    const head = ['id', 'dataset', 'fold', 'method', 'direction', 'backbone', 'seed', 'status', 'acc. %', 'train s', 'test s', 'finished (UTC)'];
    const table = rows.map((r) => [
      String(r.id),
      r.dataset,
      r.foldKey,
      r.method,
      r.direction,
      r.backbone,
      String(r.seed),
      r.status,
      percent(r.accuracy),
      seconds(r.trainMs, 1),
      seconds(r.testMs, 2),
      when(r.finishedAt),
    ]);
    out(`${boxTable([head, ...table], { rules: 'head' })}\n`);
    for (const r of rows.filter((f) => f.status === 'failed')) {
      const error = (r.error ?? 'no error recorded').split('\n')[0];
      out(`  fold ${r.id} failed: ${error.length > 160 ? `${error.slice(0, 159)}…` : error}\n`);
    }
    const shown = `folds ${o.offset + 1}–${o.offset + rows.length} of ${total} that match, oldest first`;
    const next = nextOffset === null ? '' : `; the next ${Math.min(o.limit, total - nextOffset)}: --offset ${nextOffset}`;
    out(`${shown}${next}. A fold's model: cmcrd export --fold <id> --out <dir>${dbArg(o.db)}\n`);
    return 0;
  } finally {
    store.close();
  }
}
