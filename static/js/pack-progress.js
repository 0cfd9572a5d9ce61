// The pack progress page (templates/packs/job.html): every few seconds, read the job's
// status and put its text in the page's polite live region; show the download button when
// the pack is ready. Without JavaScript the page's "Check again" link does the same.
const INTERVAL_MS = 4000;

export function startPackProgress() {
  const region = document.querySelector("[data-pack-progress]");
  if (!region) return;
  const url = region.dataset.statusUrl;
  let status = region.dataset.status;
  if (status !== "queued" && status !== "running") return;
  const tick = async () => {
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      if (response.ok) {
        const data = await response.json();
        if (region.textContent !== data.message) region.textContent = data.message;
        status = data.status;
        if (status === "done") document.getElementById("pack-download")?.removeAttribute("hidden");
        if (status === "done" || status === "failed") {
          document.getElementById("pack-check-again")?.setAttribute("hidden", "");
          return;
        }
      }
    } catch (e) {
      // offline for a moment: try again at the next tick
    }
    window.setTimeout(tick, INTERVAL_MS);
  };
  window.setTimeout(tick, INTERVAL_MS);
}
