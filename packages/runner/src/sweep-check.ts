import { fork } from 'node:child_process';
import { ConfigError } from './config.js';
import { expandJobs } from './jobs.js';
import { SweepFileError, checkSweepSize, expandSweep, parseSweep } from './sweep-file.js';
import { siblingModule } from './child-process.js';

export interface SweepCheckRequest {
  text: string;
  /** The name errors start with (`spec` for a posted one: `spec:3:12: …`). */
  file: string;
  real: boolean;
  refusePlugins?: string;
}

export type SweepCheck =
  | { ok: true; name: string; cells: number; folds: number }
  | { ok: false; message: string };

/**
 * What this event loop may check itself: a short text (parsed in a millisecond or two) whose
 * sweep has a handful of cells. Measured here: 16 cells (240 folds) in 12 ms once warm, 8 cells
 * in 45 ms on the first call; 50 cells took 190 ms. Anything bigger goes to a child process.
 */
const INLINE_TEXT_CHARS = 4 * 1024;
const INLINE_CELLS = 16;

/**
 * Checks a sweep: parsed, sized (more than MAX_SWEEP_CELLS is refused, uncounted), every cell
 * and fold resolved. Null when the sweep has more than `maxCells` cells (left unexpanded).
 */
export function checkSweep(r: SweepCheckRequest, maxCells = Number.POSITIVE_INFINITY): SweepCheck | null {
  try {
    const spec = parseSweep(r.text, r.file, { refusePlugins: r.refusePlugins });
    if (checkSweepSize(spec).cells > maxCells) return null;
    const cells = expandSweep(spec, { real: r.real });
    return { ok: true, name: spec.name, cells: cells.length, folds: expandJobs(cells).jobs.length };
  } catch (e) {
    if (!(e instanceof SweepFileError || e instanceof ConfigError)) throw e;
    return { ok: false, message: e.message };
  }
}

/** The checker ran out of time or memory, or died: the sweep is refused without a verdict on it. */
export class SweepCheckFailed extends Error {}

const { file: childFile, execArgv } = siblingModule(import.meta.url, 'sweep-check-child');
let queue: Promise<unknown> = Promise.resolve();

/**
 * Checks a sweep in a child process: expanding one is pure computation (a 400-byte file can join
 * axes into 64,000 cells: seconds of it), which would stall every other request if it ran here.
 * One check at a time; a check is given `timeoutMs` and 1 GiB of heap.
 */
export function checkSweepOffLoop(r: SweepCheckRequest, timeoutMs = 120_000): Promise<SweepCheck> {
  // Small ones here (a child process costs seconds to start): errors in a short file, a small sweep.
  if (r.text.length <= INLINE_TEXT_CHARS) {
    const here = checkSweep(r, INLINE_CELLS);
    if (here) return Promise.resolve(here);
  }
  const run = () =>
    new Promise<SweepCheck>((resolve, reject) => {
      const child = fork(childFile, [], {
        execArgv: [...execArgv, '--max-old-space-size=1024'],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      });
      let stderr = '';
      child.stderr?.on('data', (d) => {
        stderr = (stderr + d).slice(-2000);
      });
      let answer: SweepCheck | undefined;
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('message', (m: SweepCheck) => {
        answer = m;
      });
      child.once('error', (e) => {
        clearTimeout(timer);
        reject(new SweepCheckFailed(`the sweep could not be checked: ${e.message}`));
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (answer) return resolve(answer);
        const why = signal === 'SIGKILL' ? `it took more than ${timeoutMs / 1000} s` : `the checker exited (${signal ?? `code ${code}`})`;
        reject(new SweepCheckFailed(`the sweep could not be checked: ${why}${stderr ? `: ${stderr.trim().split('\n').pop()}` : ''}`));
      });
      child.send(r);
    });
  const next = queue.then(run, run);
  queue = next.catch(() => undefined);
  return next;
}
