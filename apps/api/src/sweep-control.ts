import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import type { Store } from '@cmcrd/store';

/** The verdict on a sweep: its name and size, or why it is refused. */
export type SweepCheck = { ok: true; name: string; cells: number; folds: number } | { ok: false; message: string };

/**
 * What starting sweeps needs from the runner, which this package does not depend on: the `cmcrd`
 * command passes it in (`sweepRunner` of `@cmcrd/runner/sweep-service`). Without it the API
 * serves everything but starting sweeps.
 */
export interface SweepRunner {
  /**
   * Parses, sizes and expands a sweep (off this event loop when big: a 400-byte file can expand
   * to 64,000 cells); an error in it, or a check that ran out of time, is `ok: false`.
   */
  check(r: { text: string; file: string; real: boolean; refusePlugins?: string }): Promise<SweepCheck>;
  /** Node's arguments, after its executable, that run `cmcrd`. */
  cliArgs: readonly string[];
}

type SweepRow = ReturnType<Store['openSweep']>;

/** A request the controller refuses, with the HTTP status and the parameter to blame. */
export class SweepRequestError extends Error {
  constructor(
    readonly status: 400 | 404 | 409 | 503,
    message: string,
    readonly parameter?: string,
  ) {
    super(message);
  }
}

export interface StartSweep {
  spec?: string;
  path?: string;
  workers?: number;
  retries?: number;
  real?: boolean;
  embeddings?: boolean;
  backend?: string;
}

/**
 * Starts sweeps as `cmcrd sweep` child processes (each in its own process group, with its worker
 * processes) and cancels them. The child is the store's writer, exactly as on the command line;
 * the sweep row is opened here first so the caller gets its id at once, and the child resumes it.
 */
export class SweepController {
  private readonly children = new Map<number, ChildProcess>();

  constructor(
    private readonly store: Store,
    /** Where posted sweep files and the children's logs are written. */
    private readonly workDir: string,
    /** Sweep files a request may name by `path` live under here. */
    private readonly sweepFilesDir: string,
    private readonly runner?: SweepRunner,
  ) {}

  startedHere(id: number): boolean {
    return this.children.has(id);
  }

  /** The process (group) id of a sweep started here, if it is still running. */
  pidOf(id: number): number | undefined {
    return this.children.get(id)?.pid;
  }

  async start(r: StartSweep): Promise<SweepRow> {
    const { text, file: named } =
      r.spec !== undefined ? { text: r.spec, file: undefined } : this.named(r.path!);
    // Parsed, sized and expanded in a child process unless small: never long on this event loop (see sweep-check.ts).
    const parameter = r.spec !== undefined ? 'spec' : 'path';
    if (!this.runner)
      throw new SweepRequestError(503, 'this server cannot start sweeps: it was started without the runner (use `cmcrd serve`)');
    const check = await this.runner.check({
      text,
      file: named ?? 'spec',
      real: r.real === true,
      refusePlugins:
        'plugins are not accepted over the API (loading one runs its code); run this sweep with `cmcrd sweep`',
    });
    if (!check.ok) throw new SweepRequestError(400, check.message, parameter);
    const { name, folds: jobs } = check;
    const file = named ?? this.writePosted(text);
    const sweep = this.store.openSweep({
      name,
      file,
      spec: text,
      options: { real: r.real === true },
      folds: jobs,
    });
    if (this.children.has(sweep.id))
      throw new SweepRequestError(409, `sweep ${sweep.id} ('${name}') is already running here`);
    this.spawnSweep(sweep.id, file, r);
    return sweep;
  }

  cancel(id: number): SweepRow {
    const sweep = this.store.getSweep(id);
    if (!sweep) throw new SweepRequestError(404, `no experiment ${id}`, 'id');
    const child = this.children.get(id);
    // A sweep that has finished (its child may still be exiting) is not cancelled after the fact.
    if (sweep.status !== 'running')
      throw new SweepRequestError(409, `experiment ${id} is ${sweep.status}`, 'id');
    if (!child) {
      throw new SweepRequestError(
        409,
        `experiment ${id} was not started by this server: stop its \`cmcrd sweep\` process where it runs`,
        'id',
      );
    }
    this.children.delete(id);
    killGroup(child);
    this.store.cancelSweep(id);
    return this.store.getSweep(id)!;
  }

  /** Stops every sweep this server started (tests; a server that is told to take its sweeps down). */
  cancelAll(): void {
    for (const [id, child] of [...this.children]) {
      this.children.delete(id);
      killGroup(child);
      if (this.store.getSweep(id)?.status === 'running') this.store.cancelSweep(id);
    }
  }

  private writePosted(spec: string): string {
    const dir = join(this.workDir, 'posted');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${createHash('sha256').update(spec).digest('hex').slice(0, 16)}.yaml`);
    writeFileSync(file, spec);
    return file;
  }

  private named(path: string): { text: string; file: string } {
    const root = realpathOr(this.sweepFilesDir);
    const file = resolve(root, path);
    const rel = relative(root, file);
    if (isAbsolute(path) || rel.startsWith('..') || isAbsolute(rel)) {
      throw new SweepRequestError(
        400,
        `path must name a file under the server's sweeps folder (${root})`,
        'path',
      );
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
      if (relative(root, realpathSync(file)).startsWith('..')) throw new Error('outside');
    } catch {
      throw new SweepRequestError(400, `no sweep file '${path}' under ${root}`, 'path');
    }
    return { text, file };
  }

  private spawnSweep(id: number, file: string, r: StartSweep): void {
    const args = [...this.runner!.cliArgs, 'sweep', file, '--db', this.store.path];
    if (r.workers !== undefined) args.push('--workers', String(r.workers));
    if (r.retries !== undefined) args.push('--retries', String(r.retries));
    if (r.backend !== undefined) args.push('--backend', r.backend);
    if (r.real) args.push('--real');
    if (r.embeddings) args.push('--embeddings');
    const logDir = join(this.workDir, 'logs');
    mkdirSync(logDir, { recursive: true });
    const log = openSync(join(logDir, `experiment-${id}.log`), 'a');
    // Its own process group, so that a cancel reaches the coordinator and its workers together.
    const proc = spawn(process.execPath, args, {
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    });
    closeSync(log);
    this.children.set(id, proc);
    proc.on('exit', () => {
      if (this.children.get(id) === proc) this.children.delete(id);
    });
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, 'SIGTERM');
  } catch {
    child.kill('SIGTERM');
  }
}

function realpathOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return resolve(p);
  }
}

export function defaultWorkDir(dbPath: string): string {
  return join(dirname(dbPath), 'api');
}
