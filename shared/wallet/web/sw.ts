/**
 * The wallet's service worker: keeps the page itself (HTML, script, styles, icons) so the installed
 * wallet opens without a network; the page then shows the last wallet it saw. Pages are fetched
 * from the network first, so a new version is picked up as soon as it is online. API calls are
 * never cached here: her data is kept by the page, once, not by a cache.
 */

interface ExtendableEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface FetchEvent extends ExtendableEvent {
  request: Request;
  respondWith(response: Promise<Response>): void;
}
interface Worker {
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: FetchEvent) => void): void;
  skipWaiting(): Promise<void>;
  clients: { claim(): Promise<void> };
}

const worker = self as unknown as Worker;
const CACHE = 'unifica-wallet-v1';
const SHELL = ['/wallet/', '/wallet/wallet.js', '/wallet/wallet.css', '/wallet/manifest.webmanifest', '/wallet/icon-192.png', '/wallet/icon-512.png'];

worker.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => worker.skipWaiting()),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => worker.clients.claim()),
  );
});

worker.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== 'GET' || url.origin !== location.origin || !url.pathname.startsWith('/wallet/')) return;
  // The shell is one document whatever the fragment or query: `/wallet/` stands for the page.
  const key = url.pathname === '/wallet/index.html' ? '/wallet/' : url.pathname;
  event.respondWith(
    fetch(event.request)
      .then(async (response) => {
        if (response.ok) await (await caches.open(CACHE)).put(key, response.clone());
        return response;
      })
      .catch(async () => (await caches.match(key)) ?? Response.error()),
  );
});
