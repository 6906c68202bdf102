import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { errorJson } from './errors.js';

const digest = (s: string) => createHash('sha256').update(s).digest();

/**
 * Mutations need `Authorization: Bearer <token>`. Without a configured token the server is
 * read-only and says so (403); a missing or wrong token is 401. Compared in constant time.
 */
export function requireToken(token: string | null): MiddlewareHandler {
  const expected = token ? digest(token) : null;
  return async (c, next) => {
    if (!expected) {
      return errorJson(c, 403, {
        error: 'read-only',
        message:
          'this server is read-only: start it with CMCRD_API_TOKEN set to allow starting and cancelling sweeps',
      });
    }
    const header = c.req.header('authorization') ?? '';
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer`, `BEARER` and `Bearer` alike.
    const match = /^bearer +(\S+) *$/i.exec(header);
    if (!match || !timingSafeEqual(digest(match[1]), expected)) {
      c.header('WWW-Authenticate', 'Bearer realm="cmcrd"');
      return errorJson(c, 401, {
        error: 'unauthorized',
        message: 'a valid bearer token is required (Authorization: Bearer <CMCRD_API_TOKEN>)',
        parameter: 'Authorization',
        in: 'header',
      });
    }
    await next();
  };
}
