import { BackendError } from '@cmcrd/core';
import { CacheFileError, ImportError, UnknownDatasetError } from '@cmcrd/data';
import { ConfigError } from './config.js';
import { userPath } from './paths.js';
import { QueueError } from './queue.js';
import { ReportError } from './report/index.js';
import { storeFaultOf } from './store/faults.js';
import { StoreError } from './store/store.js';
import { SweepFileError } from './sweep-file.js';

// Imported by main only when a command failed: these classes live beside the code that throws
// them, which `cmcrd --help` must not load.

/** Prints an action's error; returns 2 for bad input or a store fault, 1 for anything else. */
export function reportCliError(err: Error, argv: readonly string[]): number {
  if (
    err instanceof ConfigError ||
    err instanceof StoreError ||
    err instanceof ImportError ||
    err instanceof UnknownDatasetError ||
    err instanceof CacheFileError ||
    err instanceof SweepFileError ||
    err instanceof QueueError ||
    err instanceof ReportError ||
    err instanceof BackendError
  ) {
    console.error(`cmcrd: ${err.message}`);
    if (argv.includes('--debug')) console.error(err.stack);
    return 2;
  }
  // A SQLite fault outside `sweep` (run, demo, …): the same paragraph, about the --db it was given.
  const db = argv.includes('--db') ? argv[argv.indexOf('--db') + 1] : undefined;
  const fault = storeFaultOf(err, db ? userPath(db) : 'the store');
  if (fault) {
    console.error(`cmcrd: ${fault.message}`);
    if (argv.includes('--debug')) console.error(err.stack);
    return 2;
  }
  console.error(`cmcrd: ${err.stack ?? err.message}`);
  return 1;
}
