// Gridwatch service worker: keeps the app shell available on a poor or absent network.
// - pages (navigations, /index.html): network first, the last good copy when offline;
// - /assets/*: content-hashed by the build, so cache first, fetched once per release;
// - /api/*: never touched; data must be live, and offline writes are the app's business.
const CACHE = 'gridwatch-shell-v1';
const SHELL = '/index.html';
const PRECACHE = [SHELL, '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(PRECACHE))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/api/'))
    return;

  if (request.mode === 'navigate' || url.pathname === SHELL) {
    event.respondWith(networkFirstShell(request));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else {
    // Icons and the manifest: fresh when online, precached copies when not.
    event.respondWith(
      fetch(request).catch(() => caches.match(request).then((hit) => hit ?? Response.error())),
    );
  }
});

/** Every client route is the same index.html (SPA fallback), so one cache entry serves them all. */
async function networkFirstShell(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await fetch(request);
    if (response.ok) {
      const html = await response.clone().text();
      await cache.put(SHELL, response.clone());
      await pruneAssets(cache, html);
    }
    return response;
  } catch {
    return (await cache.match(SHELL)) ?? Response.error();
  }
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  const response = await fetch(request);
  // A missing asset may come back as the SPA fallback page with 200: never keep that as a script.
  const isPage = response.headers.get('content-type')?.includes('text/html');
  if (response.ok && !isPage) await cache.put(request, response.clone());
  return response;
}

/**
 * Hashed assets of past releases would pile up forever: keep only those the current shell names.
 * The build preloads every chunk from index.html, so that list is complete.
 */
async function pruneAssets(cache, html) {
  const current = new Set(html.match(/\/assets\/[^"'\s)]+/g) ?? []);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/assets/') && !current.has(path)) await cache.delete(request);
  }
}
