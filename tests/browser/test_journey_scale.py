"""Issue 14 "done when": the 400-candidate vacancy shortlisted end to end in the browser. HR shares
the reading (each application read by 2 of the 4 panel members); most of the scoring is done
through the service layer (bulk, with the services' rules); a patient panelist scores the last two
of their share in the browser on a phone (320 px wide); the chair moderates (who read what, means
over those who scored) and records a decision; HR downloads the shortlisting pack of all 400
through its progress page, the pack job run here by calling the worker function.

Kept fast (the count of candidates is the point here; `make bench` measures 3 KB statements and 8
criteria): the candidates are imported in one CSV with short statements and 4 criteria, the
scores are bulk-inserted, and axe-core (which checks every page visited) checks a page of the
same structure once. About 800 pages of pack are rendered on every core."""
from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from panel.builders import Builder, scale_score, scale_shortlisting
from panel.models import Candidate, ShortlistAllocation
from panel.packs import jobs
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_shortlisting_allocation import PHONE, no_sideways_scroll, sign_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

SIZE, CRITERIA, MEMBERS, READERS = 400, 4, 4, 2
LEFT_FOR_THE_BROWSER = 2


def test_400_candidates_shortlisted_end_to_end(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        vacancy, chair, users, people = scale_shortlisting(
            s, reference="E2E-400", candidates=SIZE, criteria=CRITERIA, members=MEMBERS, statement_chars=400,
            scored=False, password=PASSWORD, app=live_server.app)
        s.commit()
        vid, hr_email, chair_email = vacancy.id, "hr-e2e-400@example.org", chair.email
        patient = users[2]  # chair, staff, patient, staff
        patient_id, patient_email = patient.id, patient.email
        member_ids = [u.id for u in users]

    # --- HR shares the reading out --------------------------------------------------
    hr = new_context(accept_downloads=True).new_page()
    visits = Visits(hr)
    sign_in(hr, base, hr_email, visits)
    hr.goto(f"{base}/vacancies/{vid}/shortlisting/allocation")
    visits.check()
    hr.get_by_label("How many panel members should read each application?").fill(str(READERS))
    hr.get_by_role("button", name="Share out the applications").click()
    hr.get_by_text(f"Each application is now read by {READERS} panel members.").wait_for()
    visits.check()
    shares = hr.locator("#shares tbody tr td:nth-of-type(1)").all_inner_texts()
    assert sum(int(t.split()[-1]) for t in shares) == SIZE * READERS

    # --- most of the reading, through the service layer -----------------------------
    with live_server.db() as s:
        allocated = {(cid, uid) for cid, uid in s.execute(select(ShortlistAllocation.candidate_id, ShortlistAllocation.user_id)
                                                          .where(ShortlistAllocation.vacancy_id == vid))}
        mine = sorted(cid for cid, uid in allocated if uid == patient_id)
        left = mine[-LEFT_FOR_THE_BROWSER:]
        numbers = dict(s.execute(select(Candidate.id, Candidate.number).where(Candidate.vacancy_id == vid)).all())
        v = s.get(type(vacancy), vid)
        Builder(s, app=live_server.app).bulk_shortlist_scores(v, {
            (cid, uid): [scale_score(numbers[cid], member_ids.index(uid), ci) for ci in range(CRITERIA)]
            for cid, uid in allocated if (cid, uid) not in {(c, patient_id) for c in left}})
        s.commit()

    # --- the patient panelist scores their last two on a phone ------------------------
    phone = new_context(viewport=PHONE).new_page()
    pv = Visits(phone)
    sign_in(phone, base, patient_email, pv)
    phone.goto(f"{base}/vacancies/{vid}/shortlisting")
    pv.check()
    no_sideways_scroll(phone)
    done = len(mine) - LEFT_FOR_THE_BROWSER
    assert phone.locator("#my-progress").inner_text().strip() == f"{done} of {len(mine)} read"
    for cid in left:
        label = f"Candidate {numbers[cid]:02d}"
        phone.goto(f"{base}/vacancies/{vid}/shortlisting/candidates/{cid}")
        pv.check()
        no_sideways_scroll(phone)
        phone.get_by_role("group", name="Do you think you know this person from what they wrote?").get_by_label(
            "No", exact=True).check()
        phone.get_by_role("button", name="Continue").click()
        pv.check()
        for n in range(1, CRITERIA + 1):
            phone.get_by_role("group", name=f"Your score for criterion {n}").get_by_label("1 – Some evidence").check()
        phone.get_by_role("button", name="Save and continue").click()
        phone.get_by_role("heading", name="Check your scores before you submit").wait_for()
        pv.check()
        no_sideways_scroll(phone)
        phone.get_by_role("button", name="Submit my scores").click()
        phone.get_by_text(f"Your scores for {label} are submitted").wait_for()
        pv.check()
    phone.goto(f"{base}/vacancies/{vid}/shortlisting")
    pv.check()
    assert phone.locator("#my-progress").inner_text().strip() == f"{len(mine)} of {len(mine)} read"
    pv.assert_all_checked()

    # --- the chair moderates ------------------------------------------------------------
    page = new_context().new_page()
    cv = Visits(page)
    sign_in(page, base, chair_email, cv)
    page.goto(f"{base}/vacancies/{vid}/shortlisting/moderation")
    cv.check()
    assert page.locator(".panel-moderation__item").count() == SIZE
    page.get_by_text(f"each is read by {READERS} panel members").wait_for()
    assert "read by fewer than" not in page.locator("main").inner_text().lower()
    readers = page.locator(".panel-moderation__readers").all_inner_texts()
    assert all(len(r.removeprefix("Read by ").split(", ")) == READERS for r in readers)
    first = left[0]
    page.goto(f"{base}/vacancies/{vid}/shortlisting/moderation/{first}")
    cv.check()
    page.get_by_role("group", name="Your decision").get_by_label("Shortlist", exact=True).check()
    page.get_by_role("button", name="Save decision").click()
    page.get_by_text(f"Decision for Candidate {numbers[first]:02d} saved: Shortlist.").wait_for()
    cv.check()
    cv.assert_all_checked()

    # --- HR downloads the shortlisting pack through its progress page ----------------
    hr.goto(f"{base}/vacancies/{vid}/packs")
    visits.check()
    hr.get_by_role("button", name="Download the shortlisting pack (PDF)").click()
    hr.wait_for_url("**/packs/jobs/*")
    visits.check()
    hr.get_by_text("Waiting to start").wait_for()
    assert jobs.run_pending(live_server.app) == 1  # the pack worker
    hr.get_by_text("The pack is ready").wait_for()
    with hr.expect_download() as download:
        hr.locator("#pack-download").get_by_role("button").click()
    reader = PdfReader(io.BytesIO(download.value.path().read_bytes()))
    assert len(reader.pages) >= SIZE
    assert len(reader.outline) >= SIZE  # a bookmark for each candidate
    last = reader.pages[-1].extract_text()
    assert re.search(rf"Page {len(reader.pages)} of {len(reader.pages)}", last)
    visits.check()
    visits.assert_all_checked()
