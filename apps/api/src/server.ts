import { type AddressInfo, createServer } from 'node:net';
import { serve } from '@hono/node-server';
import { type Api, type AppOptions, createApi } from './app.js';
import { guardHost, hostPolicy } from './host-check.js';

export interface StartServerOptions extends AppOptions {
  /** Port to listen on; 0 picks a free one (see the handle's `port`). */
  port: number;
  /** Interface to bind; loopback unless asked otherwise. */
  hostname?: string;
  /** What answers requests, given the API (default: the API alone); the dashboard wraps it. */
  fetchFor?: (api: Api) => (request: Request) => Response | Promise<Response>;
  /**
   * Host names answered besides loopback and `hostname` (a reverse proxy's public name; `name` for
   * any port or `name:port`). Every other Host header is refused with 421 (DNS rebinding).
   */
  allowedHosts?: readonly string[];
}

export interface ServerHandle {
  /** The port actually bound (differs from the requested one when it was 0). */
  port: number;
  hostname: string;
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  api: Api;
  /** Stops accepting connections, drops open ones (progress streams too), closes the store it opened. */
  close(): Promise<void>;
}

/** Starts the API on `hostname:port` (127.0.0.1 unless told otherwise) and resolves once it is listening. */
export function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const { port, hostname = '127.0.0.1', fetchFor, allowedHosts = [], ...appOptions } = options;
  const api = createApi(appOptions);
  let bound = port;
  // The API and the dashboard alike: the check runs before either sees the request.
  const fetch = guardHost(fetchFor ? fetchFor(api) : api.app.fetch, hostPolicy(hostname, allowedHosts), () => bound);

  return new Promise<ServerHandle>((resolve, reject) => {
    const server = serve({ fetch, port, hostname }, (info: AddressInfo) => {
      server.off('error', onError);
      bound = info.port;
      const host = info.address.includes(':') ? `[${info.address}]` : info.address;
      resolve({
        port: info.port,
        hostname,
        url: `http://${host}:${info.port}`,
        api,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err?: Error) => {
              api.close();
              return err ? fail(err) : done();
            });
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    const onError = (err: Error) => {
      api.close();
      reject(err);
    };
    server.once('error', onError);
  });
}

/**
 * The one line `cmcrd serve` prints when it cannot listen on `host:port` (the port taken by another
 * server, a privileged port, an address not of this machine); null for any other error.
 */
export function listenProblem(error: unknown, port: number, host: string): string | null {
  switch ((error as NodeJS.ErrnoException | null)?.code) {
    case 'EADDRINUSE':
      return `port ${port} on ${host} is taken (another cmcrd serve?): choose another with --port ${port < 65535 ? port + 1 : 3000}, or --port 0 for any free one`;
    case 'EACCES':
      return `port ${port} on ${host} needs privileges this user does not have: choose one above 1023 with --port, or --port 0 for any free one`;
    case 'EADDRNOTAVAIL':
      return `--host ${host} is not an address of this machine: use 127.0.0.1 (the default), or one of its interfaces' addresses`;
    default:
      return null;
  }
}

/**
 * Whether `host:port` can be listened on now: null, or listenProblem's line. `cmcrd serve` asks before
 * anything slow (building the dashboard), so that a taken port is said at once; the real listen can
 * still lose a race, and says the same.
 */
export function probeListen(port: number, host: string): Promise<string | null> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (e) => resolve(listenProblem(e, port, host)));
    probe.listen({ port, host, exclusive: true }, () => probe.close(() => resolve(null)));
  });
}
