"""Sharing the reading in a real browser, on a phone: HR shares 12 applications out so each
is read by 2 of the 4 panel members (a wrong number first: the error is next to the field),
then a patient panelist sees only their share and their progress against it. axe-core checks
every page; nothing scrolls sideways at 320 pixels."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from panel.builders import Builder
from panel.models import ShortlistAllocation
from tests.browser.conftest import CHROMIUM, Visits
from tests.builders_plugin import SPEC
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"width": 320, "height": 700}


def sign_in(page, base, email, visits):
    page.goto(f"{base}/login")
    visits.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Hello, ")).wait_for()
    visits.check()


def no_sideways_scroll(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px at 320px wide"


def test_hr_shares_the_reading_out_and_a_member_sees_only_their_share_on_a_phone(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        b = Builder(s, app=live_server.app, password=PASSWORD)
        hr = b.user("hr", name="Priya Shah", email="alloc-hr@example.org")
        b = Builder(s, hr, app=live_server.app, password=PASSWORD)
        chair = b.user("chair", name="Chris Morgan", email="alloc-chair@example.org")
        john = b.user("panelist", name="John O'Neill", email="alloc-john@example.org")
        zoe = b.user("panelist", name="Zoë Ashworth", email="alloc-zoe@example.org")
        v = b.vacancy(reference="ALLOC-1", criteria=SPEC,
                      panel=[(chair, "chair"), (john, "patient"), (zoe, "patient")])
        staff = b.user("panelist", name="Sam Taylor", email="alloc-sam@example.org")
        b.panel_member(v, staff, "staff")
        for _ in range(12):
            b.candidate(v)
        b.advance(v)
        s.commit()
        vid, john_id = v.id, john.id

    # HR, on a phone
    page = new_context(viewport=PHONE).new_page()
    visits = Visits(page)
    sign_in(page, base, "alloc-hr@example.org", visits)
    page.goto(f"{base}/vacancies/{vid}/shortlisting")
    visits.check()
    page.get_by_role("link", name=re.compile("Share out the applications")).click()
    visits.check()
    page.get_by_role("heading", level=1, name="Share out the applications").wait_for()
    no_sideways_scroll(page)
    field = page.get_by_label("How many panel members should read each application?")
    field.fill("9")
    page.get_by_role("button", name="Share out the applications").click()
    visits.check()  # the page with the error, axe-checked too
    assert page.locator("#readers-error").inner_text().strip().endswith(
        "Enter a number from 1 to 4: there are 4 panel members to read the applications")
    page.get_by_role("link", name=re.compile("Enter a number from 1 to 4")).wait_for()  # the error summary
    no_sideways_scroll(page)
    page.get_by_label("How many panel members should read each application?").fill("2")
    page.get_by_role("button", name="Share out the applications").click()
    page.get_by_text("Each application is now read by 2 panel members.").wait_for()
    visits.check()
    no_sideways_scroll(page)
    assert "2 panel members" in page.locator("#readers-now").inner_text()
    # Sam stops reading, then can read again after all: the stop is undone (both forms axe-checked)
    page.get_by_role("group", name="Who has stopped reading?").get_by_label("Sam Taylor").check()
    page.get_by_role("button", name="Move their applications").click()
    page.get_by_text("shared among the other panel members").wait_for()
    visits.check()
    no_sideways_scroll(page)
    page.get_by_role("button", name="Give them applications to read again").click()
    visits.check()  # nobody chosen: the error next to the field
    page.get_by_role("link", name="Choose the panel member who reads again").wait_for()
    page.get_by_role("group", name="Who reads again?").get_by_label("Sam Taylor").check()
    page.get_by_role("button", name="Give them applications to read again").click()
    page.get_by_text(re.compile(r"They read applications again: \d+ applications? shared back to them")).wait_for()
    visits.check()
    assert "stopped reading" not in page.locator("#shares").inner_text()
    visits.assert_all_checked()

    with live_server.db() as s:
        johns = set(s.scalars(select(ShortlistAllocation.candidate_id).where(
            ShortlistAllocation.vacancy_id == vid, ShortlistAllocation.user_id == john_id)))
        everyone = s.scalars(select(ShortlistAllocation).where(ShortlistAllocation.vacancy_id == vid)).all()
    assert len(everyone) == 24 and 0 < len(johns) < 12
    other = next(a.candidate_id for a in everyone if a.candidate_id not in johns)

    # John, a patient panelist, on his phone: only his share, and his progress against it
    phone = new_context(viewport=PHONE).new_page()
    visits = Visits(phone)
    sign_in(phone, base, "alloc-john@example.org", visits)
    phone.goto(f"{base}/vacancies/{vid}/shortlisting")
    visits.check()
    no_sideways_scroll(phone)
    assert phone.locator("#my-progress").inner_text().strip() == f"0 of {len(johns)} read"
    links = phone.locator(".panel-candidate-list a").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    listed = {int(re.search(r"/candidates/(\d+)$", href).group(1)) for href in links}
    assert listed == johns
    phone.get_by_text("Start scoring", exact=True).click()
    visits.check()
    assert int(re.search(r"/candidates/(\d+)$", phone.url).group(1)) in johns
    no_sideways_scroll(phone)
    # a candidate that is not his: not found
    response = phone.goto(f"{base}/vacancies/{vid}/shortlisting/candidates/{other}")
    assert response.status == 404
    visits.check()
    visits.assert_all_checked()
