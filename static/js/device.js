// What this browser keeps for offline scoring, bound to the signed-in session.
//
// - Unsaved answers (localStorage, keys starting "panel-scoring:") are encrypted with AES-GCM.
//   The key comes from the server for this session only and is kept in sessionStorage, which
//   belongs to this tab and is gone when the browser restarts: another user, or the same
//   browser after a restart, finds only ciphertext.
// - The copy of the scoring page (Cache Storage, "panel-scoring-*") is reopened offline by the
//   service worker only while the session's marker matches the session cookie (scoring-sw.js).
// - forgetDevice() wipes all of it. It runs whenever the server says the session has ended, and
//   on the sign-in page (reaching it means there is no session).

export const CACHE = "panel-scoring-v2";
export const LIVE_MARKER = "/__panel/live-session";
export const STORAGE_PREFIX = "panel-scoring:";
const DEVICE = "panel-device";

export async function forgetDevice() {
  try {
    for (const key of Object.keys(window.localStorage)) {
      if (key.startsWith(STORAGE_PREFIX)) window.localStorage.removeItem(key);
    }
  } catch (e) {
    // storage is off: nothing was kept
  }
  try {
    window.sessionStorage.removeItem(DEVICE);
  } catch (e) {
    // as above
  }
  if (window.caches) {
    try {
      for (const name of await caches.keys()) if (name.startsWith("panel-")) await caches.delete(name);
    } catch (e) {
      // nothing to do
    }
  }
}

// True when a response means "there is no session": a 401, or a request sent on to sign in.
export function sessionEnded(response, loginPath = "/login") {
  if (!response) return false;
  if (response.status === 401) return true;
  try {
    return response.redirected && new URL(response.url).pathname === loginPath;
  } catch (e) {
    return false;
  }
}

function fromBase64(text) {
  const plain = text.replace(/-/g, "+").replace(/_/g, "/");
  return Uint8Array.from(atob(plain + "=".repeat((4 - (plain.length % 4)) % 4)), (c) => c.charCodeAt(0));
}

function toBase64(bytes) {
  return btoa(String.fromCharCode(...new Uint8Array(bytes)));
}

async function markLive(id, idleSeconds) {
  if (!window.caches) return;
  const cache = await caches.open(CACHE);
  await cache.put(
    LIVE_MARKER,
    new Response(JSON.stringify({ id, until: Date.now() + idleSeconds * 1000 }), {
      headers: { "Content-Type": "application/json" },
    }),
  );
}

// The session's device: { id, userId, key (CryptoKey), csrf, refreshLive() }.
// Asks the server (which proves the session is live); offline, uses this tab's copy.
// Returns { ended: true } when the server says the session has ended, null when unknown.
export async function openDevice(url, loginPath) {
  let record = null;
  try {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (sessionEnded(response, loginPath)) return { ended: true };
    const type = response.headers.get("Content-Type") || "";
    if (response.ok && type.includes("application/json")) {
      const data = await response.json();
      record = { id: data.id, userId: data.user_id, key: data.key, csrf: data.csrf, idleSeconds: data.idle_seconds };
      try {
        window.sessionStorage.setItem(DEVICE, JSON.stringify(record));
      } catch (e) {
        // kept in memory only
      }
      await markLive(record.id, record.idleSeconds).catch(() => {});
    }
  } catch (e) {
    record = null; // no connection
  }
  if (!record) {
    try {
      record = JSON.parse(window.sessionStorage.getItem(DEVICE));
    } catch (e) {
      record = null;
    }
  }
  if (!record || !record.key || !(window.crypto && crypto.subtle)) return null;
  const key = await crypto.subtle.importKey("raw", fromBase64(record.key), "AES-GCM", false, ["encrypt", "decrypt"]);
  return {
    id: record.id,
    userId: record.userId,
    key,
    csrf: record.csrf,
    // a save the server accepted proves the session is still live
    refreshLive: () => markLive(record.id, record.idleSeconds).catch(() => {}),
  };
}

// Encrypt a value for storage under `name` (the name is bound in, so it cannot be moved).
export async function seal(device, name, value) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: new TextEncoder().encode(name) },
    device.key,
    new TextEncoder().encode(JSON.stringify(value)),
  );
  return { iv: toBase64(iv), data: toBase64(data) };
}

// The value kept under `name`, or null when it cannot be read with this session's key.
export async function unseal(device, name, sealed) {
  if (!sealed || typeof sealed.iv !== "string" || typeof sealed.data !== "string") return null;
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(sealed.iv), additionalData: new TextEncoder().encode(name) },
      device.key,
      fromBase64(sealed.data),
    );
    return JSON.parse(new TextDecoder().decode(plain));
  } catch (e) {
    return null;
  }
}
