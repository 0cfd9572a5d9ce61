// The interview scoring page: save each answer as it changes, and never lose one.
//
// Every change is kept in this browser (localStorage) until the server has it. If a
// save fails (no connection, server down, signed out) the answer shows "Not saved
// yet", the page retries, and saves as soon as the connection is back. Reloading the
// page restores what was typed. Without JavaScript the form posts normally.
// Loaded only on the scoring page (templates/scoring/score.html).

const RETRY_MS = 5000;
const TYPING_MS = 700;
const CACHE = "panel-scoring-v1";

function storageGet(key) {
  try {
    return JSON.parse(window.localStorage.getItem(key));
  } catch (e) {
    return null;
  }
}

function storageSet(key, value) {
  try {
    window.localStorage.setItem(key, JSON.stringify(value));
    return true;
  } catch (e) {
    return false;
  }
}

function storageRemove(key) {
  try {
    window.localStorage.removeItem(key);
  } catch (e) {
    // nothing to do
  }
}

function valuesOf(section) {
  const checked = section.querySelector('input[type="radio"]:checked');
  const notes = section.querySelector("textarea");
  return { score: checked ? checked.value : "", notes: notes ? notes.value : "" };
}

function applyValues(section, values) {
  for (const radio of section.querySelectorAll('input[type="radio"]')) {
    radio.checked = radio.value === String(values.score ?? "");
  }
  const notes = section.querySelector("textarea");
  if (notes) notes.value = values.notes ?? "";
}

function same(a, b) {
  return String(a.score ?? "") === String(b.score ?? "") && (a.notes ?? "") === (b.notes ?? "");
}

export function startScoring() {
  const form = document.querySelector("form[data-scoring]");
  if (!form) return;
  const key = form.dataset.storageKey;
  const csrf = form.dataset.csrf;
  const banner = document.getElementById("save-status");
  const answers = [];

  function setMessage(answer, kind, text) {
    const el = answer.section.querySelector("[data-save-state]");
    if (!el) return;
    el.className = "panel-save-state nhsuk-body-s" + (kind ? ` panel-save-state--${kind}` : "");
    el.textContent = text;
  }

  function updateBanner() {
    const waiting = answers.filter((a) => a.pending);
    if (!banner) return;
    if (!waiting.length) {
      banner.hidden = true;
      banner.textContent = "";
      banner.removeAttribute("data-pending");
      return;
    }
    const n = waiting.length;
    const what = n === 1 ? "1 answer is" : `${n} answers are`;
    const offline = navigator.onLine === false;
    banner.hidden = false;
    banner.dataset.pending = String(n);
    banner.textContent = offline
      ? `Not saved yet: ${what} kept on this device only. There is no internet connection. Keep this page open: everything will be saved when the connection comes back.`
      : `Not saved yet: ${what} kept on this device only. Trying to save again…`;
  }

  function remember(answer) {
    storageSet(`${key}:${answer.id}`, { ...valuesOf(answer.section), at: Date.now() });
  }

  function setVersion(answer, version) {
    answer.version = version;
    answer.section.dataset.version = String(version);
    const hidden = form.querySelector(`input[name="version-${answer.id}"]`);
    if (hidden) hidden.value = String(version);
    storageSet(`${key}:${answer.id}:version`, version);
  }

  function schedule(answer, delay) {
    clearTimeout(answer.timer);
    answer.timer = setTimeout(() => save(answer), delay);
  }

  async function save(answer) {
    clearTimeout(answer.timer);
    if (answer.inflight) {
      answer.again = true;
      return;
    }
    const sent = valuesOf(answer.section);
    answer.inflight = true;
    let response = null;
    let data = null;
    try {
      response = await fetch(answer.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify({ score: sent.score, notes: sent.notes, version: answer.version }),
      });
      const type = response.headers.get("Content-Type") || "";
      if (!response.redirected && type.includes("application/json")) data = await response.json();
    } catch (e) {
      response = null;
    }
    answer.inflight = false;

    if (response && response.ok && data && typeof data.version === "number") {
      setVersion(answer, data.version);
      answer.refused = false;
      if (same(valuesOf(answer.section), sent)) {
        answer.pending = false;
        storageRemove(`${key}:${answer.id}`);
        if (data.message) setMessage(answer, "error", data.message);
        else setMessage(answer, "", `Saved at ${data.saved_at}`);
      } else {
        schedule(answer, 0); // typed more while saving
      }
    } else if (response && data && data.error && (response.status === 400 || response.status === 409)) {
      // refused (for example a score outside the scale, or already submitted): keep it, do not retry
      answer.pending = true;
      answer.refused = true;
      setMessage(answer, "error", `Not saved: ${data.error} What you typed is kept on this device.`);
    } else {
      answer.pending = true;
      const signedOut = response && (response.redirected || response.status === 400 || response.status === 401);
      setMessage(
        answer,
        "pending",
        signedOut
          ? "Not saved yet: you may have been signed out. Sign in again in a new tab; what you typed is kept on this device."
          : "Not saved yet. It is kept on this device and will be saved when the connection is back.",
      );
      schedule(answer, RETRY_MS);
    }
    if (answer.again) {
      answer.again = false;
      schedule(answer, 0);
    }
    updateBanner();
  }

  function changed(answer, delay) {
    answer.pending = true;
    answer.refused = false;
    remember(answer);
    setMessage(answer, "pending", "Not saved yet");
    updateBanner();
    schedule(answer, delay);
  }

  for (const section of form.querySelectorAll("[data-question]")) {
    const id = section.dataset.question;
    const stored = Number(storageGet(`${key}:${id}:version`)) || 0;
    const answer = {
      id,
      section,
      url: section.dataset.saveUrl,
      version: Math.max(Number(section.dataset.version) || 0, stored),
      pending: false,
      inflight: false,
      timer: null,
    };
    answers.push(answer);
    const kept = storageGet(`${key}:${id}`);
    if (kept && !same(kept, valuesOf(section))) {
      applyValues(section, kept);
      answer.pending = true;
      setMessage(answer, "pending", "Not saved yet: restored from this device");
      schedule(answer, 0);
    } else if (kept) {
      storageRemove(`${key}:${id}`);
    }
    for (const radio of section.querySelectorAll('input[type="radio"]')) {
      radio.addEventListener("change", () => changed(answer, 0));
    }
    const notes = section.querySelector("textarea");
    if (notes) {
      notes.addEventListener("input", () => changed(answer, TYPING_MS));
      notes.addEventListener("blur", () => {
        if (answer.pending && !answer.refused) schedule(answer, 0);
      });
    }
  }
  updateBanner();

  window.addEventListener("online", () => {
    for (const answer of answers) if (answer.pending && !answer.refused) schedule(answer, 0);
    updateBanner();
  });
  window.addEventListener("offline", updateBanner);

  // Let the page reopen without a connection (the service worker keeps a copy).
  const worker = form.dataset.offlineWorker;
  if (worker && "serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker
      .register(worker, { scope: form.dataset.offlineScope })
      .then(() => navigator.serviceWorker.ready)
      .then(async () => {
        const assets = [...document.querySelectorAll('link[rel="stylesheet"], script[src]')].map(
          (el) => el.href || el.src,
        );
        assets.push(new URL("../vendor/nhsuk/nhsuk-frontend.min.js", import.meta.url).href);
        assets.push(new URL("./session.js", import.meta.url).href);
        const cache = await caches.open(CACHE);
        await cache.addAll([window.location.pathname, ...assets]);
        form.dataset.offlineReady = "true";
      })
      .catch(() => {
        // the page still saves as it goes; it just cannot reopen offline
      });
  }
}

startScoring();
