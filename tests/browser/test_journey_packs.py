"""Packs in a real browser: a panel member downloads their pack from the packs page. Each
pack has a button for the saved print size and one for the other size, this time only (a
download only reads); the saved size changes with its own "Always use ..." button. A pack
not made yet is made in the background: the button leads to its progress page, whose polite
live region says how far it has got and which shows the download button when the pack worker
(run here by the test) has made it; a pack made before downloads at once. axe-core checks
the pages; the progress page also at phone width (320 px)."""
from __future__ import annotations

import pytest

from panel.models import User
from panel.packs import jobs
from panel.packs.bench import generate
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_journey_foundation import sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def _large_print(live_server, user_id: int) -> bool:
    with live_server.db() as s:
        return bool(s.get(User, user_id).large_print)


def _make_packs(live_server) -> None:
    """The pack worker: render what is waiting (as `flask packs-worker` would)."""
    jobs.run_pending(live_server.app)


def _through_progress(page, visits, live_server, button: str):
    """Click a download button for a pack not made yet: its progress page, the worker makes
    it, the page's live region says so and shows the download button; click it."""
    page.get_by_role("button", name=button).click()
    page.wait_for_url("**/packs/jobs/*")
    visits.check()
    status = page.locator("#pack-progress")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    _make_packs(live_server)
    page.get_by_text("The pack is ready").wait_for()
    with page.expect_download() as download:
        page.locator("#pack-download").get_by_role("button").click()
    return download


def test_a_panel_member_downloads_their_pack_in_the_print_size_they_choose(live_server, new_context):
    with live_server.db() as s:
        vacancy, _hr, members, _candidates = generate(
            s, reference="PKB-1", candidates=2, members=3, questions=2,
            password=PASSWORD, app=live_server.app)
        s.commit()
        vacancy_id, me = vacancy.id, members[2]
        my_id, my_email = me.id, me.email
    page = new_context(accept_downloads=True).new_page()
    visits = Visits(page)
    sign_in(page, live_server.url, my_email, visits=visits)
    packs = f"{live_server.url}/vacancies/{vacancy_id}/packs"
    page.goto(packs)
    visits.check()
    page.get_by_text("Your packs come in standard print").wait_for()

    # the other size, chosen for this one download: the file follows, nothing is remembered
    download = _through_progress(page, visits, live_server, "Download your pack in large print, this time only")
    assert download.value.suggested_filename == "PKB-1 interview pack John O-Neill large print.pdf"
    assert download.value.path().read_bytes().startswith(b"%PDF-")
    assert "/packs/jobs/" in page.url  # still on the progress page
    assert _large_print(live_server, my_id) is False
    page.goto(packs)
    visits.check()
    page.get_by_text("Your packs come in standard print").wait_for()
    page.get_by_role("button", name="Download your pack (PDF)").wait_for()

    # the saved size changes only with its own button
    page.get_by_role("button", name="Always use large print").click()
    page.get_by_text("Your packs will now come in large print.").wait_for()
    visits.check()
    assert _large_print(live_server, my_id) is True
    with page.expect_download() as again:  # made a moment ago: it downloads at once
        page.get_by_role("button", name="Download your pack (PDF, large print)").click()
    assert again.value.suggested_filename.endswith("large print.pdf")
    standard = _through_progress(page, visits, live_server, "Download your pack in standard print, this time only")
    assert "large print" not in standard.value.suggested_filename
    assert _large_print(live_server, my_id) is True
    visits.assert_all_checked()


def test_the_progress_page_at_phone_width_without_waiting(live_server, new_context):
    """At 320 px: the progress page fits, passes axe, says the pack is being made and that
    they may leave; the packs page lists it under "Your packs"; when it is made, their next
    page tells them, and the progress page links the PDF (no JavaScript needed: "Check again")."""
    with live_server.db() as s:
        vacancy, hr, _members, _candidates = generate(
            s, reference="PKB-2", candidates=2, members=2, questions=2, password=PASSWORD, app=live_server.app)
        s.commit()
        vacancy_id, hr_email = vacancy.id, hr.email
    page = new_context(viewport={"width": 320, "height": 700}).new_page()
    visits = Visits(page)
    sign_in(page, live_server.url, hr_email, visits=visits)
    page.goto(f"{live_server.url}/vacancies/{vacancy_id}/packs/panel.pdf?large_print=0")
    page.wait_for_url("**/packs/jobs/*")
    visits.check()
    progress = page.url
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_text("Waiting to start").wait_for()
    page.get_by_text("You do not have to wait on this page").wait_for()
    page.goto(f"{live_server.url}/vacancies/{vacancy_id}/packs")
    visits.check()
    page.get_by_role("link", name="Panel pack").wait_for()
    _make_packs(live_server)
    page.goto(f"{live_server.url}/")
    visits.check()
    page.get_by_text("Your panel pack is ready").wait_for()
    page.goto(progress)
    visits.check()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_role("heading", name="Your panel pack is ready").wait_for()
    page.get_by_role("button", name="Download the panel pack (PDF)").wait_for()
    visits.assert_all_checked()
