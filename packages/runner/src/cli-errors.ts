import { UserError } from '@cmcrd/data/user-error';
import { storeFaultOf, userPath } from '@cmcrd/store';

// Imported by main only when a command failed: the store's fault classifier loads SQLite, which
// `cmcrd --help` must not.

/** Prints an action's error; returns 2 for bad input or a store fault, 1 for anything else. */
export function reportCliError(err: Error, argv: readonly string[]): number {
  // Every refusal of what the user wrote or asked for, from any package: the message names the
  // file, key or parameter, so no stack (unless --debug).
  if (err instanceof UserError) {
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
