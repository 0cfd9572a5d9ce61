// One question at a time on the interview score sheet.
//
// Progressive enhancement: without JavaScript the whole sheet shows. With it, narrow screens
// start with one question at a time ("Question 2 of 5", Previous / Next), and anyone can
// switch with "Show all questions" / "Show one question at a time"; the choice is remembered
// for this person in this browser (a cookie: unlike localStorage it survives the clean-up that
// follows signing out, and it says nothing about anyone's scores). Moving focuses the
// question's heading and a live region announces where they are. Answers save as they change,
// whatever is on the screen (hidden questions stay in the form and are posted with it).

const NARROW = "(max-width: 40.0525em)"; // below the NHS.UK tablet breakpoint

function preferenceName(form) {
  return `panel_sheet_view_${form.dataset.userId || "anyone"}`;
}

function readPreference(form) {
  const name = preferenceName(form);
  const found = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return found ? found.slice(name.length + 1) : "";
}

function writePreference(form, value) {
  const secure = window.location.protocol === "https:" ? "; secure" : "";
  document.cookie = `${preferenceName(form)}=${value}; max-age=31536000; path=/; samesite=lax${secure}`;
}

export function startQuestionSteps(form) {
  const sections = [...form.querySelectorAll("[data-question]")];
  const controls = form.querySelector("[data-question-steps]");
  if (sections.length < 2 || !controls) return;
  const toggle = controls.querySelector("[data-view-toggle]");
  const status = controls.querySelector("[data-step-status]");
  const pagers = [...form.querySelectorAll("[data-question-pager]")];
  let oneAtATime = false;
  let current = 0;

  function heading(index) {
    return sections[index].querySelector("h2");
  }

  function render() {
    sections.forEach((section, i) => {
      section.hidden = oneAtATime && i !== current;
    });
    for (const pager of pagers) pager.hidden = !oneAtATime;
    toggle.textContent = oneAtATime ? "Show all questions" : "Show one question at a time";
    form.dataset.view = oneAtATime ? "one" : "all";
  }

  function show(index, { focus = true, announce = true } = {}) {
    current = Math.max(0, Math.min(sections.length - 1, index));
    render();
    if (announce && status) status.textContent = heading(current).textContent.trim();
    if (focus) {
      heading(current).setAttribute("tabindex", "-1");
      heading(current).focus();
    }
  }

  for (const pager of pagers) {
    pager.addEventListener("click", (event) => {
      const link = event.target.closest("a[href^='#question-']");
      if (!link) return;
      const target = sections.findIndex((s) => `#${s.id}` === link.getAttribute("href"));
      if (target < 0) return;
      event.preventDefault();
      show(target);
    });
  }

  toggle.addEventListener("click", () => {
    oneAtATime = !oneAtATime;
    writePreference(form, oneAtATime ? "one" : "all");
    if (oneAtATime) {
      show(current);
    } else {
      render();
      if (status) status.textContent = `Showing all ${sections.length} questions`;
      toggle.focus();
    }
  });

  // a link to a field in a hidden question (the error summary, or a bookmark) shows that question
  function reveal(target) {
    const section = target && target.closest("[data-question]");
    const index = sections.indexOf(section);
    if (oneAtATime && index >= 0 && index !== current) show(index, { focus: false });
  }
  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[href^='#']");
    if (!link || link.closest("[data-question-pager]")) return;
    const id = decodeURIComponent(link.getAttribute("href").slice(1));
    if (id) reveal(document.getElementById(id));
  });
  form.addEventListener("invalid", (event) => reveal(event.target), true);

  const preference = readPreference(form);
  oneAtATime = preference ? preference === "one" : window.matchMedia(NARROW).matches;
  const firstError = sections.findIndex((s) => s.querySelector(".nhsuk-form-group--error"));
  current = firstError >= 0 ? firstError : 0;
  controls.hidden = false;
  render();
}
