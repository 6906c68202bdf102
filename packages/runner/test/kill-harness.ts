// kill -9 at random moments of a sweep, and what the store holds afterwards: shared by
// test/fault-injection.test.ts (one kill of each kind) and bench/faults.ts (20 and more).
// Not a test file itself.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { seeded } from '@cmcrd/store/testing';
import { CLI, inspectStore } from './fault-helpers.js';

export type KillKind = 'coordinator' | 'worker' | 'one of two coordinators';
export const KILL_KINDS: readonly KillKind[] = ['coordinator', 'worker', 'one of two coordinators'];

/** Seeded moments (mulberry32), so that a run's random moments can be told and replayed from its seed. */
export const prng = seeded;

/** Pids whose parent is `pid` (from /proc): a coordinator's worker processes. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // The field after the parenthesised command name: state, then the parent's pid.
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

export interface Coordinator {
  child: ChildProcess;
  out: () => string;
  exited: Promise<number | null>;
}

/** `cmcrd sweep <file> --db <db>` in its own process (its output kept). */
export function startSweep(file: string, db: string, o: { workers?: number; env?: Record<string, string> } = {}): Coordinator {
  const child = spawn(process.execPath, [...process.execArgv, CLI, 'sweep', file, '--db', db, '--workers', String(o.workers ?? 2), '--backend', 'wasm'], {
    env: { ...process.env, ...o.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => {
    out += d;
  });
  child.stderr!.on('data', (d) => {
    out += d;
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, out: () => out, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running = (c: Coordinator) => c.child.exitCode === null && c.child.signalCode === null;

/** Done rows per fold of the sweep (fixture rows left out). */
export function doneFolds(db: string): Map<string, number> {
  return existsSync(db) ? inspectStore(db).doneBySweepFold : new Map();
}

export interface KillRound {
  kind: KillKind;
  /** When the kill came, ms after the first fold was stored. */
  atMs: number;
  /** False when the sweep ended before the moment came (no kill). */
  killed: boolean;
  /** Fold processes killed or left without a coordinator: their training is lost. */
  cutShort: number;
  /** Folds stored before the kill that the store no longer holds. */
  lost: number;
  /** Outputs of every process of the round, for the checks and for messages. */
  outputs: string[];
}

/**
 * One kill: starts the sweep (two coordinators for 'one of two coordinators'), waits a random
 * moment of `window` ms, kill -9's the coordinator, one of its worker processes, or one of the
 * two coordinators, and waits for what survives to finish. The caller re-runs what was killed.
 */
export async function killRound(kind: KillKind, file: string, db: string, atMs: number, env: Record<string, string> = {}): Promise<KillRound> {
  const before = new Set(doneFolds(db).keys());
  const first = startSweep(file, db, { env });
  const second = kind === 'one of two coordinators' ? startSweep(file, db, { env }) : undefined;
  const outputs = () => [first.out(), ...(second ? [second.out()] : [])];
  // The random moment counts from the first fold stored, so that the kill lands mid-sweep on a
  // fast machine as on a slow one.
  const started = Date.now();
  while (running(first) && !/^\[\s*1\//m.test(first.out()) && Date.now() - started < 120_000) await sleep(50);
  await Promise.race([sleep(atMs), first.exited]);
  let killed = false;
  let cutShort = 0;
  if (running(first)) {
    if (kind === 'worker') {
      const workers = childrenOf(first.child.pid!);
      const victim = workers[Math.floor(Math.random() * workers.length)];
      if (victim !== undefined) {
        process.kill(victim, 'SIGKILL');
        killed = true;
        cutShort = 1;
      }
    } else {
      cutShort = childrenOf(first.child.pid!).length;
      first.child.kill('SIGKILL');
      killed = true;
    }
  }
  // What survives finishes its work (the other coordinator takes over the killed one's claims).
  await first.exited;
  if (second) await second.exited;
  const after = doneFolds(db);
  const lost = [...before].filter((h) => !after.has(h)).length;
  return { kind, atMs, killed, cutShort, lost, outputs: outputs() };
}

/** Lines of folds stored by a process that another had stored already (trained twice). */
export const trainedTwice = (out: string) => out.split('\n').filter((l) => /^\[\s*\d+\/\d+\].*\(already stored\)/.test(l)).length;
