"""Issue 19 items 1 and 2 in a real browser, on a phone: HR imports an Excel export with columns
panel does not know, matches them, clears the identity check's two details (one removed for the
panel, one marked fine) and opens shortlisting; a panel member reads the redacted copy. axe-core
checks every page."""
from __future__ import annotations

import io

import pytest

from panel.models import VacancyStatus
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_journey_shortlisting import click, criteria, sign_in
from tests.builders_plugin import builder

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}


def export() -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Applicants"
    sheet.append(["Ref", "Applicant forename", "Applicant surname", "Contact email", "Why do you want this job?",
                  "Ethnicity"])
    sheet.append(["A1", "Aoife", "Byrne", "aoife.byrne@example.net",
                  "I have run groups for people with low mood for two years. Best wishes, Aoife", "White Irish"])
    sheet.append(["A2", "Yusuf", "Haddad", "yusuf.haddad@example.net",
                  "I write about guided self-help at www.cbt-notes.org.uk and run a peer group.", "Arab"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_hr_imports_an_excel_export_clears_the_identity_check_and_opens_shortlisting(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        build = builder(s)
        hr = build.user("hr", name="Priya Shah", email="imp.hr@example.org")
        chair = build.user("chair", name="Chris Morgan", email="imp.chair@example.org")
        john = build.user("panelist", name="John O'Neill", email="imp.john@example.org")
        v = build.vacancy(reference="JRN-IMP-1", criteria=criteria(), status=VacancyStatus.DRAFT, actor=hr,
                          panel=[(chair, "chair"), (john, "patient")])
        build.commit()
        vacancy_id = v.id

    page = new_context(**PHONE).new_page()
    visits = Visits(page)
    sign_in(page, base, "imp.hr@example.org", visits)
    page.goto(f"{base}/vacancies/{vacancy_id}/candidates")
    visits.check()
    click(page, visits, "button", "Import candidates from a file")
    page.get_by_label("CSV or Excel file").set_input_files({
        "name": "nhs-jobs-export.xlsx", "buffer": export(),
        "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
    click(page, visits, "button", "Import candidates")

    # the columns page: panel's guess, and the one column HR has to choose
    page.get_by_role("heading", name="Match the file's columns to panel").wait_for()
    assert page.get_by_label("Column 2: Applicant forename").input_value() == "first_name"
    assert page.get_by_label("Column 6: Ethnicity").input_value() == "ignore"
    click(page, visits, "button", "Check and preview")
    page.get_by_text("Choose the column that holds the supporting information").first.wait_for()
    page.get_by_label("Column 5: Why do you want this job?").select_option("supporting_information")
    page.get_by_label("Save these choices for next time (optional)").fill("Trac short export")
    click(page, visits, "button", "Check and preview")
    page.get_by_role("heading", name="Preview: the first 2 candidates").wait_for()
    assert "White Irish" not in page.locator("#preview ~ dl").all_inner_texts()[0]
    click(page, visits, "button", "Import 2 candidates")
    page.get_by_text("2 candidates imported.").wait_for()
    assert page.locator("#identity-check-status").inner_text().count("2 details") == 1

    # the identity check: remove the sign-off, keep the web address
    click(page, visits, "link", "Open the identity check")
    page.get_by_text("2 details to review.").wait_for()
    assert page.locator("mark").all_inner_texts() == ["Aoife", "www.cbt-notes.org.uk"]
    click(page, visits, "button", "Remove it for the panel")
    page.get_by_text("Removed from what the panel reads for Candidate 01.").wait_for()
    click(page, visits, "button", "It is fine, keep it")
    page.get_by_text("Nothing to review: the identity check is clear.").wait_for()

    # shortlisting opens
    page.goto(f"{base}/vacancies/{vacancy_id}")
    visits.check()
    click(page, visits, "button", "Move to shortlisting")
    click(page, visits, "button", "Yes, move to shortlisting")
    page.get_by_text("Shortlisting", exact=False).first.wait_for()
    visits.assert_all_checked()
    with live_server.db() as s:
        from panel.models import Candidate, Vacancy

        assert s.get(Vacancy, vacancy_id).status == VacancyStatus.SHORTLISTING
        aoife = s.query(Candidate).filter_by(email="aoife.byrne@example.net").one()
        assert aoife.text_for_panel.endswith("Best wishes, [removed]")
        aoife_id = aoife.id

    # a panel member, on a phone too, reads the panel's copy
    panelist = new_context(**PHONE).new_page()
    visits = Visits(panelist)
    sign_in(panelist, base, "imp.john@example.org", visits)
    panelist.goto(f"{base}/vacancies/{vacancy_id}/shortlisting/candidates/{aoife_id}")
    visits.check()
    text = panelist.content()
    assert "Best wishes, [removed]" in text and "Aoife" not in text
    visits.assert_all_checked()
