import { fork } from 'node:child_process';
import { selectBackend } from '@cmcrd/core';
import { resolveRun } from './config.js';
import { FoldExecutor, type FoldOutcome, type FoldProgress } from './fold.js';
import type { FoldJob } from './jobs.js';
import type { Store } from './store/store.js';

export type ExecEvent =
  | { type: 'skipped'; job: FoldJob }
  | { type: 'finished'; job: FoldJob; outcome: FoldOutcome; inserted: boolean; finished: number; total: number }
  | { type: 'progress'; worker: number; progress: FoldProgress };

type WorkerMessage =
  | { type: 'hello' }
  | { type: 'progress'; progress: FoldProgress }
  | { type: 'result'; job: FoldJob; outcome: FoldOutcome }
  | { type: 'error'; job: FoldJob; message: string };

export interface ExecuteOptions {
  /** 1 runs in this process; more start worker processes, each with its own tensor backend. */
  workers: number;
  backend?: string;
  onEvent?(e: ExecEvent): void;
}

export interface ExecuteSummary {
  finished: number;
  failed: number;
  skipped: number;
}

function groupByFold(jobs: FoldJob[]): FoldJob[][] {
  const groups = new Map<string, FoldJob[]>();
  for (const j of jobs) {
    const g = groups.get(j.foldKey);
    if (g) g.push(j);
    else groups.set(j.foldKey, [j]);
  }
  return [...groups.values()];
}

/**
 * Runs fold jobs and writes each result to the store as it arrives (one transaction per fold).
 * Folds already stored as done are skipped, so running the same jobs again resumes.
 */
export async function executeJobs(jobs: FoldJob[], store: Store, o: ExecuteOptions): Promise<ExecuteSummary> {
  const pending: FoldJob[] = [];
  let skipped = 0;
  for (const job of jobs) {
    if (store.findByHash(job.configHash)?.status === 'done') {
      skipped++;
      o.onEvent?.({ type: 'skipped', job });
    } else pending.push(job);
  }
  const total = pending.length;
  let finished = 0;
  let failed = 0;
  const record = (job: FoldJob, outcome: FoldOutcome) => {
    const { inserted } = store.recordFold(outcome.row, outcome.epochs);
    finished++;
    if (outcome.row.status === 'failed') failed++;
    o.onEvent?.({ type: 'finished', job, outcome, inserted, finished, total });
  };
  if (total === 0) return { finished, failed, skipped };

  const groups = groupByFold(pending);
  if (o.workers <= 1 || groups.length === 1) {
    await selectBackend(o.backend);
    const executor = new FoldExecutor();
    try {
      for (const group of groups) {
        for (const job of group) {
          record(job, executor.run(resolveRun(job.input), job.foldKey, (p) => o.onEvent?.({ type: 'progress', worker: 0, progress: p })));
        }
      }
    } finally {
      executor.dispose();
    }
    return { finished, failed, skipped };
  }

  // Running from source (tsx), a worker needs the TypeScript loader and the source conditions too.
  const fromSource = import.meta.url.endsWith('.ts');
  const workerFile = new URL(fromSource ? './worker.ts' : './worker.js', import.meta.url);
  const execArgv = fromSource ? ['--conditions=@cmcrd/source', '--import', 'tsx'] : [];
  const count = Math.min(o.workers, groups.length);
  await Promise.all(
    Array.from({ length: count }, (_, w) =>
      new Promise<void>((resolveWorker, rejectWorker) => {
        const args = o.backend ? [`--backend=${o.backend}`] : [];
        const worker = fork(workerFile, args, { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
        let queue: FoldJob[] = [];
        let stopping = false;
        const next = () => {
          if (queue.length === 0) {
            const group = groups.shift();
            if (!group) {
              stopping = true;
              worker.send({ type: 'stop' });
              return;
            }
            queue = [...group];
          }
          worker.send({ type: 'job', job: queue.shift() });
        };
        worker.on('message', (msg: WorkerMessage) => {
          if (msg.type === 'hello') next();
          else if (msg.type === 'progress') o.onEvent?.({ type: 'progress', worker: w, progress: msg.progress });
          else if (msg.type === 'result') {
            record(msg.job, msg.outcome);
            next();
          } else if (msg.type === 'error') {
            stopping = true;
            worker.kill();
            rejectWorker(new Error(`worker ${w}: ${msg.message}`));
          }
        });
        worker.on('error', (e) => rejectWorker(new Error(`worker ${w}: ${e.message}`)));
        worker.on('exit', (code, signal) => {
          if (stopping) resolveWorker();
          else rejectWorker(new Error(`worker ${w} exited unexpectedly (${signal ?? `code ${code}`})`));
        });
      }),
    ),
  );
  return { finished, failed, skipped };
}
