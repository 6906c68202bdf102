import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, it } from 'node:test';
import { Store } from '@cmcrd/store';

// A new user's first steps: clone, `pnpm install` (never `pnpm build`), `cmcrd serve`. The clone is
// of this repository's HEAD (what is committed), installed offline from the machine's pnpm store.
const PNPM = ['--yes', 'pnpm@10.34.8'];
const work = mkdtempSync(join(tmpdir(), 'cmcrd-fresh-clone-'));
let server: ChildProcess | undefined;

after(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const exited = new Promise((r) => server?.once('exit', r));
    process.kill(-server.pid, 'SIGTERM'); // its whole process group: npx, pnpm, node
    await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
    if (server.exitCode === null && server.signalCode === null) process.kill(-server.pid, 'SIGKILL');
  }
  rmSync(work, { recursive: true, force: true });
});

function repositoryRoot(): string {
  try {
    return execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: new URL('.', import.meta.url).pathname,
      encoding: 'utf8',
    }).trim();
  } catch {
    throw new Error('this test clones the repository: run it inside a git checkout');
  }
}

/** Resolves with the server's origin once `cmcrd serve` prints it; rejects if it exits or stalls. */
function serverOrigin(child: ChildProcess, ms: number): Promise<string> {
  let out = '';
  let err = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no server after ${ms} ms:\n${out}\n${err}`)), ms);
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /cmcrd dashboard on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cmcrd serve exited with ${code}:\n${out}\n${err}`));
    });
  });
}

it('serves the dashboard and the API from a fresh clone, after pnpm install alone', { timeout: 420_000 }, async () => {
  const clone = join(work, 'clone');
  execFileSync('git', ['clone', '--quiet', repositoryRoot(), clone]);
  assert.equal(existsSync(join(clone, 'apps/dashboard/out')), false, 'a clone has no built dashboard');

  const install = spawnSync('npx', [...PNPM, 'install', '--offline', '--frozen-lockfile'], {
    cwd: clone,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(install.status, 0, `pnpm install --offline failed:\n${install.stdout}\n${install.stderr}`);
  // Every install script is decided in pnpm-workspace.yaml: no "Ignored build scripts" box.
  assert.doesNotMatch(`${install.stdout}${install.stderr}`, /Ignored build scripts|approve-builds/);
  for (const pkg of ['packages/runner', 'packages/core', 'apps/api'])
    assert.equal(existsSync(join(clone, pkg, 'dist')), false, `${pkg} was built by install`);

  const dbPath = join(work, 'store.sqlite');
  Store.open(dbPath).close();
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: '1' };
  delete env.CMCRD_API_TOKEN;
  server = spawn('npx', [...PNPM, '-s', 'cmcrd', 'serve', '--port', '0', '--db', dbPath], {
    cwd: clone,
    env,
    detached: true, // a process group of its own, stopped as a whole in after()
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Builds the command (tsc -b) and the dashboard (next build) first, then listens.
  const origin = await serverOrigin(server, 300_000);

  const page = await fetch(`${origin}/`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(page.status, 200);
  assert.match(await page.text(), /Experiments/);
  const health = await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(10_000) });
  assert.equal(health.status, 200);
  const body = (await health.json()) as { ok: boolean; store: string; readOnly: boolean };
  assert.equal(body.ok, true);
  assert.equal(body.store, basename(dbPath), 'the file name alone: /api/health names no directory');
  assert.equal(body.readOnly, true);
});
