import { fileURLToPath } from 'node:url';
import { sweepRunner } from '@cmcrd/runner/sweep-service';
import type { SweepRunner } from '../src/index.js';

/** The runner's sweeps, as the `cmcrd` command passes them to `serve`, run from source like the tests. */
export function testSweepRunner(): SweepRunner {
  const cli = fileURLToPath(new URL('../../cli/src/cmcrd.ts', import.meta.url));
  return sweepRunner(['--conditions=@cmcrd/source', '--import', 'tsx', cli]);
}
