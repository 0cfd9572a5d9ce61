"""A long candidates list (hundreds of applications) on a phone: HR finds a candidate by part of
their name with the search box, the list is in pages of 50 with the NHS.UK pagination, and every
page passes axe and fits 320 px."""
from __future__ import annotations

import pytest

from panel.builders import scale_shortlisting
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_shortlisting_allocation import PHONE, no_sideways_scroll, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def test_hr_finds_a_candidate_among_many_on_a_phone(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        vacancy, _chair, _users, people = scale_shortlisting(
            s, reference="FIND-60", candidates=60, criteria=2, members=2, statement_chars=200, scored=False,
            password=PASSWORD, app=live_server.app)
        wanted = people[41]
        wanted.last_name = "O'Brien-Zoë"
        s.commit()
        vid, wanted_id, wanted_label = vacancy.id, wanted.id, wanted.label

    phone = new_context(viewport=PHONE).new_page()
    visits = Visits(phone)
    sign_in(phone, base, "hr-find-60@example.org", visits)
    phone.goto(f"{base}/vacancies/{vid}/candidates")
    visits.check()
    no_sideways_scroll(phone)
    assert phone.locator("#candidates-shown").inner_text() == "Showing 1 to 50 of 60."
    assert phone.locator("main tbody tr").count() == 50
    pages = phone.get_by_role("navigation", name="Pages of candidates")
    pages.get_by_role("link", name="Page 2").click()
    phone.locator("#candidates-shown").get_by_text("Showing 51 to 60 of 60.").wait_for()
    visits.check()
    no_sideways_scroll(phone)
    assert phone.locator("main tbody tr").count() == 10

    phone.get_by_label("Find a candidate").fill("obrien zoe")  # no apostrophe, no accent
    phone.get_by_role("button", name="Search").click()
    phone.locator("#candidates-shown").get_by_text("Showing 1 to 1 of 1 candidate matching your search.").wait_for()
    visits.check()
    no_sideways_scroll(phone)
    phone.get_by_role("link", name=wanted_label, exact=True).click()
    phone.wait_for_url(f"**/vacancies/{vid}/candidates/{wanted_id}")
    visits.check()

    phone.goto(f"{base}/vacancies/{vid}/candidates?q=nobody+called+this")
    phone.get_by_text("No candidates match your search.").wait_for()
    visits.check()
    phone.get_by_role("link", name="Show every candidate").click()
    phone.locator("#candidates-shown").get_by_text("Showing 1 to 50 of 60.").wait_for()
    visits.check()
    visits.assert_all_checked()
