// The playground's service worker: the page, its script and the engines' WASM are kept in
// Cache Storage, so with no network the page still opens, reads its sealed bundle and audit
// trail from IndexedDB and its model from OPFS, and keeps working. Everything is fetched
// network-first (a running server always wins, so an update is picked up); the cache is only
// the fallback. The authority is another origin and the backend's calls are POSTs: neither
// is ever cached.

type ExtendableEvent = Event & { waitUntil(work: Promise<unknown>): void };
type FetchEvent = ExtendableEvent & { request: Request; respondWith(response: Promise<Response>): void };
interface WorkerScope {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
  location: Location;
}

const scope = self as unknown as WorkerScope;
const CACHE = 'offline-consent-playground-v1';
/** What the page needs to start with no network (its lazy chunks and the WASM are cached as they load). */
const SHELL = ['/', '/styles.css', '/assets/main.js', '/playground/config'];
/** Never cached here: device and backend calls, and model files (OPFS keeps those, once). */
const NEVER = /^\/(operator|models|playground\/(session|consent))(\/|$)/;

scope.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => scope.skipWaiting()));
});

scope.addEventListener('activate', (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(names.filter((n) => n.startsWith('offline-consent-playground-') && n !== CACHE).map((n) => caches.delete(n))))
      .then(() => scope.clients.claim()),
  );
});

async function networkFirst(request: Request): Promise<Response> {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok && response.status === 200) await cache.put(request, response.clone());
    return response;
  } catch (error) {
    const cached = await cache.match(request, { ignoreSearch: request.mode === 'navigate' });
    if (cached) return cached;
    throw error;
  }
}

scope.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== scope.location.origin || NEVER.test(url.pathname)) return;
  event.respondWith(networkFirst(event.request));
});
