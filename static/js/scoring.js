// The one autosave protocol, for the scoring pages of shortlisting (a criterion's score and
// comment) and interviews (a question's score and notes): save each answer as it changes, and
// never lose one.
//
// The page says what to do through data- attributes (templates/_answers.html): the form has
// data-answers and the session's URLs; each answer is an element with data-answer (its id),
// data-save-url and data-version, holding its score radios (the scale is the page's own: 0-2
// or the interview plan's) and its notes. Each save posts JSON {score, notes, version} and
// gets the new version back; 400 or 409 with an error is a refusal (a bad value, already
// submitted ...), and 409 with "current" means the answer was saved elsewhere first.
//
// Every change is kept in this browser (localStorage, encrypted with this session's key: see
// device.js) until the server has it. If a save fails (no connection, server down) the answer
// shows "Not saved yet", the page retries, and saves as soon as the connection is back.
// Reloading the page restores what was typed. If the server says the session has ended,
// everything kept on the device is forgotten at once; answers not yet saved stay on this
// screen only, and are saved when the same person has signed in again.
// Without JavaScript the form posts normally.
// Loaded on templates/scoring/score.html and templates/shortlisting/candidate.html.

import { CACHE, forgetDevice, openDevice, seal, sessionEnded, unseal } from "./device.js";
import { startQuestionSteps } from "./question-steps.js";

const RETRY_MS = 5000;
const TYPING_MS = 700;
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

// What a saved answer says, in the page's own words ("1 – Some evidence", and its notes).
function describe(section, values) {
  const radio = [...section.querySelectorAll('input[type="radio"]')].find((r) => r.value === String(values.score ?? ""));
  const label = radio && section.querySelector(`label[for="${radio.id}"]`);
  const score = values.score === "" || values.score == null ? "no score" : label ? label.textContent.trim() : String(values.score);
  return values.notes ? `${score}, with the notes “${values.notes}”` : score;
}

function same(a, b) {
  return String(a.score ?? "") === String(b.score ?? "") && (a.notes ?? "") === (b.notes ?? "");
}

export function startScoring() {
  const form = document.querySelector("form[data-answers]");
  if (!form) return;
  startQuestionSteps(form);
  const key = form.dataset.storageKey;
  const loginPath = new URL(form.dataset.loginUrl, window.location.href).pathname;
  const deviceUrl = form.dataset.deviceUrl;
  let csrf = form.dataset.csrf;
  let ended = false; // the server said the session has ended
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
    if (ended) {
      banner.textContent = `You have been signed out, so ${what} not saved. To keep them private they are no longer kept on this device, only on this screen. Sign in again in a new tab, then come back to this tab: they will be saved.`;
      return;
    }
    banner.textContent = offline
      ? `Not saved yet: ${what} kept on this device only. There is no internet connection. Keep this page open: everything will be saved when the connection comes back.`
      : `Not saved yet: ${what} kept on this device only. Trying to save again…`;
  }

  // The session's key for what is kept on this device (null offline in a new tab, or when the
  // browser cannot encrypt: then nothing is kept).
  let deviceReady = Promise.resolve(null);

  async function connect() {
    const device = await openDevice(deviceUrl, loginPath);
    if (device && device.ended) {
      await sessionHasEnded();
      return null;
    }
    if (device && device.csrf) csrf = device.csrf;
    return device;
  }

  async function sessionHasEnded() {
    if (ended) return;
    ended = true;
    deviceReady = Promise.resolve(null);
    await forgetDevice();
    if (!answers.some((a) => a.pending)) {
      // nothing to keep: ask for the page again, and the server sends them to sign in
      window.location.assign(window.location.pathname + window.location.search);
      return;
    }
    for (const answer of answers) {
      clearTimeout(answer.timer);
      if (answer.pending) setMessage(answer, "pending", "Not saved: you have been signed out.");
    }
    updateBanner();
    setTimeout(reconnect, RETRY_MS);
  }

  // After a new sign-in (in another tab) by the same person, save what is on the screen.
  async function reconnect() {
    const device = await openDevice(deviceUrl, loginPath);
    if (!device || device.ended || String(device.userId) !== form.dataset.userId) {
      setTimeout(reconnect, RETRY_MS);
      return;
    }
    ended = false;
    csrf = device.csrf || csrf;
    deviceReady = Promise.resolve(device);
    for (const answer of answers) {
      if (!answer.pending) continue;
      remember(answer);
      schedule(answer, 0);
    }
    updateBanner();
  }

  async function remember(answer) {
    const seq = (answer.seq = (answer.seq || 0) + 1);
    const values = { ...valuesOf(answer.section), at: Date.now() };
    const device = await deviceReady;
    if (!device || seq !== answer.seq) return;
    const name = `${key}:${answer.id}`;
    const sealed = await seal(device, name, values).catch(() => null);
    if (sealed && seq === answer.seq && answer.pending && !ended) storageSet(name, sealed);
  }

  // Put back what was typed on this device and not saved yet, if this session can read it.
  async function restore(device) {
    for (const answer of answers) {
      const name = `${key}:${answer.id}`;
      const stored = storageGet(name);
      if (!stored) continue;
      const kept = await unseal(device, name, stored);
      if (!kept) {
        storageRemove(name); // kept by another session: it cannot be read, so it is of no use
        continue;
      }
      if (answer.touched) continue; // typed again since the page opened
      if (!same(kept, valuesOf(answer.section))) {
        applyValues(answer.section, kept);
        answer.pending = true;
        setMessage(answer, "pending", "Not saved yet: restored from this device");
        schedule(answer, 0);
      } else {
        storageRemove(name);
      }
    }
    updateBanner();
  }

  function setVersion(answer, version) {
    answer.version = version;
    answer.section.dataset.version = String(version);
    const hidden = answer.section.querySelector("[data-version-input]");
    if (hidden) hidden.value = String(version);
    storageSet(`${key}:${answer.id}:version`, version);
  }

  function schedule(answer, delay) {
    clearTimeout(answer.timer);
    if (ended) return;
    answer.timer = setTimeout(() => save(answer), delay);
  }

  async function save(answer) {
    clearTimeout(answer.timer);
    if (ended) return;
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
      deviceReady.then((device) => device && device.refreshLive());
      if (same(valuesOf(answer.section), sent)) {
        answer.pending = false;
        storageRemove(`${key}:${answer.id}`);
        if (data.message) setMessage(answer, "error", data.message);
        else setMessage(answer, "", `Saved at ${data.saved_at}` + (data.progress ? `. ${data.progress}` : ""));
      } else {
        schedule(answer, 0); // typed more while saving
      }
    } else if (sessionEnded(response, loginPath)) {
      answer.pending = true;
      await sessionHasEnded();
      return;
    } else if (response && response.status === 409 && data && data.current) {
      // saved in another tab or on another device first: what is on this screen stays here,
      // unsaved; the next change the person makes saves it over the answer as it now stands
      setVersion(answer, data.current.version);
      answer.pending = true;
      answer.refused = true;
      setMessage(answer, "error", `Not saved: ${data.error} It now says: ${describe(answer.section, data.current)}. ` +
        "What you typed is still on this screen: change it, and yours will be saved instead.");
    } else if (response && data && data.error && (response.status === 400 || response.status === 409)) {
      // refused (for example a score outside the scale, or already submitted): keep it, do not retry
      answer.pending = true;
      answer.refused = true;
      setMessage(answer, "error", `Not saved: ${data.error} What you typed is kept on this device.`);
    } else {
      answer.pending = true;
      // a 400 without an answer is an expired form: get a fresh token (and learn whether the
      // session has ended) before trying again
      if (response && response.status === 400) await connect();
      setMessage(answer, "pending", "Not saved yet. It is kept on this device and will be saved when the connection is back.");
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
    answer.touched = true;
    remember(answer);
    if (ended) {
      setMessage(answer, "pending", "Not saved: you have been signed out.");
      updateBanner();
      return;
    }
    setMessage(answer, "pending", "Not saved yet");
    updateBanner();
    schedule(answer, delay);
  }

  for (const section of form.querySelectorAll("[data-answer]")) {
    const id = section.dataset.answer;
    const stored = Number(storageGet(`${key}:${id}:version`)) || 0;
    const answer = {
      id,
      section,
      url: section.dataset.saveUrl,
      version: Math.max(Number(section.dataset.version) || 0, stored),
      pending: false,
      inflight: false,
      touched: false,
      timer: null,
    };
    answers.push(answer);
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

  deviceReady = connect().then(async (device) => {
    if (device) await restore(device);
    return device;
  });

  window.addEventListener("online", async () => {
    if (!(await deviceReady) && !ended) {
      // opened offline in a new tab: the key comes with the connection
      deviceReady = connect().then(async (device) => {
        if (device) await restore(device);
        return device;
      });
    }
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
        if (!(await deviceReady)) return; // no live session known: nothing to reopen
        const assets = [...document.querySelectorAll('link[rel="stylesheet"], script[src]')].map(
          (el) => el.href || el.src,
        );
        for (const name of ["../vendor/nhsuk/nhsuk-frontend.min.js", "./session.js", "./device.js", "./question-steps.js"]) {
          assets.push(new URL(name, import.meta.url).href);
        }
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
