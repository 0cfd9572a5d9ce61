"""Issue 8 in a real browser, with axe-core on every page: HR sees when a closed vacancy's
personal data will be deleted, downloads a candidate's subject access export (JSON and PDF)
from the candidate's page, then finds those downloads in the audit log by filtering and
exports the filtered log as CSV. Also the privacy notice and accessibility statement."""
from __future__ import annotations

import json
import re

import pytest

from tests.builders_plugin import closed_world
from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.browser.test_scoring_offline import sign_in
from tests.conftest import make_user, make_vacancy

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def test_hr_exports_a_subject_access_request_and_finds_it_in_the_audit_log(live_server, new_context, tmp_path):
    base = live_server.url
    with live_server.db() as s:
        hr = make_user(s, "hr", "Priya Shah", "records-hr@example.org")
        chair = make_user(s, "chair", "Chris Morgan", "records-chair@example.org")
        panelist = make_user(s, "panelist", "John O'Neill", "records-panelist@example.org")
        other = make_user(s, "panelist", "Zoë Ashworth", "records-other@example.org")
        a = make_vacancy(s, "REC-A", panel=[(chair, "chair"), (panelist, "patient")])
        b = make_vacancy(s, "REC-B", title="High Intensity Therapist", panel=[(other, "patient")])
        w = closed_world(live_server.app, s, {"hr": hr, "chair": chair, "panelist": panelist, "other": other,
                                                    "a": a, "b": b})
        vid, cid = a.id, w["a2"].id

    page = new_context(accept_downloads=True).new_page()
    sign_in(page, base, "records-hr@example.org")
    assert_accessible(page)

    page.goto(f"{base}/vacancies/{vid}")
    page.get_by_role("heading", name="When personal data is deleted").wait_for()
    page.get_by_text("12 July 2026").wait_for()
    assert_accessible(page)

    page.goto(f"{base}/vacancies/{vid}/candidates/{cid}")
    page.get_by_role("heading", name="Subject access request").wait_for()
    assert_accessible(page)
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"JSON, a machine-readable file")).click()
    data = json.loads(open(info.value.path(), encoding="utf-8").read())
    assert data["candidate"]["first_name"] == "Bea"
    assert data["interview"]["outcome"]["rationale"] == "Bea outcome rationale"
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile(r"PDF, to send to them")).click()
    assert open(info.value.path(), "rb").read(5) == b"%PDF-"

    # the audit log, filtered to this vacancy, then this candidate, then by HR
    page.get_by_role("link", name="Audit log").first.click()
    page.get_by_role("heading", level=1, name="Audit log").wait_for()
    assert_accessible(page)
    page.get_by_label("Vacancy").select_option(label=f"REC-A – {a.title}")
    page.get_by_role("button", name="Filter").click()
    page.get_by_label("Candidate", exact=True).select_option(label="Candidate 02 – Bea Jones")
    page.get_by_label("Person who did it").select_option(label="Priya Shah (records-hr@example.org)")
    page.get_by_role("button", name="Filter").click()
    page.get_by_text("Subject access export (PDF) for Candidate 02 downloaded").wait_for()
    page.get_by_text("Subject access export (JSON) for Candidate 02 downloaded").wait_for()
    page.get_by_text("Candidate 02's personal details viewed").wait_for()
    assert_accessible(page)

    # a bad date: a clear message next to the field, and the page still works
    page.get_by_label("From date").fill("2026-05-01")
    page.get_by_label("To date").fill("2026-04-01")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("heading", name="There is a problem").wait_for()
    assert_accessible(page)
    page.get_by_role("link", name="Clear the filters").click()
    page.get_by_label("Vacancy").select_option(label=f"REC-A – {a.title}")
    page.get_by_role("button", name="Filter").click()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download these entries (CSV)").click()
    csv_text = open(info.value.path(), encoding="utf-8-sig").read()
    assert "Subject access export (PDF) for Candidate 02 downloaded" in csv_text

    for path, heading in (("/privacy", "Privacy notice"), ("/accessibility", "Accessibility statement")):
        page.goto(f"{base}{path}")
        page.get_by_role("heading", level=1, name=heading).wait_for()
        assert_accessible(page)
