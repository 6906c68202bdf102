import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '@cmcrd/core';
import { resolveRun } from './config.js';
import { FoldExecutor } from './fold.js';
import type { FoldJob } from './jobs.js';
import { loadBuiltins } from './plugins.js';

// A worker thread: its own tensor backend, runs the fold jobs it is sent, returns the rows.
const port = parentPort!;
const { backend } = workerData as { backend?: string };

loadBuiltins();
const ready = selectBackend(backend);
const executor = new FoldExecutor();

port.on('message', async (msg: { type: 'job'; job: FoldJob } | { type: 'stop' }) => {
  if (msg.type === 'stop') {
    executor.dispose();
    port.close();
    return;
  }
  await ready;
  const { job } = msg;
  try {
    const config = resolveRun(job.input);
    const outcome = executor.run(config, job.foldKey, (p) => port.postMessage({ type: 'progress', progress: p }));
    port.postMessage({ type: 'result', job, outcome });
  } catch (e) {
    port.postMessage({ type: 'error', job, message: `${(e as Error).name}: ${(e as Error).message}` });
  }
});
port.postMessage({ type: 'hello' });
