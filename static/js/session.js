// Warn before the idle sign-out, and let the user stay signed in.
export function startSessionWarning() {
  const box = document.getElementById("session-warning");
  if (!box) return;
  const idle = Number(box.dataset.idleSeconds) * 1000;
  const warn = Number(box.dataset.warningSeconds) * 1000;
  const button = document.getElementById("session-extend");
  let warnTimer;
  let endTimer;

  function schedule() {
    clearTimeout(warnTimer);
    clearTimeout(endTimer);
    box.hidden = true;
    warnTimer = setTimeout(() => {
      box.hidden = false;
      button.focus();
    }, Math.max(idle - warn, 1000));
    endTimer = setTimeout(() => {
      window.location.href = box.dataset.loginUrl;
    }, idle + 1000);
  }

  button.addEventListener("click", async () => {
    try {
      const response = await fetch(box.dataset.extendUrl, {
        method: "POST",
        headers: { "X-CSRFToken": box.dataset.csrf, Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        schedule();
        return;
      }
    } catch (e) {
      // fall through: the user will be sent to sign in
    }
    window.location.href = box.dataset.loginUrl;
  });

  schedule();
}
