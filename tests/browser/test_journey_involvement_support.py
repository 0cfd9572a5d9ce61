"""Issue 17's journey in a real browser on a 390px phone, with axe-core on every page: after
the interview day a patient panelist answers their private check-in, sees what they did on
"My involvement" and downloads their certificate of involvement (made by the pack worker)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from panel.models import CheckIn
from panel.packs import jobs
from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.browser.test_scoring_offline import sign_in
from tests.builders_plugin import builder, interview_world

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"width": 390, "height": 844}


def test_a_patient_panelist_completes_a_check_in_and_downloads_a_certificate(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        w = interview_world(s, candidates=1, questions=1, reference="JOURNEY-17")
        b = builder(s)
        for member in (w["chair"], w["p1"], w["p2"], w["staff"]):
            b.interview_scores(w["candidates"][0], member, w["questions"], [3])
        b.advance(w["vacancy"])  # decisions: the patient panelists are sent their check-ins
        s.commit()
        email, user_id, candidate = w["p1"].email, w["p1"].id, w["candidates"][0]
        candidate_name = candidate.full_name

    page = new_context(viewport=PHONE, accept_downloads=True).new_page()
    sign_in(page, base, email)
    page.goto(f"{base}/me/involvement")
    page.get_by_role("heading", level=1, name="My involvement").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Tell us how it went")).click()
    page.get_by_role("heading", level=1, name="How did it go?").wait_for()
    assert_accessible(page)
    page.get_by_role("button", name="Send my answers").click()  # nothing chosen: told what to do
    page.get_by_text("Choose how the interview day went for you").first.wait_for()
    assert_accessible(page)
    page.get_by_label("Some of it was hard").check()
    page.get_by_label("Yes, please call me").check()
    page.get_by_label(re.compile("Did anything trouble you")).fill("A question about risk was hard to hear.")
    page.get_by_role("button", name="Send my answers").click()
    page.get_by_text("they will call you").wait_for()
    assert_accessible(page)
    with live_server.db() as s:
        answered = s.scalar(select(CheckIn).where(CheckIn.user_id == user_id))
        assert answered.wants_call and answered.troubles == "A question about risk was hard to hear."

    page.get_by_role("button", name="Download my certificate (PDF)").click()
    page.wait_for_url("**/me/involvement/jobs/*")
    assert_accessible(page)
    jobs.run_pending(live_server.app)
    page.get_by_text("is ready").first.wait_for()
    with page.expect_download() as download:
        page.locator("#pack-download").get_by_role("button").click()
    assert download.value.suggested_filename == "John O-Neill certificate of involvement.pdf"
    data = download.value.path().read_bytes()
    assert data.startswith(b"%PDF-") and candidate_name.encode() not in data
