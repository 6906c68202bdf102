import type { SweepCheck, SweepCheckRequest } from './sweep-check.js';

/**
 * What a server needs from the runner to start sweeps (the API's `SweepRunner`): a check of a
 * posted sweep, and the command line of `cmcrd` (`cliArgs`: Node's arguments after its executable,
 * e.g. the running command's own `[...process.execArgv, process.argv[1]]`). The API does not
 * depend on the runner; the `cmcrd` command passes this in. Importing it loads nothing heavy: the
 * check's modules (sweep files, the plugin registry, TensorFlow.js) load on the first check.
 */
export function sweepRunner(cliArgs: readonly string[]) {
  return {
    /** Parses, sizes and expands a sweep, off the caller's event loop when it is big; never rejects. */
    async check(r: SweepCheckRequest): Promise<SweepCheck> {
      const { SweepCheckFailed, checkSweepOffLoop } = await import('./sweep-check.js');
      try {
        return await checkSweepOffLoop(r);
      } catch (e) {
        if (e instanceof SweepCheckFailed) return { ok: false, message: e.message };
        throw e;
      }
    },
    cliArgs: [...cliArgs],
  };
}
