
import { QueueError, redactUrl } from './queue.js';
import { type QueueWorker, type QueueWorkerEvent, runQueueWorker } from './queue-worker.js';


export interface WorkerCommandOptions {
  queue: string;
  concurrency: number;
  backend?: string;
  lockMs?: number;
  stalledMs?: number;
}

const foldName = (j: { foldKey: string; input: { dataset: string; method: string; backbone?: string } }) =>
  `${j.input.dataset} ${j.foldKey} ${j.input.method} ${j.input.backbone ?? 'dnn'}`;

function logEvent(e: QueueWorkerEvent): void {
  const at = new Date().toISOString().slice(11, 19);
  if (e.type === 'started')
    console.log(`${at} [${e.worker}] ${foldName(e.job)}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}`);
  else if (e.type === 'finished')
    console.log(
      `${at} [${e.worker}] ${foldName(e.job)}: ${e.error === null ? 'done' : `FAILED: ${e.error}`} in ${(e.ms / 1000).toFixed(1)} s`,
    );
  else console.error(`${at} cmcrd worker: ${e.message}`);
}

/** `cmcrd worker --queue <url>`: runs the folds of distributed sweeps until stopped. */
export async function cmdWorker(o: WorkerCommandOptions): Promise<number> {
  let worker: QueueWorker;
  try {
    worker = await runQueueWorker({
      url: o.queue,
      concurrency: o.concurrency,
      backend: o.backend,
      lockMs: o.lockMs,
      stalledMs: o.stalledMs,
      onEvent: logEvent,
    });
  } catch (e) {
    if (!(e instanceof QueueError)) throw e;
    console.error(`cmcrd: ${e.message}`);
    return 2;
  }
  console.log(
    `cmcrd worker ${worker.name}: taking folds from ${redactUrl(o.queue)} (${o.concurrency} at a time); Ctrl-C to stop`,
  );
  await new Promise<void>((resolve) => {
    let signals = 0;
    const onSignal = () => {
      if (++signals === 1) {
        console.log('cmcrd worker: finishing the running fold(s), then stopping; Ctrl-C again to stop now');
        worker.stop().then(resolve, resolve);
      } else {
        // Like a killed worker: the fold processes exit when they notice, and their folds go back to
        // the queue once their locks expire; no attempt is used up.
        console.log('cmcrd worker: stopping now');
        process.exit(130);
      }
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return 0;
}

