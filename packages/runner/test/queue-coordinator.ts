// A coordinator in a process of its own, so that a test can kill it: node … queue-coordinator.ts
// <redis url> <store path> <RunInput[] as JSON>. Prints each event as a JSON line.
import { type RunInput, expandJobs, loadBuiltins } from '../src/index.js';
import { Store } from '@cmcrd/store';
import { executeOnQueue } from '../src/queue.js';

const [url, db, inputs] = process.argv.slice(2);
loadBuiltins();
const { jobs } = expandJobs(JSON.parse(inputs) as RunInput[]);
const store = Store.open(db);
const summary = await executeOnQueue(jobs, store, {
  url,
  pollMs: 200,
  onEvent: (e) =>
    console.log(JSON.stringify({ type: e.type, method: 'job' in e ? e.job?.input.method : undefined })),
});
console.log(JSON.stringify({ type: 'summary', ...summary }));
store.close();
