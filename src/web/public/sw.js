// Gridwatch service worker: keeps the app shell available on a poor or absent network.
// - pages (navigations, /index.html): network first, the last good copy when offline, when the
//   server or a proxy fails (5xx), or when the network has not answered in a few seconds;
// - /assets/*: content-hashed by the build, so cache first, fetched once per release;
// - /api/*: never touched; data must be live, and offline writes are the app's business.
const CACHE = 'gridwatch-shell-v1';
const SHELL = '/index.html';
const PRECACHE = [SHELL, '/manifest.webmanifest', '/icons/icon-192.png', '/icons/icon-512.png'];
/** How long a page load waits for the network before the saved shell is shown instead. */
const SHELL_WAIT_MS = 4000;

self.addEventListener('install', (event) => {
  // Calls to the API go straight to the network without starting this worker (the static routing
  // API, Chromium 123+): a phone woken in a village need not wait for the worker to boot before each
  // call, and the call is the page's own request, so whatever the page's network is, it sees.
  // Elsewhere the fetch handler below lets them through untouched.
  if (typeof event.addRoutes === 'function')
    event.waitUntil(
      event
        .addRoutes([{ condition: { urlPattern: { pathname: '/api/*' } }, source: 'network' }])
        .catch(() => undefined),
    );
  event.waitUntil(
    caches
      .open(CACHE)
      .then(async (cache) => {
        await cache.addAll(PRECACHE);
        // The scripts and styles the shell names too: the page that installed this worker loaded
        // them before it was in control, and an offline reload needs them from here.
        const shell = await cache.match(SHELL);
        if (shell) await cacheAssets(cache, await shell.text());
      })
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

  // A page of the app is a path without an extension (a file opened in a tab is not the shell).
  const isAppPage = request.mode === 'navigate' && !/\.[a-z0-9]+$/i.test(url.pathname);
  if (isAppPage || url.pathname === SHELL) {
    event.respondWith(networkFirstShell(event));
  } else if (url.pathname.startsWith('/assets/')) {
    event.respondWith(cacheFirst(request));
  } else {
    // Icons and the manifest: fresh when online, precached copies when not.
    event.respondWith(
      fetch(request).catch(() => caches.match(request).then((hit) => hit ?? Response.error())),
    );
  }
});

/**
 * Every client route is the same index.html (SPA fallback), so one cache entry serves them all.
 * The network is asked first; the saved copy answers when it fails, answers with a server error
 * (a proxy's 502 while the app server is down), or is too slow (a signal that passes nothing).
 * A late answer still refreshes the saved copy.
 */
async function networkFirstShell(event) {
  const cache = await caches.open(CACHE);
  const saved = await cache.match(SHELL);
  // The new shell's assets are stored after it is answered (not before: on a slow link the old
  // shell would be shown meanwhile, talking to the new server).
  let assetsStored = Promise.resolve();
  const fresh = fetch(event.request).then(async (response) => {
    // Only the app's own page is kept: not a redirect, nor a Wi-Fi portal's login page (200,
    // HTML, but naming none of our scripts), which would otherwise replace it and prune them all.
    const isHtml = response.headers.get('content-type')?.includes('text/html');
    if (response.ok && isHtml && !response.redirected) {
      const html = await response.clone().text();
      if (assetsOf(html).size === 0) return saved ?? response;
      await cache.put(SHELL, response.clone());
      assetsStored = cacheAssets(cache, html).then(() => pruneAssets(cache, html));
    }
    return response;
  });
  // Still running while the page answered is shown (allowed while respondWith is pending).
  event.waitUntil(fresh.then(() => assetsStored).catch(() => undefined));
  if (!saved) return fresh.catch(() => Response.error());
  let timer;
  const late = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), SHELL_WAIT_MS);
  });
  const first = await Promise.race([fresh.catch(() => null), late]);
  clearTimeout(timer);
  return first && first.status < 500 ? first : saved;
}

/** The hashed assets a shell names (the build preloads every chunk from index.html). */
const assetsOf = (html) => new Set(html.match(/\/assets\/[^"'\s)]+/g) ?? []);

/** Stores the assets of a shell not stored yet, so the shell works offline. */
async function cacheAssets(cache, html) {
  const missing = [];
  for (const path of assetsOf(html)) if (!(await cache.match(path))) missing.push(path);
  // One failing asset must not fail the rest (nor the install): each on its own.
  await Promise.all(missing.map((path) => fetchAsset(cache, new Request(path)).catch(() => undefined)));
}

async function cacheFirst(request) {
  const cache = await caches.open(CACHE);
  const hit = await cache.match(request);
  if (hit) return hit;
  return fetchAsset(cache, request);
}

/** Fetches an asset and stores it, unless it is no asset. */
async function fetchAsset(cache, request) {
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
  const current = assetsOf(html);
  for (const request of await cache.keys()) {
    const path = new URL(request.url).pathname;
    if (path.startsWith('/assets/') && !current.has(path)) await cache.delete(request);
  }
}
