// The loader of a site written by `cmcrd publish`, first in every page's <head>. It opens the
// site's copy of the store with sql.js (SQLite compiled to WebAssembly) and answers the dashboard's
// `/api/*` requests with the API's own read routes, in the page: no server computes anything, so the
// reviewer's browser recomputes every number from the fold rows. Nothing is requested from any host
// but the site's own.
import { createPageApi } from '@cmcrd/api/page';
import { openSqlJsStore } from '@cmcrd/store/sql-js';
import initSqlJs from 'sql.js';

interface SiteManifest {
  file: string;
  gz: string;
  bytes: number;
  sha256: string;
  version: string;
}

const SITE = '/cmcrd-site';
const realFetch = globalThis.fetch.bind(globalThis);

const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');

/** The store's bytes, unpacked here (DecompressionStream), whatever the host does with compression. */
async function storeBytes(m: SiteManifest): Promise<Uint8Array<ArrayBuffer>> {
  const res = await realFetch(`${SITE}/${m.gz}`);
  if (!res.ok || !res.body) throw new Error(`${SITE}/${m.gz}: HTTP ${res.status}`);
  return new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
}

const app = (async () => {
  const manifest = (await (await realFetch(`${SITE}/site.json`)).json()) as SiteManifest;
  const [SQL, bytes] = await Promise.all([initSqlJs({ locateFile: () => `${SITE}/sql-wasm.wasm` }), storeBytes(manifest)]);
  // The Verify panel shows the hash this browser computes, not the one the publisher wrote down;
  // computed when first asked (a paper-sized copy takes a few hundred ms), not before the first table.
  let identity: Promise<{ file: string; bytes: number; sha256: string }> | undefined;
  const identify = () => {
    identity ??= crypto.subtle.digest('SHA-256', bytes).then((d) => {
      const sha256 = hex(d);
      if (sha256 !== manifest.sha256) console.error(`cmcrd: ${manifest.file}: sha256 ${sha256}, but site.json says ${manifest.sha256}`);
      return { file: manifest.file, bytes: bytes.length, sha256 };
    });
    return identity;
  };
  const store = openSqlJsStore(SQL, bytes, manifest.file);
  return createPageApi({ store, identify, file: manifest.file, version: manifest.version });
})();

/** Same-origin /api/* requests go to the API in this page; everything else as usual. */
function isApi(url: URL): boolean {
  return url.origin === location.origin && (url.pathname === '/api' || url.pathname.startsWith('/api/'));
}

globalThis.fetch = async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
  const request = new Request(input, init);
  if (!isApi(new URL(request.url))) return realFetch(input, init);
  return (await app).fetch(request);
};

/**
 * The progress stream (`new EventSource('/api/events…')`) read from the API in the page: the
 * server-sent events of its response body, dispatched as an EventSource would.
 */
class PageEventSource extends EventTarget {
  onerror: ((e: Event) => void) | null = null;
  onmessage: ((e: MessageEvent) => void) | null = null;
  private readonly ctrl = new AbortController();
  readonly url: string;

  constructor(url: string | URL) {
    super();
    this.url = new URL(url, location.href).href;
    void this.read();
  }

  private async read(): Promise<void> {
    try {
      const res = await globalThis.fetch(this.url, { signal: this.ctrl.signal });
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          this.dispatchBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // Closed, or the stream failed: as an EventSource, say so through onerror.
    }
    if (!this.ctrl.signal.aborted) {
      const e = new Event('error');
      this.onerror?.(e);
      this.dispatchEvent(e);
    }
  }

  private dispatchBlock(block: string): void {
    let type = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) type = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length === 0) return;
    const e = new MessageEvent(type, { data: data.join('\n') });
    if (type === 'message') this.onmessage?.(e);
    this.dispatchEvent(e);
  }

  close(): void {
    this.ctrl.abort();
  }
}

const NativeEventSource = globalThis.EventSource;
/** `new EventSource(url)`: the page's stream for /api/*, the browser's otherwise (a constructor may return another object). */
class RoutedEventSource {
  constructor(url: string | URL, init?: EventSourceInit) {
    // biome-ignore lint/correctness/noConstructorReturn: the point of this class is to route construction
    return isApi(new URL(url, location.href)) ? new PageEventSource(url) : new NativeEventSource(url, init);
  }
}
globalThis.EventSource = RoutedEventSource as unknown as typeof EventSource;

// Downloads (the exports, the report bundle, a model) are links to /api/*: fetched from the API in
// the page and saved from a blob, under the name the link asks for.
document.addEventListener('click', (event) => {
  const a = (event.target as Element | null)?.closest?.('a[href]') as HTMLAnchorElement | null;
  if (!a || !isApi(new URL(a.href))) return;
  event.preventDefault();
  void (async () => {
    const res = await globalThis.fetch(a.href);
    const blob = await res.blob();
    const link = document.createElement('a');
    link.href = URL.createObjectURL(blob);
    link.download = a.getAttribute('download') || new URL(a.href).pathname.split('/').pop() || 'download';
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  })();
});
