// Service worker for the interview scoring pages (served at /vacancies/interviews-offline.js).
//
// A scoring page and the files it needs are kept in a cache so that the page can be
// reopened (or reloaded) when the venue's wifi drops; answers typed meanwhile are kept
// in localStorage by scoring.js and saved when the connection is back. Saves and every
// other page always go to the network. The cache is emptied on signing in or out.

const CACHE = "panel-scoring-v1";
const SCORING_PAGE = /^\/vacancies\/\d+\/interviews\/\d+\/(score|paper\/\d+)$/;

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/logout" || url.pathname === "/login") {
    event.waitUntil(caches.delete(CACHE));
    return;
  }
  if (request.method !== "GET") return;
  const isPage = request.mode === "navigate" && SCORING_PAGE.test(url.pathname);
  const isAsset = url.pathname.startsWith("/static/");
  if (!isPage && !isAsset) return;
  event.respondWith(
    (async () => {
      try {
        const response = await fetch(request);
        if (response.ok && response.type === "basic" && !response.redirected) {
          const cache = await caches.open(CACHE);
          await cache.put(isPage ? url.pathname : request, response.clone());
        }
        return response;
      } catch (error) {
        const cached = await caches.match(isPage ? url.pathname : request, { ignoreSearch: isAsset });
        if (cached) return cached;
        throw error;
      }
    })(),
  );
});
