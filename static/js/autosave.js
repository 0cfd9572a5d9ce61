// Shortlisting scores save as they change. Progressive enhancement: without JavaScript the
// form's buttons save everything; with it, each choice and comment is also saved in the
// background, so closing the browser loses nothing.
export function startAutosave() {
  for (const form of document.querySelectorAll("form[data-autosave]")) {
    const status = form.querySelector("[data-autosave-status]");
    let timer = null;
    let inFlight = false;
    let pending = false;

    const show = (text) => {
      if (status) status.textContent = text;
    };

    const save = async () => {
      if (inFlight) {
        pending = true;
        return;
      }
      inFlight = true;
      try {
        const response = await fetch(form.getAttribute("action"), {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        const result = await response.json();
        if (result.saved) {
          show(`Saved at ${result.time}. ${result.scored} of ${result.of} criteria scored.`);
        } else {
          show(result.error || "Not saved. Use a save button below.");
        }
      } catch {
        show("Not saved. Check your connection, then use a save button below.");
      } finally {
        inFlight = false;
        if (pending) {
          pending = false;
          save();
        }
      }
    };

    const later = (ms) => {
      clearTimeout(timer);
      timer = setTimeout(save, ms);
    };

    form.addEventListener("change", (event) => later(event.target.type === "radio" ? 150 : 600));
    form.addEventListener("input", (event) => {
      if (event.target.tagName === "TEXTAREA") later(1500);
    });
    // Buttons still post the form normally (and save), so nothing waits on this script.
    form.addEventListener("submit", () => clearTimeout(timer));
  }
}
