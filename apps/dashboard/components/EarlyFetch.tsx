import { TABLE_PAGES } from '../lib/table-pages';

/**
 * Starts a table page's two API requests while the page's JavaScript is still loading: the
 * store's facets, and the table itself when the URL already names its required filters. `useApi`
 * picks the promises up (once) instead of asking again; nothing is fetched that the page will not
 * show.
 */
const PAGES = Object.fromEntries(
  Object.entries(TABLE_PAGES).map(([page, p]) => [
    page,
    { required: p.required, known: [...p.required, ...p.optional] },
  ]),
);

const SCRIPT = `(function () {
  var pages = ${JSON.stringify(PAGES)};
  var m = location.pathname.match(/^\\/([a-z]+)\\/$/);
  var page = m && pages[m[1]];
  if (!page) return;
  var early = (window.__cmcrdEarly = {});
  function go(url) {
    early[url] = fetch(url).then(function (r) { return r.json().then(function (b) { return { ok: r.ok, status: r.status, body: b }; }); });
  }
  go('/api/facets');
  var params = new URLSearchParams(location.search);
  for (var i = 0; i < page.required.length; i++) if (!params.get(page.required[i])) return;
  var q = new URLSearchParams();
  page.known.forEach(function (k) { if (params.get(k)) q.set(k, params.get(k)); });
  q.sort();
  go('/api/tables/' + m[1] + '?' + q.toString());
})();`;

export function EarlyFetch() {
  // biome-ignore lint/security/noDangerouslySetInnerHtml: a constant script of ours, no user input
  return <script dangerouslySetInnerHTML={{ __html: SCRIPT }} />;
}
