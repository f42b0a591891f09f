// The scanner's service worker (served at /organiser/sw.js, behind the login, with
// `const SCANNER = {version, assets, pages_cache}` written above this line).
//
// - The scanner's files (scripts, styles, the QR decoder and its .wasm) are kept on
//   install and served from the cache: they only change with a new version.
// - Checkpoint pages: network first (the page is fresh and the login is checked);
//   when the network is gone or too slow, the copy kept by the checkpoint list.
// - Everything else, the API above all, is left to the network: personal answers are
//   never kept here (the roster lives in the page's IndexedDB).

/* global SCANNER */
const ASSETS_CACHE = `school-scanner-assets-${SCANNER.version}`;
const SCANNER_PAGE = /^\/organiser\/[^/]+\/checkin(\/[^/]+)?\/?$/;
const ASSETS = new Set(SCANNER.assets);
const PAGE_TIMEOUT_MS = 3000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(ASSETS_CACHE)
      // Asked of the server again (a 304 when unchanged), never taken from the HTTP
      // cache: nginx lets browsers keep vendored files for 30 days, and a new version
      // must not mix this release's scripts with the last one's .wasm.
      .then((cache) =>
        cache.addAll(SCANNER.assets.map((url) => new Request(url, { cache: "no-cache" }))),
      )
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) =>
        Promise.all(
          names
            .filter((name) => name.startsWith("school-scanner-assets-") && name !== ASSETS_CACHE)
            .map((name) => caches.delete(name)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("timeout")), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function page(request) {
  const url = new URL(request.url);
  try {
    const response = await withTimeout(fetch(request), PAGE_TIMEOUT_MS);
    if (response.ok && !response.redirected) {
      const cache = await caches.open(SCANNER.pages_cache);
      await cache.put(url.pathname, response.clone());
    }
    return response;
  } catch (error) {
    const cache = await caches.open(SCANNER.pages_cache);
    const kept = await cache.match(url.pathname, { ignoreSearch: true, ignoreVary: true });
    if (kept) return kept;
    throw error;
  }
}

async function asset(request) {
  const cache = await caches.open(ASSETS_CACHE);
  return (await cache.match(request, { ignoreVary: true })) || fetch(request);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && SCANNER_PAGE.test(url.pathname)) {
    event.respondWith(page(request));
  } else if (ASSETS.has(url.pathname)) {
    event.respondWith(asset(request));
  }
});
