import { fork } from 'node:child_process';

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

/** The checker ran out of time or memory, or died: the sweep is refused without a verdict on it. */
export class SweepCheckFailed extends Error {}

const fromSource = import.meta.url.endsWith('.ts');
const childFile = new URL(fromSource ? './sweep-check-child.ts' : './sweep-check-child.js', import.meta.url);
const execArgv = fromSource ? ['--conditions=@cmcrd/source', '--import', 'tsx'] : [];
let queue: Promise<unknown> = Promise.resolve();

/**
 * Checks a sweep in a child process: expanding one is pure computation (a 400-byte file can join
 * axes into 64,000 cells: seconds of it), which would stall every other request if it ran here.
 * One check at a time; a check is given `timeoutMs` and 1 GiB of heap.
 */
export function checkSweepOffLoop(r: SweepCheckRequest, timeoutMs = 120_000): Promise<SweepCheck> {
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
