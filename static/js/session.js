// Warn before the idle sign-out, and let the user stay signed in.
//
// The box at the end of base.html carries the timings. The warning appears
// `warningSeconds` before the server would sign the user out; "Stay signed in"
// tells the server the user is still here. When time runs out (or the server
// says the session has already ended) the page is asked for again, so the server
// signs the user out and sends them to the sign-in page, which brings them back
// here afterwards.
export function startSessionWarning() {
  const box = document.getElementById("session-warning");
  const button = document.getElementById("session-extend");
  if (!box || !button) return;
  const idle = Number(box.dataset.idleSeconds) * 1000;
  const warn = Number(box.dataset.warningSeconds) * 1000;
  if (!(idle > 0)) return;
  let warnTimer;
  let endTimer;

  function signedOut() {
    window.location.assign(window.location.pathname + window.location.search);
  }

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(() => {
      box.hidden = false;
      button.focus();
    }, Math.max(idle - warn, 1000));
    endTimer = setTimeout(signedOut, idle + 1000);
  }

  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      // "manual": a redirect (to the sign-in page) means the session has ended;
      // following it would look like success.
      const response = await fetch(box.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": box.dataset.csrf, Accept: "application/json" },
        credentials: "same-origin",
        redirect: "manual",
      });
      if (response.ok) {
        const answer = await response.json();
        if (answer && answer.ok) {
          schedule();
          return;
        }
      }
    } catch (e) {
      // fall through: the user will be sent to sign in
    } finally {
      button.disabled = false;
    }
    signedOut();
  });

  schedule();
}
