import { DEFAULT_DB, userPath } from '@cmcrd/store/paths';
import { type Command, InvalidArgumentError } from 'commander';
import { isLoopback } from './host-check.js';
import type { ServerHandle, StartServerOptions } from './server.js';
import type { SweepRunner } from './sweep-control.js';

// Light on purpose: `cmcrd --help` registers this command without loading the API (or the store);
// the action imports them when it runs.

/** Shorter tokens can be guessed or brute-forced over a network; 32 hex characters are 128 bits. */
export const MIN_TOKEN_LENGTH = 32;

/** Why a token is refused, or null when it will do. */
export function tokenProblem(token: string | undefined): string | null {
  if (!token || token.length >= MIN_TOKEN_LENGTH) return null;
  return `CMCRD_API_TOKEN is ${token.length} character(s) long; a token needs at least ${MIN_TOKEN_LENGTH}. Make one with \`openssl rand -hex 32\` (or \`node -e "console.log(crypto.randomBytes(32).toString('hex'))"\`)`;
}

function port(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new InvalidArgumentError(`--port must be 0–65535, got '${v}'`);
  return Number(v);
}

/** A server with the dashboard as well as the API (the dashboard's package provides it). */
export type StartWithDashboard = (
  options: StartServerOptions & { apiOnly: boolean },
) => Promise<ServerHandle>;

/**
 * `cmcrd serve`: the API over a store on 127.0.0.1:3000, and, when the dashboard's package passes
 * `withDashboard`, the dashboard on the same port (`--api-only` leaves it out). Sweeps can be started
 * over it when the command passes the runner's `sweepRunner`.
 */
export function registerServeCommand(program: Command, withDashboard?: StartWithDashboard, sweepRunner?: SweepRunner): void {
  program
    .command('serve')
    .description(
      withDashboard
        ? 'the dashboard and the HTTP API on one port, over a store (read-only unless CMCRD_API_TOKEN is set)'
        : 'the HTTP API over a store (read-only unless CMCRD_API_TOKEN is set)',
    )
    .option(
      '--api-only',
      withDashboard ? 'serve the API without the dashboard' : 'serve the API (the only mode of this package)',
    )
    .option('--db <path>', 'SQLite store (it must exist: serving never creates one)', DEFAULT_DB)
    .option('--port <n>', 'port (0: any free one; a taken one is refused, exit 2)', port, 3000)
    .option(
      '--host <address>',
      'interface to bind; anything but loopback exposes the store to the network',
      '127.0.0.1',
    )
    .option(
      '--allow-host <name>',
      "also answer requests for this Host (a reverse proxy's public name, `name` or `name:port`; repeatable)",
      (v: string, acc: string[] = []) => [...acc, v],
    )
    .action(async (o: { db: string; port: number; host: string; apiOnly?: boolean; allowHost?: string[] }) => {
      const problem = tokenProblem(process.env.CMCRD_API_TOKEN);
      if (problem) {
        console.error(`cmcrd serve: ${problem}`);
        process.exitCode = 2;
        return;
      }
      if (!isLoopback(o.host)) {
        process.stderr.write(
          `cmcrd serve: warning: --host ${o.host} is not loopback: anyone who can reach this machine can read every fold of the store${process.env.CMCRD_API_TOKEN ? ' (and, with the token, start sweeps)' : ''}, over plain HTTP. Prefer 127.0.0.1 behind a TLS reverse proxy (docs/api.md).\n`,
        );
      }
      const apiOnly = !withDashboard || o.apiOnly === true;
      const [{ Store }, { listenProblem, probeListen, startServer }] = await Promise.all([import('@cmcrd/store'), import('./server.js')]);
      // Before anything slow (building the dashboard): a missing store or a port taken is exit 2, and
      // nothing is created.
      const options = { dbPath: Store.requireExisting(userPath(o.db)), port: o.port, hostname: o.host, allowedHosts: o.allowHost ?? [], sweepRunner };
      const refuse = (problem: string) => {
        console.error(`cmcrd serve: ${problem}`);
        process.exitCode = 2;
      };
      const early = o.port === 0 ? null : await probeListen(o.port, o.host);
      if (early) return refuse(early);
      let server: ServerHandle;
      try {
        server = withDashboard ? await withDashboard({ ...options, apiOnly }) : await startServer(options);
      } catch (e) {
        const problem = listenProblem(e, o.port, o.host);
        if (problem) return refuse(problem);
        throw e;
      }
      const mode = process.env.CMCRD_API_TOKEN
        ? 'sweeps can be started and cancelled with the token'
        : 'read-only (set CMCRD_API_TOKEN to allow starting and cancelling sweeps)';
      const what = apiOnly
        ? `cmcrd API on ${server.url}/api`
        : `cmcrd dashboard on ${server.url}/ (API: ${server.url}/api)`;
      console.log(
        `${what} (OpenAPI: ${server.url}/api/openapi.json) over ${server.api.store.path}; ${mode}. Ctrl-C stops it.`,
      );
      await new Promise<void>((resolve) => {
        const stop = () => {
          server.close().then(resolve, resolve);
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
    });
}
