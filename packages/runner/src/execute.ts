import { type ChildProcess, fork } from 'node:child_process';
import { requireBackend, selectBackend } from '@cmcrd/core';
import { ClaimBoard } from './claims.js';
import { FoldExecutor, type FoldOutcome, type FoldProgress, failedFoldRow } from './fold.js';
import type { FoldJob } from './jobs.js';
import type { Store } from '@cmcrd/store';
import { WorkSource } from './work-source.js';
import { siblingModule } from './child-process.js';

export type ExecEvent =
  | { type: 'start'; total: number; skipped: number; workers: number }
  | { type: 'skipped'; job: FoldJob }
  | { type: 'started'; worker: number; pid: number; job: FoldJob; attempt: number }
  | { type: 'progress'; worker: number; progress: FoldProgress }
  | {
      type: 'finished';
      worker: number;
      job: FoldJob;
      outcome: FoldOutcome;
      inserted: boolean;
      finished: number;
      failed: number;
      total: number;
    }
  | { type: 'retry'; worker: number; job: FoldJob; attempt: number; error: string }
  /** A pending fold another coordinator on the same store stored meanwhile. */
  | { type: 'elsewhere'; job: FoldJob }
  | { type: 'worker-lost'; worker: number; job: FoldJob | null; reason: string };

/** What the coordinator sends a worker process. */
export interface JobMessage {
  type: 'job';
  job: FoldJob;
  attempt: number;
  /** The stored teacher this job uses, unless the worker already has it. */
  teacher?: { key: string; weights: Uint8Array; accuracy: number; trainMs: number };
}

export type WorkerMessage =
  | { type: 'hello' }
  | { type: 'progress'; progress: FoldProgress }
  | { type: 'result'; job: FoldJob; outcome: FoldOutcome }
  | { type: 'job-error'; job: FoldJob; message: string };

export interface ExecuteOptions {
  /** 1 runs in this process; more start worker processes, each with its own tensor backend. */
  workers: number;
  backend?: string;
  /** How many more times a failed fold (an error, NaN, a dead worker) is started. Default 1. */
  retries?: number;
  /** Folds recorded here point at this sweep. */
  sweepId?: number;
  /** How long another coordinator's claim lives without a heartbeat (default claimTimeoutMs()). */
  claimTimeoutMs?: number;
  /**
   * Aborted (e.g. on SIGTERM from a scheduler): no new fold starts; folds in progress are abandoned,
   * not stored, and their worker processes stopped; every fold stored so far stays.
   */
  signal?: AbortSignal;
  onEvent?(e: ExecEvent): void;
}

export interface ExecuteSummary {
  /** Folds this coordinator ran to the end (done or failed for good). */
  finished: number;
  failed: number;
  /** Folds stored as done before it started. */
  skipped: number;
  /** Folds another coordinator on the same store ran while this one did (default 0). */
  elsewhere?: number;
  /** Folds in progress when the run was aborted (ExecuteOptions.signal): not stored, to run again. */
  abandoned?: number;
}

/** Jobs of one group (same split and teacher) in a row, groups in order. */
function groupsOf(jobs: FoldJob[]): FoldJob[][] {
  const groups = new Map<string, FoldJob[]>();
  for (const j of jobs) {
    const g = groups.get(j.groupKey);
    if (g) g.push(j);
    else groups.set(j.groupKey, [j]);
  }
  return [...groups.values()];
}

/**
 * How a coordinator (local or on a queue) stores one attempt's outcome: its new teacher, the fold
 * stamped with its attempt count and sweep, and whether the fold is to be started again. A failed
 * attempt is stored too (a crash before the retry ends still leaves a record); the next attempt
 * replaces it.
 */
export function recordAttempt(
  store: Store,
  outcome: FoldOutcome,
  attempts: number,
  o: { retries?: number; sweepId?: number },
): { outcome: FoldOutcome; inserted: boolean; retry: boolean } {
  if (outcome.newTeacher) store.putTeacher(outcome.newTeacher);
  const row = { ...outcome.row, attempts, sweepId: o.sweepId ?? null };
  const retry = row.status === 'failed' && !outcome.deterministic && attempts <= (o.retries ?? 1);
  const { inserted } = store.recordFold(row, outcome.epochs, outcome.artifacts);
  return { outcome: { ...outcome, row }, inserted, retry };
}

/**
 * The coordinator's bookkeeping, shared by the in-process and the worker-process paths: it is the
 * only writer to the store, one transaction per fold; it stores new teachers; it decides retries.
 */
class Ledger {
  finished = 0;
  failed = 0;
  private readonly attempts = new Map<string, number>();

  constructor(
    private readonly store: Store,
    private readonly o: ExecuteOptions,
    readonly total: number,
    private readonly board?: ClaimBoard,
  ) {}

  start(job: FoldJob): number {
    const n = (this.attempts.get(job.configHash) ?? 0) + 1;
    this.attempts.set(job.configHash, n);
    return n;
  }

  attemptsOf(job: FoldJob): number {
    return this.attempts.get(job.configHash) ?? 0;
  }

  private canRetry(job: FoldJob): boolean {
    return this.attemptsOf(job) <= (this.o.retries ?? 1);
  }

  /** Records an outcome; returns true when the fold should be started again. */
  settle(worker: number, job: FoldJob, outcome: FoldOutcome): boolean {
    const r = recordAttempt(this.store, outcome, this.attemptsOf(job), this.o);
    const row = r.outcome.row;
    if (r.retry) {
      this.o.onEvent?.({ type: 'retry', worker, job, attempt: this.attemptsOf(job), error: row.error ?? '' });
      return true;
    }
    // Stored for good: another coordinator may see it as settled.
    this.board?.release(job);
    this.finished++;
    if (row.status === 'failed') this.failed++;
    this.o.onEvent?.({ type: 'finished', worker, job, outcome: r.outcome, inserted: r.inserted, finished: this.finished, failed: this.failed, total: this.total });
    return false;
  }

  /** A fold whose worker died under it. */
  lost(worker: number, job: FoldJob, reason: string): boolean {
    if (this.canRetry(job)) {
      this.o.onEvent?.({ type: 'retry', worker, job, attempt: this.attemptsOf(job), error: reason });
      return true;
    }
    this.settle(worker, job, { row: failedFoldRow(job.config, job.foldKey, reason, this.attemptsOf(job)), epochs: [] });
    return false;
  }
}

/**
 * Runs fold jobs and writes each result to the store as it arrives (one transaction per fold).
 * Folds already stored as done are skipped, so running the same jobs again — after a crash of
 * anything, at any moment — runs exactly the missing ones.
 */
export async function executeJobs(jobs: FoldJob[], store: Store, o: ExecuteOptions): Promise<ExecuteSummary> {
  // A named backend that cannot load here stops everything before any fold is trained or stored.
  if (o.backend) await requireBackend(o.backend);
  const pending: FoldJob[] = [];
  let skipped = 0;
  for (const job of jobs) {
    if (store.findByHash(job.configHash)?.status === 'done') {
      skipped++;
      o.onEvent?.({ type: 'skipped', job });
    } else pending.push(job);
  }
  const groups = groupsOf(pending);
  const workers = Math.max(1, Math.min(o.workers, groups.length));
  o.onEvent?.({ type: 'start', total: pending.length, skipped, workers });
  // Each group is claimed in the store before it trains: coordinators sharing the store share the work.
  const board = new ClaimBoard(store, { sweepId: o.sweepId, timeoutMs: o.claimTimeoutMs });
  const source = new WorkSource(groups, board, (job) => o.onEvent?.({ type: 'elsewhere', job }));
  const ledger = new Ledger(store, o, pending.length, board);
  let abandoned = 0;
  try {
    if (pending.length > 0 && !o.signal?.aborted) {
      if (workers <= 1) abandoned = await runHere(source, store, ledger, board, o);
      else abandoned = await runInWorkers(source, store, ledger, o, workers);
    }
  } finally {
    board.close();
  }
  const elsewhere = source.settledElsewhere;
  return { finished: ledger.finished, failed: ledger.failed, skipped, ...(elsewhere ? { elsewhere } : {}), ...(abandoned ? { abandoned } : {}) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Thrown from a fold's progress callback once the run is aborted: the fold stops at its next epoch. */
class Abandoned extends Error {}

/** Runs the folds in this process; returns how many were abandoned (0 or 1). */
async function runHere(source: WorkSource, store: Store, ledger: Ledger, board: ClaimBoard, o: ExecuteOptions): Promise<number> {
  await selectBackend(o.backend);
  const executor = new FoldExecutor({ lookup: (key) => store.getTeacher(key) });
  try {
    for (let group = o.signal?.aborted ? null : source.next(); group !== null; group = o.signal?.aborted ? null : source.next()) {
      if (group === 'wait') {
        await sleep(source.pollMs);
        continue;
      }
      for (const job of group) {
        let again = true;
        while (again) {
          const attempt = ledger.start(job);
          board.beat(true);
          o.onEvent?.({ type: 'started', worker: 0, pid: process.pid, job, attempt });
          // The fold holds this event loop between its awaits: the claims are renewed between its epochs.
          const outcome = await executor.run(
            job.config,
            job.foldKey,
            (p) => {
              // The fold's error path turns this into a failed outcome, which is dropped below.
              if (o.signal?.aborted) throw new Abandoned('abandoned');
              board.beat();
              o.onEvent?.({ type: 'progress', worker: 0, progress: p });
            },
            { embeddings: job.embeddings === true, keepModels: job.keepModels === true },
          );
          if (o.signal?.aborted && outcome.row.status !== 'done') {
            // Abandoned mid-fold: nothing of the fold is stored but a teacher it finished training.
            if (outcome.newTeacher) store.putTeacher(outcome.newTeacher);
            return 1;
          }
          again = ledger.settle(0, job, outcome);
        }
      }
    }
    return 0;
  } finally {
    executor.dispose();
  }
}

interface WorkerSlot {
  id: number;
  child: ChildProcess;
  queue: FoldJob[];
  current: FoldJob | null;
  /** Teachers this worker holds already (sent or trained), so they are not sent again. */
  teachers: Set<string>;
  stopping: boolean;
  /** Set while it waits for folds another coordinator holds. */
  waiting?: NodeJS.Timeout;
}

/** Runs the folds in `count` worker processes; resolves with how many were abandoned. */
function runInWorkers(source: WorkSource, store: Store, ledger: Ledger, o: ExecuteOptions, count: number): Promise<number> {
  const { file: workerFile, execArgv } = siblingModule(import.meta.url, 'worker');
  let nextId = 0;
  let live = 0;
  // Workers that die before taking any fold (a broken install, a backend that cannot load)
  // would be respawned forever.
  let deadOnArrival = 0;

  return new Promise<number>((resolveAll, rejectAll) => {
    const stopAll = () => {
      for (const w of slots) {
        clearTimeout(w.waiting);
        w.stopping = true;
        w.child.kill('SIGKILL');
      }
    };
    const fail = (e: unknown) => {
      stopAll();
      rejectAll(e);
    };
    const slots: WorkerSlot[] = [];
    // Aborted: the folds in progress are dropped with their workers (a fold's result is stored in
    // one transaction, so none is half-written); what was stored before stays.
    const abort = () => {
      const abandoned = slots.filter((w) => !w.stopping && w.current).length;
      stopAll();
      resolveAll(abandoned);
    };
    o.signal?.addEventListener('abort', abort, { once: true });

    const dispatch = (w: WorkerSlot) => {
      w.waiting = undefined;
      if (o.signal?.aborted) return;
      if (w.queue.length === 0) {
        const group = source.next();
        if (group === 'wait') {
          w.current = null;
          w.waiting = setTimeout(() => {
            try {
              dispatch(w);
            } catch (e) {
              fail(e);
            }
          }, source.pollMs);
          return;
        }
        if (!group) {
          w.stopping = true;
          w.current = null;
          w.child.send({ type: 'stop' });
          return;
        }
        w.queue = [...group];
      }
      const job = w.queue.shift()!;
      w.current = job;
      const attempt = ledger.start(job);
      const msg: JobMessage = { type: 'job', job, attempt };
      if (job.teacherKey && !w.teachers.has(job.teacherKey)) {
        const t = store.getTeacher(job.teacherKey);
        if (t) msg.teacher = { key: t.key, weights: t.weights, accuracy: t.accuracy, trainMs: t.trainMs };
      }
      if (job.teacherKey) w.teachers.add(job.teacherKey);
      o.onEvent?.({ type: 'started', worker: w.id, pid: w.child.pid ?? 0, job, attempt });
      w.child.send(msg);
    };

    const spawn = () => {
      const args = o.backend ? [`--backend=${o.backend}`] : [];
      const child = fork(workerFile, args, {
        execArgv,
        serialization: 'advanced',
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
        env: { ...process.env, CMCRD_COORDINATED_WORKER: '1' },
      });
      const w: WorkerSlot = { id: nextId++, child, queue: [], current: null, teachers: new Set(), stopping: false };
      slots.push(w);
      live++;
      child.on('message', (msg: WorkerMessage) => {
        try {
          if (msg.type === 'hello') dispatch(w);
          else if (msg.type === 'progress') o.onEvent?.({ type: 'progress', worker: w.id, progress: msg.progress });
          else if (msg.type === 'result' || msg.type === 'job-error') {
            w.current = null;
            const outcome =
              msg.type === 'result'
                ? msg.outcome
                : { row: failedFoldRow(msg.job.config, msg.job.foldKey, msg.message, ledger.attemptsOf(msg.job)), epochs: [] };
            if (ledger.settle(w.id, msg.job, outcome)) w.queue.unshift(msg.job);
            dispatch(w);
          }
        } catch (e) {
          fail(e);
        }
      });
      child.on('error', (e) => fail(new Error(`worker ${w.id}: ${e.message}`)));
      child.on('exit', (code, signal) => {
        live--;
        clearTimeout(w.waiting);
        try {
          if (!w.stopping) {
            // Died under a fold: that fold is retried (or recorded failed) and the rest of its
            // group goes back to the queue for a fresh worker.
            const reason = `worker process exited (${signal ?? `code ${code}`}) during the fold`;
            if (!w.current && ++deadOnArrival >= 3) throw new Error(`worker processes keep exiting before taking a fold (last: ${signal ?? `code ${code}`})`);
            o.onEvent?.({ type: 'worker-lost', worker: w.id, job: w.current, reason });
            const back = w.current && ledger.lost(w.id, w.current, reason) ? [w.current, ...w.queue] : w.queue;
            source.putBack(back);
            if (source.hasWork) spawn();
          }
          if (live === 0) {
            if (source.hasWork && !o.signal?.aborted) spawn();
            else {
              o.signal?.removeEventListener('abort', abort);
              resolveAll(0);
            }
          }
        } catch (e) {
          fail(e);
        }
      });
    };

    for (let i = 0; i < count; i++) spawn();
  });
}
