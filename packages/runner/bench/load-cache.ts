// Loads one imported dataset from its cache and prints the time and memory it took, as JSON.
import { loadDataset } from '@cmcrd/data';

const name = process.argv[2];
// Run with --expose-gc: the file's buffer is garbage once the rows are laid out.
globalThis.gc?.();
globalThis.gc?.();
const before = process.memoryUsage();
const t0 = performance.now();
const ds = loadDataset(name);
const ms = performance.now() - t0;
// Two full collections a tick later: external buffers are released by the second pass.
await new Promise((resolve) => setTimeout(resolve, 20));
globalThis.gc?.();
globalThis.gc?.();
const after = process.memoryUsage();
const retained = after.arrayBuffers - before.arrayBuffers + (after.heapUsed - before.heapUsed);
console.log(
  JSON.stringify({
    ms,
    rows: ds.n,
    retainedBytes: retained,
  }),
);
