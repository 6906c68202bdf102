import { hostname as machineName, networkInterfaces } from 'node:os';

/**
 * Defence against DNS rebinding: a page on `evil.example` that re-points its name at 127.0.0.1
 * can make the browser send requests here, but they still carry `Host: evil.example`. Only the
 * names this server is really reached by are answered; anything else gets 421 (Misdirected
 * Request) before any route runs.
 */
export interface HostPolicy {
  /** Is a request with this Host header (e.g. `127.0.0.1:3000`) for this server on `port`? */
  allows(hostHeader: string | null | undefined, port: number): boolean;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARDS = ['0.0.0.0', '::', ''];

/** True for an address or name that only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = bare(host).toLowerCase();
  return LOOPBACK_NAMES.includes(h) || h.endsWith('.localhost') || /^127(\.\d{1,3}){3}$/.test(h);
}

/** `[::1]` → `::1`; names lower-cased; a trailing dot (an absolute DNS name) dropped. */
function bare(host: string): string {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return h.toLowerCase().replace(/\.$/, '');
}

/** Splits a Host header into name and port (undefined when it gives none); null when malformed. */
export function splitHostHeader(header: string): { name: string; port: number | undefined } | null {
  const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d{1,5}))?$/i.exec(header.trim());
  if (!m) return null;
  return { name: bare(m[1]), port: m[2] === undefined ? undefined : Number(m[2]) };
}

/**
 * The names a server bound to `bindHost` answers to: the loopback names; the bound address
 * itself; for a wildcard bind (0.0.0.0, ::), this machine's name and every address of its
 * interfaces; and `extra` names (a reverse proxy's public name, `--allow-host`), which may carry
 * their own port (`name:443`) or none (any port).
 */
export function hostPolicy(bindHost: string, extra: readonly string[] = []): HostPolicy {
  const ownPort = new Set<string>(LOOPBACK_NAMES);
  const bound = bare(bindHost);
  if (WILDCARDS.includes(bound)) {
    ownPort.add(machineName().toLowerCase());
    for (const list of Object.values(networkInterfaces()))
      for (const a of list ?? []) ownPort.add(bare(a.address.split('%')[0]));
  } else ownPort.add(bound);
  const anyPort = new Set<string>();
  const fixedPort = new Set<string>();
  for (const e of extra) {
    const split = splitHostHeader(e);
    if (!split) continue;
    if (split.port === undefined) anyPort.add(split.name);
    else fixedPort.add(`${split.name}:${split.port}`);
  }
  return {
    allows(header, port) {
      if (!header) return false;
      const split = splitHostHeader(header);
      if (!split) return false;
      const { name } = split;
      // No port in the header means the scheme's default (80 over plain HTTP).
      const given = split.port ?? 80;
      if (anyPort.has(name) || fixedPort.has(`${name}:${given}`)) return true;
      if (given !== port) return false;
      return ownPort.has(name) || isLoopback(name);
    },
  };
}

/** Wraps a fetch handler so that requests for another host are refused with 421. */
export function guardHost(
  fetch: (request: Request) => Response | Promise<Response>,
  policy: HostPolicy,
  port: () => number,
): (request: Request) => Response | Promise<Response> {
  return (request) => {
    const host = request.headers.get('host');
    if (policy.allows(host, port())) return fetch(request);
    const body = {
      error: 'misdirected request',
      message: `this server does not answer for Host '${host ?? ''}': use http://127.0.0.1:${port()}/ (or start it with --allow-host <name> behind a reverse proxy)`,
      parameter: 'Host',
      in: 'header',
    };
    return new Response(JSON.stringify(body), {
      status: 421,
      headers: { 'content-type': 'application/json; charset=utf-8', connection: 'close' },
    });
  };
}
