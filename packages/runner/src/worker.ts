import { selectBackend } from '@cmcrd/core';
import type { JobMessage } from './execute.js';
import { FoldExecutor } from './fold.js';
import { distillerOf, loadBuiltins } from './plugins.js';

// A worker process: its own tensor backend; runs the fold jobs it is sent and returns the rows
// (the coordinator is the only writer to the store).
const send = (msg: unknown) => process.send?.(msg);
const backend = process.argv.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);

loadBuiltins();
const ready = selectBackend(backend);
const parent = process.ppid;
/** Teachers the coordinator sent, by key: restored instead of trained. */
const sent = new Map<string, NonNullable<JobMessage['teacher']>>();
const executor = new FoldExecutor({ lookup: (key) => sent.get(key) });

// The coordinator gone (killed, even with -9): stop rather than train for nobody. Checked between
// epochs too, because a fold keeps the event loop busy and 'disconnect' would wait for its end.
process.on('disconnect', () => process.exit(0));
// Under a sweep's coordinator (execute.ts sets CMCRD_COORDINATED_WORKER), a scheduler's SIGTERM
// reaches every process of the job (scancel, preemption): the coordinator decides what becomes of
// the fold in progress and stops this process itself, so that a worker that dies first is not taken
// for a crashed one (its fold retried or stored as failed). A queue worker's fold processes stop on
// SIGTERM as before: that is how `cmcrd worker` ends them.
if (process.env.CMCRD_COORDINATED_WORKER === '1') process.on('SIGTERM', () => {});
const orphaned = () => process.ppid !== parent || !process.connected;

process.on('message', async (msg: JobMessage | { type: 'stop' }) => {
  if (msg.type === 'stop') {
    executor.dispose();
    process.disconnect();
    return;
  }
  const { job } = msg;
  if (msg.teacher) sent.set(msg.teacher.key, msg.teacher);
  try {
    await ready;
    // The config comes resolved, as plain data: only its plugin is looked up here (an outside
    // one's module loaded), so that a module that does not load is the job's error, not the fold's.
    await distillerOf(job.config.method);
    const outcome = await executor.run(
      job.config,
      job.foldKey,
      (p) => {
        if (orphaned()) process.exit(0);
        send({ type: 'progress', progress: p });
      },
      { embeddings: job.embeddings === true, keepModels: job.keepModels === true },
    );
    send({ type: 'result', job, outcome });
  } catch (e) {
    // Outside the fold itself (the backend, a plugin module, the config): the coordinator records it.
    send({ type: 'job-error', job, message: `${(e as Error).name}: ${(e as Error).message}` });
  }
});
// Ready only once the backend is: a machine whose backend cannot load fails here, not per job.
ready.then(
  () => send({ type: 'hello' }),
  (e) => {
    console.error(`cmcrd worker process: ${(e as Error).message}`);
    process.exit(1);
  },
);
