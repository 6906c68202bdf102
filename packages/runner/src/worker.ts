import { selectBackend } from '@cmcrd/core';
import { resolveRun } from './config.js';
import { FoldExecutor } from './fold.js';
import type { FoldJob } from './jobs.js';
import { loadBuiltins, loadPluginModules } from './plugins.js';

// A worker process: its own tensor backend; runs the fold jobs it is sent and returns the rows
// (the coordinator is the only writer to the store).
const send = (msg: unknown) => process.send?.(msg);
const backend = process.argv.find((a) => a.startsWith('--backend='))?.slice('--backend='.length);

loadBuiltins();
const ready = selectBackend(backend);
const executor = new FoldExecutor();

process.on('message', async (msg: { type: 'job'; job: FoldJob } | { type: 'stop' }) => {
  if (msg.type === 'stop') {
    executor.dispose();
    process.disconnect();
    return;
  }
  const { job } = msg;
  try {
    await ready;
    await loadPluginModules(job.input.plugins ?? []);
    const config = resolveRun(job.input);
    const outcome = executor.run(config, job.foldKey, (p) => send({ type: 'progress', progress: p }));
    send({ type: 'result', job, outcome });
  } catch (e) {
    send({ type: 'error', job, message: `${(e as Error).name}: ${(e as Error).message}` });
  }
});
send({ type: 'hello' });
