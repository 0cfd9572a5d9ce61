// Service worker for the scoring pages of interviews and shortlisting (served at
// /vacancies/interviews-offline.js).
//
// A scoring page and the files it needs are kept in a cache so that the page can be
// reopened (or reloaded) when the venue's wifi drops; answers typed meanwhile are kept,
// encrypted, by scoring.js and saved when the connection is back. Saves and every other
// page always go to the network.
//
// The copy is bound to the signed-in session (see static/js/device.js):
// - it is reopened offline only while the session's marker (written by the page each time
//   the server proves the session live, valid for the idle time-out) matches the
//   "panel_live" session cookie, which the browser drops when it restarts and the server
//   deletes as soon as it sees the browser without a session;
// - everything is forgotten on the sign-in and sign-out pages, and as soon as any request
//   from a page of this site is answered with 401 or sent on to the sign-in page.

const CACHE = "panel-scoring-v2";
const LIVE_MARKER = "/__panel/live-session";
const LIVE_COOKIE = "panel_live";
const SCORING_PAGE = /^\/vacancies\/\d+\/(interviews\/\d+\/(score|paper\/\d+)|shortlisting\/candidates\/\d+)$/;

async function forget() {
  for (const name of await caches.keys()) if (name.startsWith("panel-")) await caches.delete(name);
}

function sessionEnded(response) {
  if (response.status === 401) return true;
  try {
    return response.redirected && new URL(response.url).pathname === "/login";
  } catch (e) {
    return false;
  }
}

// Is there a live session in this browser, as far as can be known without a connection?
async function liveSession() {
  try {
    if (!self.cookieStore) return false; // cannot tell: never show a page that may not be theirs
    const cookie = await self.cookieStore.get(LIVE_COOKIE);
    if (!cookie || !cookie.value) return false;
    const marker = await caches.match(LIVE_MARKER, { cacheName: CACHE });
    if (!marker) return false;
    const live = await marker.json();
    return live.id === cookie.value && Number(live.until) > Date.now();
  } catch (e) {
    return false;
  }
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) =>
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) if (name.startsWith("panel-") && name !== CACHE) await caches.delete(name);
      await self.clients.claim();
    })(),
  ),
);

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === "/logout" || url.pathname === "/login") {
    event.waitUntil(forget());
    return;
  }
  const isPage = request.method === "GET" && request.mode === "navigate" && SCORING_PAGE.test(url.pathname);
  const isAsset = request.method === "GET" && url.pathname.startsWith("/static/");
  if (!isPage && !isAsset) {
    if (request.mode === "navigate") return; // the sign-in page forgets everything when it is reached
    // a script's request: if the server says the session has ended, forget everything
    event.respondWith(
      fetch(request).then(async (response) => {
        if (sessionEnded(response)) await forget();
        return response;
      }),
    );
    return;
  }
  event.respondWith(
    (async () => {
      let response;
      try {
        response = await fetch(request);
      } catch (error) {
        const usable = isAsset || (await liveSession());
        const cached = usable && (await caches.match(isPage ? url.pathname : request, { cacheName: CACHE, ignoreSearch: isAsset }));
        if (cached) return cached;
        throw error;
      }
      const cache = await caches.open(CACHE);
      if (response.ok && response.type === "basic" && !response.redirected) {
        await cache.put(isPage ? url.pathname : request, response.clone());
      } else if (isPage) {
        await cache.delete(url.pathname); // signed out, or no longer theirs to see
      }
      return response;
    })(),
  );
});
