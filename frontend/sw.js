// The service worker: the app shell for a phone with no connection, one cache per version.
//
// BUILD is stamped by whoever serves the site (infra/pwa.py: the local stack per request, the
// deploy once): the version is a hash of every shell file, and each file carries its own hash.
// Install fetches every file, checks each against its hash (a deploy landing mid-install fails
// the install rather than caching a mix) and only then writes them all into this version's cache.
// A page is served only from the cache of the worker that controls it, so it never mixes versions;
// a new version waits until the app is closed or the person taps "Reload" (then the page reloads
// at once). Unstamped (a plain static server), the worker caches nothing and gets out of the way.

const BUILD = { version: null, files: [] }; // stamped: infra/pwa.py
const PREFIX = "shelfwise-shell-";
const CACHE = PREFIX + BUILD.version;
const scoped = (path) => new URL(path, self.registration.scope).href;

self.addEventListener("install", (event) => {
  if (!BUILD.version) return;
  event.waitUntil((async () => {
    const fetched = await Promise.all(BUILD.files.map(async ({ path, integrity }) => {
      const request = new Request(scoped(path), { cache: "reload", integrity, credentials: "same-origin" });
      const response = await fetch(request);
      if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
      return [scoped(path), response];
    }));
    const cache = await caches.open(CACHE);
    await Promise.all(fetched.map(([url, response]) => cache.put(url, response)));
  })());
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    if (BUILD.version) {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
    }
    // Safe to take pages over: a new version activates only when no page runs the old one, or
    // when the person asked for it and the page reloads.
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "skip-waiting") self.skipWaiting();
});

// Paths answered by the network only (local stack's demo progress).
const LIVE = new Set(["demo.json"]);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (!BUILD.version || request.method !== "GET") return;
  const url = new URL(request.url);
  const scope = new URL(self.registration.scope);
  // The API (another origin) and anything outside the site go straight to the network.
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (LIVE.has(url.pathname.slice(scope.pathname.length))) return;
  event.respondWith((async () => {
    const cache = await caches.open(CACHE);
    const key = request.mode === "navigate" ? scoped("./") : url.origin + url.pathname;
    return (await cache.match(key)) || fetch(request);
  })());
});
