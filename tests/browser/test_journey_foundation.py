"""Issue 2 in a real browser: HR sets up a vacancy and invites a patient panelist, who
follows the emailed link and sees only that vacancy. axe-core checks every page."""
from __future__ import annotations

import email
import re
import time
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import update

from panel.models import User
from tests.browser.conftest import CHROMIUM, Visits, assert_accessible, serve
from tests.conftest import PASSWORD, deliver, make_user, make_vacancy

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

NEW_PASSWORD = "copper kettle garden lamp"


def expect_text(page, text: str) -> None:
    """The text is on the page (as visible text)."""
    page.get_by_text(text, exact=False).first.wait_for(state="visible")


def sign_in(page, base_url: str, email_address: str, password: str = PASSWORD, visits: Visits | None = None) -> None:
    page.goto(f"{base_url}/login")
    if visits:
        visits.check()
    page.get_by_label("Email address").fill(email_address)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Hello, ")).wait_for()
    if visits:
        visits.check()


def invitation_link(outbox: Path, to: str) -> str:
    for path in sorted(outbox.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns, reverse=True):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["To"] == to:
            body = msg.get_body(preferencelist=("plain",)).get_content()
            match = re.search(r"https?://\S+/set-password/\S+", body)
            assert match, f"no link in the invitation email:\n{body}"
            return match.group(0)
    raise AssertionError(f"no email to {to} in {outbox}")


def fill_date(page, legend: str, day: str, month: str, year: str) -> None:
    group = page.get_by_role("group", name=re.compile(legend))
    group.get_by_label("Day").fill(day)
    group.get_by_label("Month").fill(month)
    group.get_by_label("Year").fill(year)


def add_criterion(page, text: str, category: str, essential: str, assessed: str, button: str) -> None:
    page.get_by_label("Criterion").fill(text)
    page.get_by_role("group", name="Category").get_by_label(category, exact=True).check()
    page.get_by_role("group", name="Essential or desirable").get_by_label(essential, exact=True).check()
    page.get_by_role("group", name="When is it assessed?").get_by_label(assessed, exact=True).check()
    page.get_by_role("button", name=button, exact=True).click()


def test_hr_sets_up_a_vacancy_and_the_invited_panelist_sees_only_it(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        make_user(s, "hr", "Priya Shah", "priya.shah@example.org")
        someone_else = make_user(s, "panelist", "Zoë Ashworth", "zoe@example.org")
        other = make_vacancy(s, "OTHER-77", title="High Intensity Therapist", panel=[(someone_else, "patient")])
        other_id = other.id

    hr = new_context().new_page()
    visits = Visits(hr)

    # HR signs in and starts a vacancy from the home page.
    sign_in(hr, base, "priya.shah@example.org", visits=visits)
    hr.get_by_role("link", name="Create a vacancy").click()
    hr.get_by_role("heading", level=1, name="Create a vacancy").wait_for()
    visits.check()

    # Sent empty: the error summary and inline errors, nothing saved.
    hr.get_by_role("button", name="Save vacancy").click()
    summary = hr.get_by_role("alert").filter(has_text="There is a problem")
    summary.wait_for()
    assert hr.title().startswith("Error: ")
    for message in ("Enter the job title", "Enter the vacancy reference", "Choose the band", "Choose the site"):
        assert summary.get_by_role("link", name=message).is_visible()
    visits.check()

    hr.get_by_label("Job title").fill("Psychological Wellbeing Practitioner")
    hr.get_by_label("Reference").fill("JRN-2026-01")
    hr.get_by_label("Agenda for Change band").select_option("Band 5")
    hr.get_by_label("Site").select_option("Boston")
    hr.get_by_label("Team (optional)").fill("Boston step 2 team")
    fill_date(hr, "Closing date", "27", "3", "2027")
    fill_date(hr, "Interview date", "10", "4", "2027")
    hr.get_by_role("button", name="Save vacancy").click()
    hr.get_by_role("heading", level=1, name="Psychological Wellbeing Practitioner").wait_for()
    expect_text(hr, "Vacancy JRN-2026-01 created")
    expect_text(hr, "27 March 2027")
    expect_text(hr, "10 April 2027")
    hr.get_by_role("heading", name=re.compile("Still to do")).wait_for()
    assert hr.get_by_role("listitem").filter(has_text="Add a chair to the panel before shortlisting starts").is_visible()
    visits.check()
    vacancy_url = hr.url
    assert re.search(r"/vacancies/\d+$", vacancy_url)

    # The person specification: three criteria, the first with "Save and add another".
    hr.get_by_role("navigation", name="This vacancy").get_by_role("link", name="Person specification").click()
    hr.get_by_role("heading", level=1, name="Person specification").wait_for()
    expect_text(hr, "There are no criteria yet.")
    visits.check()
    hr.get_by_role("button", name="Add a criterion").click()
    hr.get_by_role("heading", level=1, name="Add a criterion").wait_for()
    visits.check()

    hr.get_by_role("button", name="Save criterion", exact=True).click()
    hr.get_by_role("alert").filter(has_text="There is a problem").wait_for()
    visits.check()

    add_criterion(hr, "Experience of working with people with anxiety or depression", "Experience",
                  "Essential", "Application and interview", "Save and add another")
    hr.get_by_role("heading", level=1, name="Add a criterion").wait_for()
    expect_text(hr, "Criterion added.")
    assert hr.get_by_label("Criterion").input_value() == ""
    visits.check()
    add_criterion(hr, "A recognised PWP qualification, or working towards one", "Qualifications",
                  "Essential", "Application", "Save criterion")
    hr.get_by_role("heading", level=1, name="Person specification").wait_for()
    visits.check()
    hr.get_by_role("button", name="Add a criterion").click()
    hr.get_by_role("heading", level=1, name="Add a criterion").wait_for()
    visits.check()
    add_criterion(hr, "Warm, respectful and non-judgemental with everyone", "Values and behaviours",
                  "Desirable", "Interview", "Save criterion")
    hr.get_by_role("heading", level=1, name="Person specification").wait_for()
    visits.check()
    criteria = hr.locator("ol.panel-criteria > li .panel-criteria__text").all_inner_texts()
    assert criteria == [
        "Experience of working with people with anxiety or depression",
        "A recognised PWP qualification, or working towards one",
        "Warm, respectful and non-judgemental with everyone",
    ]

    # The panel page: invite a patient panelist to this panel.
    hr.get_by_role("navigation", name="This vacancy").get_by_role("link", name="Panel").click()
    hr.get_by_role("heading", level=1, name="Panel").wait_for()
    visits.check()
    hr.get_by_role("link", name="Invite someone new").click()
    hr.get_by_role("heading", level=1, name="Invite someone to the JRN-2026-01 panel").wait_for()
    visits.check()

    hr.get_by_label("Email address").fill("not an email")
    hr.get_by_role("button", name="Send invitation").click()
    hr.get_by_role("alert").filter(has_text="There is a problem").wait_for()
    expect_text(hr, "Enter their full name")
    visits.check()

    hr.get_by_label("Full name").fill("Sam Patel")
    hr.get_by_label("Email address").fill("sam.patel@example.org")
    hr.get_by_role("group", name="Role").get_by_label("Patient panelist (voice2change)", exact=True).check()
    hr.get_by_role("group", name="Their role on this panel").get_by_label("Patient panelist", exact=True).check()
    hr.get_by_role("button", name="Send invitation").click()
    hr.get_by_role("heading", level=1, name="Panel").wait_for()
    expect_text(hr, "The invitation to sam.patel@example.org will be sent within a minute")
    row = hr.locator(".nhsuk-summary-list__row").filter(has_text="Sam Patel")
    assert "Patient panelist" in row.inner_text()
    visits.check()
    visits.assert_all_checked()

    # The notifications worker sends it; the panelist opens the emailed link in a fresh browser (no HR cookies).
    deliver(live_server.app)
    link = invitation_link(Path(live_server.app.config["OUTBOX_FOLDER"]), "sam.patel@example.org")
    assert link.startswith(base)
    panelist = new_context().new_page()
    pvisits = Visits(panelist)
    panelist.goto(link)
    panelist.get_by_role("heading", level=1, name="Welcome to panel, Sam Patel").wait_for()
    visits_title = panelist.title()
    assert "Choose a password" in visits_title
    pvisits.check()

    panelist.get_by_label("New password", exact=True).fill("short")
    panelist.get_by_label("Type the new password again").fill("short")
    panelist.get_by_role("button", name="Save password and sign in").click()
    panelist.get_by_role("alert").filter(has_text="There is a problem").wait_for()
    pvisits.check()

    panelist.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    panelist.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    panelist.get_by_role("button", name="Save password and sign in").click()
    panelist.get_by_role("heading", level=1, name="Hello, Sam Patel").wait_for()
    assert panelist.url == f"{base}/"
    expect_text(panelist, "Your password has been set")
    pvisits.check()

    # one card, its link named by the title and (visually hidden) the reference and site
    cards = panelist.locator(".nhsuk-card-group .nhsuk-card__heading").all_inner_texts()
    assert [" ".join(c.split()) for c in cards] == ["Psychological Wellbeing Practitioner , JRN-2026-01, Boston"]
    assert "High Intensity Therapist" not in panelist.content()
    assert "OTHER-77" not in panelist.content()

    panelist.get_by_role("link", name="Psychological Wellbeing Practitioner").click()
    panelist.get_by_role("heading", level=1, name="Psychological Wellbeing Practitioner").wait_for()
    assert panelist.url == vacancy_url
    expect_text(panelist, "You are on this panel as")
    pvisits.check()
    panelist.get_by_role("link", name="See the person specification").click()
    panelist.get_by_role("heading", level=1, name="Person specification").wait_for()
    assert panelist.locator("ol.panel-criteria > li").count() == 3
    assert panelist.get_by_role("button", name="Add a criterion").count() == 0
    pvisits.check()

    # Another panel's vacancy is not there for them.
    response = panelist.goto(f"{base}/vacancies/{other_id}")
    assert response.status == 404
    panelist.get_by_role("heading", level=1, name="Page not found").wait_for()
    pvisits.check()
    pvisits.assert_all_checked()

    # The link worked once only.
    again = new_context().new_page()
    response = again.goto(link)
    assert response.status == 404
    assert "Welcome to panel" not in again.content()
    assert_accessible(again)


def test_keyboard_only_sign_in(live_server, page):
    with live_server.db() as s:
        make_user(s, "chair", "Chris Morgan", "keyboard.chair@example.org")
    page.goto(f"{live_server.url}/login")
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "email":
            break
    else:
        pytest.fail("Tab never reached the email field")
    focus = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
                                     return s.outlineStyle + ' ' + s.boxShadow; }""")
    assert focus != "none none", "the focused email field has no visible focus style"
    page.keyboard.type("keyboard.chair@example.org")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("heading", level=1, name="Hello, Chris Morgan").wait_for()
    assert page.url == f"{live_server.url}/"
    assert_accessible(page)


@pytest.mark.parametrize("role", ["hr", "panelist"])
def test_no_horizontal_scrolling_at_320_pixels(live_server, new_context, role):
    """320 CSS pixels wide is what a 1280 pixel window shows at 400% zoom (WCAG 1.4.10)."""
    with live_server.db() as s:
        user = make_user(s, role, "Bartholomew Featherstonehaugh-Smythe", f"narrow.{role}@example.org")
        vacancy = make_vacancy(s, f"NARROW-{role.upper()}-2026-000001",
                               title="Senior Psychological Wellbeing Practitioner (Long-Term Conditions)",
                               panel=[(user, "patient")] if role == "panelist" else ())
        vacancy_id = vacancy.id
    page = new_context(viewport={"width": 320, "height": 640}).new_page()
    sign_in(page, live_server.url, f"narrow.{role}@example.org")
    pages = ["/", f"/vacancies/{vacancy_id}", f"/vacancies/{vacancy_id}/criteria", f"/vacancies/{vacancy_id}/panel"]
    if role == "hr":
        pages += ["/vacancies/new", f"/vacancies/{vacancy_id}/criteria/new"]
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 321, f"{path} scrolls sideways at 320px: {width}px wide"
        assert_accessible(page)


# --- the idle sign-out warning -------------------------------------------------

IDLE = 12  # seconds before the server signs an idle user out
WARNING = 6  # the warning shows this long before


@pytest.fixture(scope="module")
def quick_timeout_server(tmp_path_factory, migrated_databases):
    folder = tmp_path_factory.mktemp("timeout")
    with serve(folder, migrated_databases.sqlite(folder / "browser.db"), SESSION_IDLE_MINUTES=IDLE / 60,
               SESSION_WARNING_MINUTES=WARNING / 60) as server:
        yield server


def test_session_warning_and_stay_signed_in(quick_timeout_server, new_context):
    server = quick_timeout_server
    with server.db() as s:
        for who in ("stays", "leaves", "ended"):
            make_user(s, "panelist", f"Panelist {who}", f"{who}@example.org")

    pages, loaded = {}, {}
    for who in ("stays", "leaves", "ended"):
        # "ended" uses what a 1280x1024 window shows at 400% zoom
        viewport = {"width": 320, "height": 256} if who == "ended" else {"width": 1280, "height": 900}
        pages[who] = new_context(viewport=viewport).new_page()
        sign_in(pages[who], server.url, f"{who}@example.org")
        loaded[who] = time.monotonic()  # just after the page's last request (its home page)

    stays, leaves, ended = pages["stays"], pages["leaves"], pages["ended"]
    warning = stays.locator("#session-warning")
    assert warning.is_hidden()
    warning.wait_for(state="visible", timeout=(IDLE - WARNING + 3) * 1000)
    assert time.monotonic() - loaded["stays"] >= IDLE - WARNING - 1
    stays.get_by_role("alertdialog", name="You will be signed out soon").wait_for()
    assert stays.evaluate("document.activeElement.id") == "session-extend"
    assert_accessible(stays)

    with stays.expect_response(re.compile(r"/session/extend$")) as extended:
        stays.get_by_role("button", name="Stay signed in").click()
    assert extended.value.status == 200
    clicked = time.monotonic()
    warning.wait_for(state="hidden")

    # If the session has already ended on the server (here: signed out everywhere),
    # "Stay signed in" must not pretend it worked.
    ended.locator("#session-warning").wait_for(state="visible")
    # At 400% zoom the warning is taller than the window; its button must still be in view.
    assert ended.evaluate("""() => { const r = document.getElementById("session-extend").getBoundingClientRect();
                                     return r.top >= 0 && r.bottom <= window.innerHeight; }""")
    assert_accessible(ended)
    with server.db() as s:
        s.execute(update(User).where(User.email == "ended@example.org").values(session_version=User.session_version + 1))
        s.commit()
    ended.get_by_role("button", name="Stay signed in").click()
    ended.wait_for_url(re.compile(r"/login"))
    ended.get_by_role("heading", level=1, name="Sign in to panel").wait_for()

    # Past the idle limit since the page loaded, but not since "Stay signed in".
    time.sleep(max(0.0, loaded["stays"] + IDLE + 2 - time.monotonic()))
    assert time.monotonic() - clicked < IDLE - 1, "too slow to prove anything"
    stays.reload()
    stays.get_by_role("heading", level=1, name="Hello, Panelist stays").wait_for()

    # Whoever did nothing was signed out and sent to the sign-in page with a reason.
    leaves.wait_for_url(re.compile(r"/login"), timeout=5000)
    leaves.get_by_role("heading", level=1, name="Sign in to panel").wait_for()
    expect_text(leaves, "You were signed out because you had not done anything for a while")
    assert_accessible(leaves)
    leaves.get_by_label("Email address").fill("leaves@example.org")
    leaves.get_by_label("Password", exact=True).fill(PASSWORD)
    leaves.get_by_role("button", name="Sign in").click()
    leaves.get_by_role("heading", level=1, name="Hello, Panelist leaves").wait_for()
