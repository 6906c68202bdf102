import { type Job, Queue, QueueEvents } from 'bullmq';
import { Redis } from 'ioredis';
import { UserError } from '@cmcrd/data/user-error';
import { type ExecEvent, type ExecuteSummary, recordAttempt } from './execute.js';
import { type FoldOutcome, type FoldProgress, failedFoldRow } from './fold.js';
import type { FoldJob } from './jobs.js';
import type { NewTeacherRow } from '@cmcrd/store';
import type { Store } from '@cmcrd/store';

// Distributed sweeps: the coordinator (`cmcrd sweep --queue`, executeOnQueue below) puts the
// missing folds in a BullMQ queue and writes the results to SQLite; `cmcrd worker`s
// (queue-worker.ts) run them anywhere. Redis holds only what is in flight: jobs, their results
// until the coordinator has stored them, and the teachers the folds share.

/** The queue of a Redis database: one coordinator at a time per database (use /db to separate sweeps). */
export const QUEUE_NAME = 'cmcrd-folds';
const TEACHER_PREFIX = 'cmcrd:teacher:';
/** Held (SET NX) by the worker that trains a teacher, so that the others wait for its copy. */
const TEACHER_CLAIM_PREFIX = 'cmcrd:teacher-claim:';

/**
 * How long a teacher stays in Redis (default 1 day; `CMCRD_TEACHER_TTL_S`). Safe because Redis
 * is only a cache: the coordinator stores every teacher in SQLite and puts back, with a fresh TTL,
 * the ones its open folds still need every time it rechecks the queue (30 s).
 */
export function teacherTtlMs(): number {
  const s = Number(process.env.CMCRD_TEACHER_TTL_S);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 24 * 3600 * 1000;
}

export class QueueError extends UserError {
  override name = 'QueueError';
}

/** What a worker returns for a job: the fold's outcome, or why the fold could not run at all. */
export type QueueResult = { outcome: WireOutcome } | { error: string };

/** A FoldOutcome as JSON (BullMQ stores return values as JSON): the new teacher's weights in base64. */
export type WireOutcome = Omit<FoldOutcome, 'newTeacher'> & {
  newTeacher?: Omit<NewTeacherRow, 'weights'> & { weights: string };
};

/** What a worker reports through job.updateProgress: who runs the fold (once), then each epoch. */
export interface QueueProgress {
  worker: string;
  pid: number;
  attempt: number;
  progress?: FoldProgress;
}

export interface StoredTeacher {
  key: string;
  weights: Uint8Array;
  accuracy: number;
  trainMs: number;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*):[^@/]*@/, '//$1:***@');
}

/**
 * A connection to the Redis of `url` (redis://host:port[/db], rediss:// for TLS). It fails at once
 * if Redis cannot be reached; once connected it reconnects by itself and commands wait for it.
 */
export async function connectRedis(url: string): Promise<Redis> {
  if (!/^rediss?:\/\/[^/]/.test(url))
    throw new QueueError(`--queue must be a redis://host:port[/db] URL, got '${url}'`);
  // BullMQ's blocking connections (duplicated from this one) require maxRetriesPerRequest: null.
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
  let lastError = '';
  redis.on('error', (e: Error) => {
    lastError = e.message;
  });
  try {
    // connect() rejects when the first try fails: a wrong URL fails now instead of retrying forever.
    await redis.connect();
  } catch (e) {
    redis.disconnect();
    throw new QueueError(`cannot connect to ${redactUrl(url)}: ${lastError || (e as Error).message}`);
  }
  return redis;
}

/** A teacher in Redis: accuracy and training time (float64, little-endian), then the weights blob. */
export async function getQueueTeacher(redis: Redis, key: string): Promise<StoredTeacher | undefined> {
  const blob = await redis.getBuffer(TEACHER_PREFIX + key);
  if (!blob) return undefined;
  return {
    key,
    accuracy: blob.readDoubleLE(0),
    trainMs: blob.readDoubleLE(8),
    weights: new Uint8Array(blob.subarray(16)),
  };
}

/**
 * Sets a teacher once (the first copy wins, as in the store: the same key means the same training),
 * with a TTL (teacherTtlMs); a teacher already there gets its TTL renewed.
 */
export async function putQueueTeacher(redis: Redis, t: StoredTeacher, ttlMs = teacherTtlMs()): Promise<void> {
  const head = Buffer.alloc(16);
  head.writeDoubleLE(t.accuracy, 0);
  head.writeDoubleLE(t.trainMs, 8);
  const set = await redis.set(TEACHER_PREFIX + t.key, Buffer.concat([head, t.weights]), 'PX', ttlMs, 'NX');
  if (set === null) await redis.pexpire(TEACHER_PREFIX + t.key, ttlMs);
}

/** A claim on training one teacher; renew() while it trains, release() once its copy is in Redis. */
export interface TeacherClaim {
  renew(): Promise<void>;
  release(): Promise<void>;
}

/**
 * Before a fold that needs a teacher Redis does not have: either this worker claims the training
 * (SET NX, with a TTL of `claimMs` that it renews while the fold runs) and gets `claim`, or another
 * worker holds the claim and this one waits for its teacher (or for its claim to lapse, when that
 * worker died) and gets `teacher`. Two workers that start a group's methods at one moment thus
 * train its teacher once.
 */
export async function claimOrAwaitTeacher(
  redis: Redis,
  key: string,
  owner: string,
  o: { claimMs: number; pollMs?: number; signal?: AbortSignal },
): Promise<{ teacher: StoredTeacher } | { claim: TeacherClaim }> {
  const claimKey = TEACHER_CLAIM_PREFIX + key;
  for (;;) {
    const teacher = await getQueueTeacher(redis, key);
    if (teacher) return { teacher };
    if ((await redis.set(claimKey, owner, 'PX', o.claimMs, 'NX')) === 'OK') {
      return {
        claim: {
          renew: async () => {
            // Only while it is still ours (it may have lapsed and gone to another worker).
            if ((await redis.get(claimKey)) === owner) await redis.pexpire(claimKey, o.claimMs);
          },
          release: async () => {
            if ((await redis.get(claimKey)) === owner) await redis.del(claimKey);
          },
        },
      };
    }
    if (o.signal?.aborted) throw new Error('stopped while waiting for a teacher');
    await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
  }
}

export function encodeOutcome(outcome: FoldOutcome): WireOutcome {
  const { newTeacher, ...rest } = outcome;
  if (!newTeacher) return rest;
  const w = newTeacher.weights;
  return {
    ...rest,
    newTeacher: {
      ...newTeacher,
      weights: Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('base64'),
    },
  };
}

export function decodeOutcome(wire: WireOutcome): FoldOutcome {
  const { newTeacher, ...rest } = wire;
  return newTeacher
    ? { ...rest, newTeacher: { ...newTeacher, weights: Buffer.from(newTeacher.weights, 'base64') } }
    : rest;
}

export interface QueueExecuteOptions {
  /** redis://host:port[/db] */
  url: string;
  /** How many more times a failed fold is started. Default 1. */
  retries?: number;
  /** Folds recorded here point at this sweep. */
  sweepId?: number;
  onEvent?(e: ExecEvent): void;
  /** How often to look for results when no queue event came (ms). Default 2000. */
  pollMs?: number;
}

const ALL_STATES = ['active', 'waiting', 'delayed', 'prioritized', 'completed', 'failed'] as const;
/**
 * How often the coordinator checks that every fold it waits for is still in Redis, and puts back
 * the teachers they need (ms; default 30 s, `CMCRD_QUEUE_RECHECK_MS`): after Redis restarted
 * empty, the sweep goes on within this time.
 */
function recheckMs(): number {
  const env = Number(process.env.CMCRD_QUEUE_RECHECK_MS);
  return Number.isFinite(env) && env > 0 ? env : 30_000;
}

/**
 * The coordinator of a distributed sweep: enqueues the folds missing from the store (job id = the
 * fold's configHash, so enqueuing again adds nothing), waits for the workers' results and writes
 * them to the store, the only writer, with executeJobs' retry rules. It can be killed and started
 * again at any moment: results that arrived meanwhile wait in Redis until it has stored them.
 */
export async function executeOnQueue(
  jobs: FoldJob[],
  store: Store,
  o: QueueExecuteOptions,
): Promise<ExecuteSummary> {
  const emit = (e: ExecEvent) => o.onEvent?.(e);
  const done = new Set<string>();
  const pending: FoldJob[] = [];
  for (const job of jobs) {
    if (store.findByHash(job.configHash)?.status === 'done') {
      done.add(job.configHash);
      emit({ type: 'skipped', job });
    } else pending.push(job);
  }
  const open = new Map(pending.map((j) => [j.configHash, j]));
  let finished = 0;
  let failed = 0;

  const redis = await connectRedis(o.url);
  const queue = new Queue<FoldJob, QueueResult>(QUEUE_NAME, { connection: redis });
  // Events from now on (Redis's clock, as the stream's ids): listening from '$' would miss those
  // sent before QueueEvents' first read, e.g. a fold taken at once by a waiting worker.
  const [seconds, micros] = await redis.time();
  const lastEventId = `${Number(seconds) * 1000 + Math.floor(Number(micros) / 1000) - 1}-0`;
  const events = new QueueEvents(QUEUE_NAME, { connection: redis, lastEventId });
  // Reconnections are automatic and commands wait for them; say so once per distinct error.
  let lastError = '';
  const onError = (e: Error) => {
    if (e.message !== lastError) console.error(`cmcrd: redis ${redactUrl(o.url)}: ${e.message}`);
    lastError = e.message;
  };
  queue.on('error', onError);
  events.on('error', onError);

  // Worker names ('host:pid/slot') as small numbers for the progress lines.
  const workerNumbers = new Map<string, number>();
  const workerOf = new Map<string, number>();
  events.on('progress', ({ jobId, data }) => {
    const job = open.get(jobId);
    const p = data as QueueProgress;
    if (!job || typeof p !== 'object' || typeof p.worker !== 'string') return;
    if (!workerNumbers.has(p.worker)) workerNumbers.set(p.worker, workerNumbers.size);
    const w = workerNumbers.get(p.worker)!;
    workerOf.set(jobId, w);
    if (p.progress) emit({ type: 'progress', worker: w, progress: p.progress });
    else emit({ type: 'started', worker: w, pid: p.pid, job, attempt: p.attempt });
  });
  events.on('stalled', ({ jobId }) => {
    const job = open.get(jobId);
    const reason = 'its worker stopped renewing the lock (killed or cut off); the fold is back in the queue';
    if (job) emit({ type: 'worker-lost', worker: workerOf.get(jobId) ?? 0, job, reason });
  });
  // Events only wake the loop up early: results are read from the queue itself, so that none is
  // missed while the coordinator was away or the event stream was trimmed.
  let dirty = true;
  let wake = () => {};
  const poke = () => {
    dirty = true;
    wake();
  };
  events.on('completed', poke);
  events.on('failed', poke);

  const enqueue = (list: FoldJob[]) =>
    queue.addBulk(list.map((job) => ({ name: 'fold', data: job, opts: { jobId: job.configHash } })));

  /** Stores one finished job's result; returns it to the queue when the fold is to be retried. */
  const settle = async (job: Job<FoldJob, QueueResult>, state: 'completed' | 'failed') => {
    const fold = open.get(job.id!)!;
    const worker = workerOf.get(fold.configHash) ?? 0;
    // attemptsStarted counts every start, including restarts after a worker died.
    const attempts = Math.max(1, job.attemptsStarted);
    const r = state === 'completed' ? job.returnvalue : null;
    const wire = r && 'outcome' in r ? r.outcome : null;
    // A worker whose code, plugin or dataset import differs from the coordinator's computes
    // another identity: stored as is, the fold would stay missing and run again on every run.
    const mismatch = wire && wire.row.configHash !== fold.configHash;
    // Without an outcome: the fold could not start (e.g. a plugin that does not load on the
    // worker's machine), its process died, or its worker vanished twice.
    const error = mismatch
      ? `the worker (${wire.row.host}) computed another identity for this fold: its code, plugins or imported datasets differ from the coordinator's`
      : r && 'error' in r
        ? r.error
        : (job.failedReason ?? 'no result');
    const outcome: FoldOutcome =
      wire && !mismatch
        ? decodeOutcome(wire)
        : { row: failedFoldRow(fold.config, fold.foldKey, error, attempts), epochs: [] };
    const { outcome: recorded, inserted, retry } = recordAttempt(store, outcome, attempts, o);
    const row = recorded.row;
    if (retry) {
      emit({ type: 'retry', worker, job: fold, attempt: attempts, error: row.error ?? '' });
      // Back to the queue under the same id, atomically; attemptsStarted goes on counting.
      await job.retry(state);
      return;
    }
    open.delete(fold.configHash);
    finished++;
    if (row.status === 'failed') failed++;
    emit({
      type: 'finished',
      worker,
      job: fold,
      outcome: recorded,
      inserted,
      finished,
      failed,
      total: pending.length,
    });
    // Stored: Redis need not keep it. (Killed before this line, the next run removes it below.)
    await job.remove();
  };

  const copyTeachers = async (keys: Set<string>) => {
    for (const key of keys) {
      const t = store.getTeacher(key);
      if (t) await putQueueTeacher(redis, t);
    }
  };

  try {
    // Teachers the store has already: workers restore them instead of training them again.
    await copyTeachers(new Set(pending.map((j) => j.teacherKey).filter((k): k is string => k !== null)));
    // Results of folds stored already (by a run killed between storing and removing them).
    for (const id of await queue.getRanges(['completed', 'failed'], 0, -1))
      if (done.has(id)) await queue.remove(id);
    // Before enqueuing: a waiting worker reports the first fold at once.
    emit({
      type: 'start',
      total: pending.length,
      skipped: done.size,
      workers: await queue.getWorkersCount().catch(() => 0),
    });
    // In group order, so that a worker usually finds the teacher that the previous fold trained.
    await enqueue(pending);

    let lastCheck = Date.now();
    while (open.size > 0) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, o.pollMs ?? 2000);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      dirty = false;
      for (const state of ['completed', 'failed'] as const) {
        for (const id of await queue.getRanges([state], 0, -1)) {
          if (!open.has(id)) continue;
          const job = await queue.getJob(id);
          if (job) await settle(job, state);
        }
      }
      if (Date.now() - lastCheck > recheckMs()) {
        // A job removed behind our back (another coordinator that shared a fold, a flushed
        // database) is added again rather than waited for forever.
        lastCheck = Date.now();
        // Teachers the open folds need, from the store's copy: back in Redis (a restart, a TTL
        // that ran out) with a fresh TTL, so that no worker trains one again.
        await copyTeachers(new Set([...open.values()].map((j) => j.teacherKey).filter((k): k is string => k !== null)));
        const known = new Set(await queue.getRanges([...ALL_STATES], 0, -1));
        const missing = [...open.values()].filter((j) => !known.has(j.configHash));
        if (missing.length) await enqueue(missing);
      }
    }
  } finally {
    await events.close();
    await queue.close();
    redis.disconnect();
  }
  return { finished, failed, skipped: done.size };
}
