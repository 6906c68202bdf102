import { BACKEND_NAMES } from '@cmcrd/core';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { QueueError, redactUrl } from './queue.js';
import { type QueueWorker, type QueueWorkerEvent, runQueueWorker } from './queue-worker.js';

function positive(name: string) {
  return (v: string) => {
    if (!/^[1-9]\d*$/.test(v))
      throw new InvalidArgumentError(`${name} must be a positive integer, got '${v}'`);
    return Number(v);
  };
}

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

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description(
      'runs the folds of distributed sweeps (`cmcrd sweep --queue`), on any machine that reaches the Redis (docs/sweeps.md)',
    )
    .requiredOption('--queue <url>', 'the Redis of the sweep: redis://host:port[/db]')
    .option(
      '--concurrency <n>',
      'folds at a time, each in its own process with its own backend',
      positive('--concurrency'),
      1,
    )
    .addOption(new Option('--backend <name>', 'force a tensor backend').choices([...BACKEND_NAMES]))
    .option(
      '--lock-ms <n>',
      "a dead worker's fold goes to another worker after about this long (default $CMCRD_QUEUE_LOCK_MS or 30000)",
      positive('--lock-ms'),
    )
    .option(
      '--stalled-ms <n>',
      'how often to look for folds whose worker died (default $CMCRD_QUEUE_STALLED_MS or --lock-ms)',
      positive('--stalled-ms'),
    )
    .action(async (o: WorkerCommandOptions) => {
      process.exitCode = await cmdWorker(o);
    });
}
