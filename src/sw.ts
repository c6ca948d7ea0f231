/// <reference lib="webworker" />
// The service worker: the whole app precached (offline after the first visit), and every response it serves carries
// the cross-origin isolation headers, so on a static host that cannot send them (GitHub Pages, a bucket) the page
// is isolated from its second visit on and may run the threaded reader (src/db/reader.ts). Everything the app loads
// is its own origin's, so nothing it needs is refused by them.
import { clientsClaim } from 'workbox-core';
import { addPlugins, cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { CacheFirst } from 'workbox-strategies';
import type { WorkboxPlugin } from 'workbox-core/types.js';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

/** COOP + COEP (+ CORP, for the page's own subresources): what vite.config.ts has the preview server send. */
export const ISOLATION: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/** The same response with the isolation headers (an opaque or error response is passed on as it is). */
function isolated(response: Response): Response {
  if (response.type === 'opaque' || response.type === 'opaqueredirect' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [k, v] of Object.entries(ISOLATION)) headers.set(k, v);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const isolation: WorkboxPlugin = { handlerWillRespond: async ({ response }) => isolated(response) };

addPlugins([isolation]);
precacheAndRoute(self.__WB_MANIFEST);
cleanupOutdatedCaches();
registerRoute(new NavigationRoute(createHandlerBoundToURL('index.html')));
// The threaded build's 37 MB wasm is not precached (most visits never load it): kept once a big dataset used it.
registerRoute(
  ({ url, sameOrigin }) => sameOrigin && /\/duckdb-coi-[^/]*\.wasm$/.test(url.pathname),
  new CacheFirst({ cacheName: 'strata-threads', plugins: [isolation] }),
);

// A new version takes over at once (the app's data lives in OPFS, not in the page).
void self.skipWaiting();
clientsClaim();
