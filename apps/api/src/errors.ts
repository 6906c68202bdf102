import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

/** Every error the API returns has this shape: what went wrong, and which parameter when one did. */
export interface ApiError {
  error: string;
  message: string;
  /** The offending parameter (query, path or body field), when there is one. */
  parameter?: string;
  /** Where it was: 'query', 'param' (path), 'json' (body) or 'header'. */
  in?: string;
}

export function errorJson<S extends ContentfulStatusCode>(c: Context, status: S, body: ApiError) {
  return c.json(body, status);
}

/** The first problem of a failed validation, naming the parameter (zod's path, or an unknown key). */
export function describeZodError(error: ZodError, target: string): ApiError {
  const issue = error.issues[0];
  const unknown = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys : undefined;
  const parameter = unknown ? unknown.join(', ') : issue.path.map(String).join('.') || undefined;
  const message = unknown
    ? `unknown parameter${unknown.length > 1 ? 's' : ''} ${unknown.map((k) => `'${k}'`).join(', ')}`
    : issue.message;
  return {
    error: 'invalid parameter',
    message: parameter && !unknown ? `${parameter}: ${message}` : message,
    ...(parameter ? { parameter } : {}),
    in: target,
  };
}
