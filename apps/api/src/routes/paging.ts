/** The next page's URL (same query, offset moved on), or null on the last page. */
export function nextUrl(url: string, offset: number, limit: number, total: number): string | null {
  if (offset + limit >= total) return null;
  const u = new URL(url);
  u.searchParams.set('offset', String(offset + limit));
  u.searchParams.set('limit', String(limit));
  return `${u.pathname}${u.search}`;
}
