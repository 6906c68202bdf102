// Helpers of the store-fault and fault-injection tests and of their benchmark (not a test file itself).
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { Store } from '@cmcrd/store';
import { fixtureRow, goldenFolds, insertFolds } from '@cmcrd/store/testing';

export const CLI = fileURLToPath(new URL('../../../apps/cli/src/cmcrd.ts', import.meta.url));
/** `node <flags> cli.ts`, as a shell command (for scripts run in a private mount namespace). */
export const CLI_SHELL = [process.execPath, ...process.execArgv, CLI].map((a) => `'${a}'`).join(' ');

/** A sweep of `subjects` × (eeg-only, kd) tiny folds: 2 epochs, a 2-epoch teacher. */
export function writeTinySweep(file: string, subjects = 4, name = 'tiny'): number {
  const folds = Array.from({ length: subjects }, (_, i) => `subject-${String(i + 1).padStart(2, '0')}`);
  writeFileSync(
    file,
    [
      `name: ${name}`,
      'defaults:',
      '  epochs: 2',
      '  warmupEpochs: 1',
      '  teacherEpochs: 2',
      'grids:',
      '  - dataset: synthetic-seed-iv',
      '    method: [eeg-only, kd]',
      `    folds: [${folds.join(', ')}]`,
      '',
    ].join('\n'),
  );
  return subjects * 2;
}

/** A store holding the golden fixture folds: what must survive every fault untouched. */
export function seededStore(path: string): number {
  const store = Store.open(path);
  const rows = goldenFolds().map(fixtureRow);
  insertFolds(store, rows);
  store.close();
  return rows.length;
}

export interface StoreState {
  integrity: string;
  /** Done rows per config hash of the sweep's folds (host != 'fixture'). */
  doneBySweepFold: Map<string, number>;
  failed: number;
  fixtureRows: number;
  sweeps: string[];
  claims: number;
}

/** What a store holds after a fault: read with a plain read-only connection, nothing migrated. */
export function inspectStore(path: string): StoreState {
  const db = new Database(path, { readonly: true });
  try {
    const integrity = (db.prepare('PRAGMA integrity_check').pluck().all() as string[]).join('; ');
    const done = db.prepare("SELECT config_hash, count(*) FROM folds WHERE status = 'done' AND host != 'fixture' GROUP BY config_hash").raw().all() as [string, number][];
    const hasClaims = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'claims'").pluck().get() === 1;
    return {
      integrity,
      doneBySweepFold: new Map(done),
      failed: db.prepare("SELECT count(*) FROM folds WHERE status = 'failed' AND host != 'fixture'").pluck().get() as number,
      fixtureRows: db.prepare("SELECT count(*) FROM folds WHERE host = 'fixture'").pluck().get() as number,
      sweeps: db.prepare('SELECT status FROM sweeps ORDER BY id').pluck().all() as string[],
      claims: hasClaims ? (db.prepare('SELECT count(*) FROM claims').pluck().get() as number) : 0,
    };
  } finally {
    db.close();
  }
}

/** Runs a bash script in a private mount namespace (we are root: tmpfs mounts stay inside it). */
export function inNamespace(script: string, env: Record<string, string>, timeoutMs = 240_000): { code: number | null; out: string } {
  const r = spawnSync('unshare', ['-m', 'bash', '-c', `set -u\n${script}`], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}${r.error ? `\n${r.error.message}` : ''}` };
}

/** Runs the CLI; resolves with its exit code and output. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    child.on('exit', (code) => resolve({ code, out }));
  });
}

/** Overwrites `count` pages from page `first` (1-based) with zeros, as a failing disk might. */
export function zeroPages(path: string, first: number, count: number): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  db.close();
  const fd = spawnSync('dd', ['if=/dev/zero', `of=${path}`, `bs=${pageSize}`, `seek=${first - 1}`, `count=${count}`, 'conv=notrunc'], { encoding: 'utf8' });
  if (fd.status !== 0) throw new Error(`dd failed: ${fd.stderr}`);
}

/** Lines of a stack trace in some output. */
export const stackLines = (out: string) => out.split('\n').filter((l) => /^\s+at /.test(l));

export const foldsRun = (out: string) => Number(/(\d+) fold\(s\) run/.exec(out)?.[1] ?? Number.NaN);

export { join };
