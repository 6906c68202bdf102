import { z } from 'zod';

/** Every error the API returns: what went wrong, and which parameter when one did. */
export const ErrorSchema = z.object({
  error: z.string(),
  message: z.string(),
  parameter: z.string().optional().describe('the offending parameter (query, path or body field)'),
  in: z.string().optional().describe("where it was: 'query', 'param' (path), 'json' (body) or 'header'"),
});
export type ApiError = z.infer<typeof ErrorSchema>;

/** The answer to a path under /api that no route serves. */
export const NotFoundSchema = z.object({ error: z.literal('not found'), message: z.string(), path: z.string() });
export type NotFoundBody = z.infer<typeof NotFoundSchema>;

/** The answer to a request the server failed on (the details go to its log). */
export const InternalErrorSchema = z.object({
  error: z.literal('internal error'),
  message: z.string(),
  path: z.string(),
});
export type InternalErrorBody = z.infer<typeof InternalErrorSchema>;

export const HealthSchema = z.object({
  ok: z.literal(true),
  version: z.string(),
  store: z.string().describe("the store's file name (no directory)"),
  readOnly: z.boolean(),
});
export type HealthBody = z.infer<typeof HealthSchema>;

/** A page of a list. */
export const page = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
    next: z.string().nullable().describe('the URL of the next page, or null'),
  });
