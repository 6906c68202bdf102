import { DEMO_DB, userPath } from '@cmcrd/runner';
import { type Command, InvalidArgumentError } from 'commander';
import { startDashboard } from './serve.js';

function port(v: string): number {
  if (!/^\d+$/.test(v) || Number(v) > 65535)
    throw new InvalidArgumentError(`--port must be 0–65535, got '${v}'`);
  return Number(v);
}

/** `cmcrd serve`: the dashboard and the API on one port; `--api-only` for the API alone. */
export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description(
      'the dashboard and the HTTP API on one port, over a store (read-only unless CMCRD_API_TOKEN is set)',
    )
    .option('--api-only', 'serve the API without the dashboard')
    .option('--db <path>', "SQLite store (default: the demo's)", DEMO_DB)
    .option('--port <n>', 'port (0: any free one)', port, 3000)
    .option(
      '--host <address>',
      'interface to bind; anything but loopback exposes the store to the network',
      '127.0.0.1',
    )
    .action(async (o: { db: string; port: number; host: string; apiOnly?: boolean }) => {
      const server = await startDashboard({
        dbPath: userPath(o.db),
        port: o.port,
        hostname: o.host,
        apiOnly: o.apiOnly === true,
      });
      const mode = process.env.CMCRD_API_TOKEN
        ? 'sweeps can be started and cancelled with the token'
        : 'read-only (set CMCRD_API_TOKEN to allow starting and cancelling sweeps)';
      const what = o.apiOnly
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
