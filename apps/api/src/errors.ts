import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import type { ApiError } from './contract/index.js';

export type { ApiError };

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
