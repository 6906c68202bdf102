import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type AppOptions, createApp } from './app.js';

export interface StartServerOptions extends AppOptions {
  /** Port to listen on; 0 picks a free one (see the handle's `port`). */
  port: number;
  /** Interface to bind; loopback unless asked otherwise. */
  hostname?: string;
}

export interface ServerHandle {
  /** The port actually bound (differs from the requested one when it was 0). */
  port: number;
  hostname: string;
  /** Base URL, e.g. `http://127.0.0.1:4000`. */
  url: string;
  /** Stops accepting connections, drops idle keep-alive ones, resolves once closed. */
  close(): Promise<void>;
}

/** Starts the API on `hostname:port` and resolves once it is listening. */
export function startServer(options: StartServerOptions): Promise<ServerHandle> {
  const { port, hostname = '127.0.0.1', ...appOptions } = options;
  const app = createApp(appOptions);

  return new Promise<ServerHandle>((resolve, reject) => {
    const server = serve({ fetch: app.fetch, port, hostname }, (info: AddressInfo) => {
      server.off('error', onError);
      const host = info.address.includes(':') ? `[${info.address}]` : info.address;
      resolve({
        port: info.port,
        hostname,
        url: `http://${host}:${info.port}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((err?: Error) => (err ? fail(err) : done()));
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    const onError = (err: Error) => reject(err);
    server.once('error', onError);
  });
}
