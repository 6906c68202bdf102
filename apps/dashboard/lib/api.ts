'use client';
import type { ApiError } from '@cmcrd/api/contract';
import { useEffect, useState } from 'react';

type Early = Promise<{ ok: boolean; status: number; body: unknown }>;

/** A request components/EarlyFetch.tsx already started for this URL (same parameters, any order), taken once. */
function takeEarly(url: string): Early | undefined {
  const early = (globalThis as { __cmcrdEarly?: Record<string, Early> }).__cmcrdEarly;
  if (!early) return undefined;
  const u = new URL(url, 'http://x');
  u.searchParams.sort();
  const key = `${u.pathname}${u.search || (url.includes('/api/tables/') ? '?' : '')}`;
  const hit: Early | undefined = early[key];
  if (hit !== undefined) delete early[key];
  return hit;
}

/** A GET of the API (same origin); `url` null waits. Cancels the previous request when the URL changes. */
export function useApi<T>(url: string | null): { data: T | null; error: string | null; loading: boolean } {
  const [state, setState] = useState<{ data: T | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: url !== null,
  });
  useEffect(() => {
    if (url === null) return;
    const ctrl = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    const request: Early =
      takeEarly(url) ??
      fetch(url, { signal: ctrl.signal }).then(async (r) => ({
        ok: r.ok,
        status: r.status,
        body: await r.json(),
      }));
    request
      .then(({ ok, status, body }) => {
        if (ctrl.signal.aborted) return;
        if (!ok) throw new Error((body as Partial<ApiError> | null)?.message ?? `HTTP ${status}`);
        setState({ data: body as T, error: null, loading: false });
      })
      .catch((e: Error) => {
        if (!ctrl.signal.aborted) setState({ data: null, error: e.message, loading: false });
      });
    return () => ctrl.abort();
  }, [url]);
  return state;
}

/** A query string from the values that are set. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
