// The one-node Slurm cluster of .ci/slurm for the tests (not a test file itself). The tests submit
// real job arrays to it, so a missing Slurm is an error, never a reason to skip.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const START = fileURLToPath(new URL('../../../.ci/slurm/start.sh', import.meta.url));

/** Runs a Slurm client command; its stdout, or an Error with its stderr when it fails. */
function slurm(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${r.stderr.trim()}`);
  return r.stdout;
}

function controllerUp(): boolean {
  const r = spawnSync('scontrol', ['ping'], { encoding: 'utf8' });
  return r.status === 0 && /is UP/.test(r.stdout);
}

/** Throws unless Slurm is installed; starts the cluster (.ci/slurm/start.sh) when it is not up. */
export function ensureSlurm(): void {
  const probe = spawnSync('sbatch', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(
      'sbatch is missing: these tests need a Slurm cluster (apt-get install slurm-wlm; .ci/run does it)',
    );
  }
  if (controllerUp()) return;
  // start.sh is idempotent and waits (bounded) until the node takes jobs; it must run as root.
  const r = spawnSync('bash', [START], { encoding: 'utf8', stdio: ['ignore', 'inherit', 'pipe'] });
  if (r.status !== 0) throw new Error(`${START} failed (${r.status ?? r.signal}):\n${r.stderr}`);
}

/**
 * Whether squeue's job id `listed` (`123`, `123_4`, or a pending range `123_[5-8%2]`, `123_[1,3]`)
 * covers `id` (`123`: the whole job or array; `123_4`: one task).
 */
function covers(listed: string, id: string): boolean {
  const [job, task] = id.split('_');
  const m = /^(\d+)(?:_(?:(\d+)|\[([^\]]*)\]))?$/.exec(listed);
  if (!m || m[1] !== job) return false;
  if (task === undefined || m[2] === task) return true;
  if (m[3] === undefined) return false;
  const t = Number(task);
  return m[3]
    .replace(/%\d+$/, '') // the throttle (--array=1-8%2)
    .split(',')
    .some((r) => {
      const [lo, hi = lo] = r.split('-').map(Number);
      return t >= lo && t <= hi;
    });
}

/**
 * Resolves once none of `ids` (plain or array ids, `123` or `123_4`; an array task's own job id,
 * SLURM_JOB_ID, works too) is listed by squeue. squeue lists pending, running, suspended and
 * completing jobs: waiting out COMPLETING as well means the job's processes are gone (after
 * scancel that can take up to KillWait). Polls every 0.5 s; rejects on timeout with squeue's output.
 */
export async function waitForJobs(ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    // All jobs rather than `squeue -j`, which fails outright when one id is already purged.
    const out = slurm('squeue', ['-h', '-o', '%i %A %T']);
    const left = out
      .split('\n')
      .filter((l) => l.trim() !== '')
      .filter((l) => {
        const [listed, raw] = l.trim().split(/\s+/);
        return ids.some((id) => covers(listed, id) || raw === id);
      });
    if (left.length === 0) return;
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for Slurm jobs ${ids.join(', ')}; squeue:\n${out}`,
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Task id ('' for a plain job; '2-4' for a still-pending range of tasks) → state (PENDING, RUNNING,
 * COMPLETED, CANCELLED, FAILED, TIMEOUT, ...), from `scontrol show job -o`, one line per array task.
 * slurmctld forgets finished jobs MinJobAge (300 s) after they end; scontrol then fails and so
 * does this.
 */
export function jobStates(id: string): Map<string, string> {
  const states = new Map<string, string>();
  for (const line of slurm('scontrol', ['show', 'job', '-o', id]).split('\n')) {
    // `(?:^| )JobId=`: not the ArrayJobId= that the same line also has.
    if (!/(?:^| )JobId=\d+/.test(line)) continue;
    const task = / ArrayTaskId=(\S+)/.exec(line)?.[1] ?? '';
    const state = / JobState=(\S+)/.exec(line)?.[1];
    if (state) states.set(task.replace(/%\d+$/, ''), state);
  }
  return states;
}
