import { type ChildProcess, fork } from 'node:child_process';
import { hostname } from 'node:os';
import { type Job, Worker } from 'bullmq';
import type { JobMessage, WorkerMessage } from './execute.js';
import type { FoldProgress } from './fold.js';
import type { FoldJob } from './jobs.js';
import {
  QUEUE_NAME,
  type QueueProgress,
  type QueueResult,
  connectRedis,
  encodeOutcome,
  claimOrAwaitTeacher,
  type TeacherClaim,
  putQueueTeacher,
  redactUrl,
} from './queue.js';
import { siblingModule } from './child-process.js';

export interface QueueWorkerOptions {
  /** redis://host:port[/db] */
  url: string;
  /** Folds at a time, each in its own fold process. Default 1. */
  concurrency?: number;
  backend?: string;
  /** How long a job's lock lasts unless renewed (ms): a dead worker's fold is taken by another after about this. Default $CMCRD_QUEUE_LOCK_MS or 30000. */
  lockMs?: number;
  /** How often workers look for jobs whose lock expired (ms). Default $CMCRD_QUEUE_STALLED_MS or lockMs. */
  stalledMs?: number;
  onEvent?(e: QueueWorkerEvent): void;
}

export type QueueWorkerEvent =
  | { type: 'started'; worker: string; pid: number; job: FoldJob; attempt: number }
  | { type: 'finished'; worker: string; job: FoldJob; error: string | null; ms: number }
  | { type: 'error'; message: string };

export interface QueueWorker {
  /** 'host:pid', the BullMQ worker name (each fold process adds '/slot'). */
  name: string;
  /** Takes no more folds, waits for the running ones, ends the fold processes. */
  stop(): Promise<void>;
}

const envMs = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);

const FOLD_PROCESS = siblingModule(import.meta.url, 'worker');

type Reply = Extract<WorkerMessage, { type: 'result' | 'job-error' }>;

/**
 * One fold process (src/worker.ts, as for local sweeps). Training is synchronous for minutes; in
 * here it would stop the timers that renew the job locks, and BullMQ would hand the fold to
 * another worker. It keeps its split and teachers between folds, as a local worker does.
 */
class FoldProcess {
  readonly child: ChildProcess;
  /** Resolves on its 'hello'; rejects if it dies first. */
  readonly ready: Promise<void>;
  /** Teachers sent to it already: it keeps them for its later folds. */
  readonly teachers = new Set<string>();
  busy = false;
  dead = false;
  private current: {
    resolve(r: Reply): void;
    reject(e: Error): void;
    onProgress(p: FoldProgress): void;
  } | null = null;

  constructor(
    readonly slot: number,
    backend: string | undefined,
  ) {
    // Detached (its own process group): Ctrl-C on the worker stops taking folds but lets the
    // running ones finish. A fold process whose worker is gone exits by itself (worker.ts).
    this.child = fork(FOLD_PROCESS.file, backend ? [`--backend=${backend}`] : [], {
      execArgv: FOLD_PROCESS.execArgv,
      serialization: 'advanced',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      detached: true,
    });
    let hello = () => {};
    let died = (_: Error) => {};
    this.ready = new Promise((resolve, reject) => {
      hello = resolve;
      died = reject;
    });
    this.ready.catch(() => {});
    this.child.on('message', (m: WorkerMessage) => {
      if (m.type === 'hello') hello();
      else if (m.type === 'progress') this.current?.onProgress(m.progress);
      else this.settle()?.resolve(m);
    });
    const lost = (why: string) => {
      this.dead = true;
      const e = new Error(`fold process ${this.child.pid ?? '?'} ${why}`);
      died(e);
      this.settle()?.reject(e);
    };
    this.child.on('exit', (code, signal) => lost(`exited (${signal ?? `code ${code}`})`));
    this.child.on('error', (e) => lost(`failed: ${e.message}`));
  }

  private settle() {
    const c = this.current;
    this.current = null;
    return c;
  }

  run(msg: JobMessage, onProgress: (p: FoldProgress) => void): Promise<Reply> {
    return new Promise((resolve, reject) => {
      this.current = { resolve, reject, onProgress };
      this.child.send(msg);
    });
  }
}

/**
 * A worker of distributed sweeps: takes fold jobs from the queue at `url`, runs each in a fold
 * process and returns its outcome (with the teacher it trained, if any) as the job's result.
 * Teachers come from Redis when a coordinator or another worker put them there.
 */
export async function runQueueWorker(o: QueueWorkerOptions): Promise<QueueWorker> {
  const lockMs = o.lockMs ?? envMs('CMCRD_QUEUE_LOCK_MS') ?? 30_000;
  const stalledMs = o.stalledMs ?? envMs('CMCRD_QUEUE_STALLED_MS') ?? lockMs;
  const concurrency = Math.max(1, o.concurrency ?? 1);
  const name = `${hostname()}:${process.pid}`;
  const redis = await connectRedis(o.url);

  const processes: FoldProcess[] = [];
  const spawn = (slot: number) => {
    const p = new FoldProcess(slot, o.backend);
    processes[slot] = p;
    return p;
  };
  // Started up front, so that a machine that cannot start them (a broken install) fails here
  // rather than failing every job it takes.
  try {
    for (let i = 0; i < concurrency; i++) spawn(i);
    await Promise.all(processes.map((p) => p.ready));
  } catch (e) {
    for (const p of processes) p.child.kill('SIGKILL');
    redis.disconnect();
    throw e;
  }

  const processor = async (job: Job<FoldJob, QueueResult>): Promise<QueueResult> => {
    const fold = job.data;
    // BullMQ runs at most `concurrency` jobs at once, so a free slot exists.
    const slot = processes.findIndex((p) => !p.busy);
    const p = processes[slot].dead ? spawn(slot) : processes[slot];
    p.busy = true;
    let claim: TeacherClaim | undefined;
    let renewing: NodeJS.Timeout | undefined;
    try {
      await p.ready;
      const attempt = job.attemptsStarted;
      const msg: JobMessage = { type: 'job', job: fold, attempt };
      // The teacher: from Redis, or trained here under a claim taken before training (SET NX),
      // or, when another worker holds that claim, from Redis once it has put it there.
      if (fold.teacherKey && !p.teachers.has(fold.teacherKey)) {
        const got = await claimOrAwaitTeacher(redis, fold.teacherKey, `${name}/${slot}/${job.id}`, { claimMs: lockMs });
        if ('teacher' in got) {
          msg.teacher = got.teacher;
          p.teachers.add(got.teacher.key);
        } else claim = got.claim;
      }
      const held = claim;
      if (held) renewing = setInterval(() => held.renew().catch(() => {}), lockMs / 3);
      const who: QueueProgress = { worker: `${name}/${slot}`, pid: p.child.pid ?? 0, attempt };
      await job.updateProgress({ ...who });
      o.onEvent?.({ type: 'started', worker: who.worker, pid: who.pid, job: fold, attempt });
      const t0 = performance.now();
      const reply = await p
        .run(msg, (progress) => {
          job.updateProgress({ ...who, progress }).catch(() => {});
        })
        .catch((e: Error) => {
          // The fold process died: the job fails, and the coordinator decides on a retry.
          o.onEvent?.({
            type: 'finished',
            worker: who.worker,
            job: fold,
            error: e.message,
            ms: performance.now() - t0,
          });
          throw e;
        });
      const ms = performance.now() - t0;
      if (reply.type === 'job-error') {
        o.onEvent?.({ type: 'finished', worker: who.worker, job: fold, error: reply.message, ms });
        return { error: reply.message };
      }
      const { outcome } = reply;
      if (outcome.newTeacher) {
        await putQueueTeacher(redis, outcome.newTeacher);
        p.teachers.add(outcome.newTeacher.key);
      }
      o.onEvent?.({
        type: 'finished',
        worker: who.worker,
        job: fold,
        error: outcome.row.status === 'failed' ? (outcome.row.error ?? '') : null,
        ms,
      });
      return { outcome: encodeOutcome(outcome) };
    } finally {
      clearInterval(renewing);
      await claim?.release().catch(() => {});
      p.busy = false;
    }
  };

  const worker = new Worker<FoldJob, QueueResult>(QUEUE_NAME, processor, {
    connection: redis,
    name,
    concurrency,
    lockDuration: lockMs,
    stalledInterval: stalledMs,
    // A fold that made its worker vanish twice is failed; the coordinator decides on a retry.
    maxStalledCount: 1,
  });
  let lastError = '';
  worker.on('error', (e) => {
    if (e.message !== lastError) o.onEvent?.({ type: 'error', message: `${redactUrl(o.url)}: ${e.message}` });
    lastError = e.message;
  });
  await worker.waitUntilReady();

  let stopping: Promise<void> | null = null;
  const stop = () => {
    stopping ??= (async () => {
      await worker.close();
      for (const p of processes) if (!p.dead) p.child.kill();
      redis.disconnect();
    })();
    return stopping;
  };
  return { name, stop };
}
