"""The vacancy form: a job description PDF with JavaScript is kept and HR is told; a
duplicate reference is reported with the form's other problems, on create and on edit;
and two requests saving the same reference at once get a message, not a 500."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from panel.models import AuditEvent, Vacancy
from panel.vacancies import services
from tests.builders_plugin import stored_bytes, stored_keys
from tests.test_security_headers import JS_PDF
from tests.test_vacancies import MINIMAL_PDF, vacancy_form

JS_NOTICE = "This job description PDF contains JavaScript"


def _uploads(app) -> list[str]:
    """The stored PDFs: the originals and the panel's cleaned copies (panel-copies/), from the store."""
    return [key[len("uploads/"):] for key in stored_keys(app, "uploads/")]


def _post(client, url, data, pdf: bytes | None = None, filename="job description.pdf"):
    data = dict(data)
    if pdf is not None:
        data["job_description_file"] = (io.BytesIO(pdf), filename)
    return client.post_form(url, data, content_type="multipart/form-data")


def _summary_links(page: str) -> list[str]:
    summary = page.split('class="nhsuk-error-summary"', 1)[1].split("</div>\n</div>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def _inline_error(page: str, field: str) -> str | None:
    match = re.search(rf'id="{field}-error">\s*<span class="nhsuk-u-visually-hidden">Error: </span>([^<]+)</span>', page)
    return match.group(1).strip() if match else None


# --- 1. a job description PDF with JavaScript -----------------------------------------

def test_a_job_description_pdf_with_javascript_is_kept_and_hr_is_told(app, as_user, world, session):
    hr = as_user(world["hr"])
    response = _post(hr, "/vacancies/new", vacancy_form(), JS_PDF)
    assert response.status_code == 302
    vacancy = session.scalar(select(Vacancy).where(Vacancy.reference == "PWP-0001"))
    assert vacancy.job_description_filename == "job description.pdf"
    assert stored_bytes(app, f"uploads/{vacancy.job_description_file}") == JS_PDF
    page = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vacancy PWP-0001 created" in page
    assert JS_NOTICE in page and "only ever offers it as a download" in page
    # shown once, in the NHS notification banner (not the green success one)
    assert page.count(JS_NOTICE) == 1
    banner = page[:page.index(JS_NOTICE)].rsplit('class="nhsuk-notification-banner', 1)[1]
    assert not banner.startswith(" nhsuk-notification-banner--success")
    assert hr.get(f"/vacancies/{vacancy.id}/job-description").data == JS_PDF
    # the next page does not repeat it
    assert JS_NOTICE not in hr.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)


def test_a_plain_job_description_pdf_gets_no_notice(as_user, world):
    hr = as_user(world["hr"])
    response = _post(hr, "/vacancies/new", vacancy_form(), MINIMAL_PDF)
    assert response.status_code == 302
    page = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "Vacancy PWP-0001 created" in page and "JavaScript" not in page


def test_replacing_the_job_description_with_javascript_on_edit_tells_hr(app, as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    first = _post(hr, f"/vacancies/{a.id}/edit", vacancy_form(reference="A-1"), MINIMAL_PDF, "plain.pdf")
    assert first.status_code == 302
    assert JS_NOTICE not in hr.get(first.headers["Location"]).get_data(as_text=True)
    session.expire_all()
    old_file = session.get(Vacancy, a.id).job_description_file
    response = _post(hr, f"/vacancies/{a.id}/edit", vacancy_form(reference="A-1"), JS_PDF, "scripted.pdf")
    assert response.status_code == 302
    page = hr.get(response.headers["Location"]).get_data(as_text=True)
    assert "The vacancy has been saved" in page and JS_NOTICE in page
    session.expire_all()
    vacancy = session.get(Vacancy, a.id)
    assert vacancy.job_description_filename == "scripted.pdf"
    assert _uploads(app) == [vacancy.job_description_file, f"panel-copies/{vacancy.job_description_file}"] and vacancy.job_description_file != old_file
    # saving again without a new file says nothing about JavaScript
    again = hr.post_form(f"/vacancies/{a.id}/edit", vacancy_form(reference="A-1", title="Senior PWP"))
    assert JS_NOTICE not in hr.get(again.headers["Location"]).get_data(as_text=True)


# --- 2. a duplicate reference is reported with everything else -------------------------

def _assert_title_and_reference_errors(response):
    """Both errors at once, in the summary and each next to its field."""
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Enter the job title" in page and "Another vacancy already has this reference" in page
    assert _summary_links(page) == ["title", "reference"]
    assert _inline_error(page, "title") == "Enter the job title"
    assert _inline_error(page, "reference") == "Another vacancy already has this reference"


def test_create_reports_an_empty_title_and_a_duplicate_reference_at_once(as_user, world, session):
    hr = as_user(world["hr"])
    before = session.query(Vacancy).count()
    response = hr.post_form("/vacancies/new", vacancy_form(title="", reference="  a-1 "))
    _assert_title_and_reference_errors(response)
    assert session.query(Vacancy).count() == before


def test_create_reports_a_bad_pdf_and_a_duplicate_reference_at_once(app, as_user, world, session):
    hr = as_user(world["hr"])
    response = _post(hr, "/vacancies/new", vacancy_form(reference="B-1"), b"MZ not a pdf")
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "Another vacancy already has this reference" in page and "The selected file must be a PDF" in page
    assert _summary_links(page) == ["reference", "job_description_file"]
    assert _uploads(app) == [] and session.query(Vacancy).count() == 2


def test_a_reference_is_stored_trimmed_and_compared_without_case(as_user, world, session):
    hr = as_user(world["hr"])
    # the form trims what it is given; the service trims too, so the stored value is clean
    with_spaces = vacancy_form(reference="  New-9  ")
    assert hr.post_form("/vacancies/new", with_spaces).status_code == 302
    assert session.scalar(select(Vacancy.reference).where(Vacancy.reference == "New-9")) == "New-9"
    again = hr.post_form("/vacancies/new", vacancy_form(reference="NEW-9"))
    assert "Another vacancy already has this reference" in again.get_data(as_text=True)


def test_edit_reports_an_empty_title_and_a_duplicate_reference_at_once(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    response = hr.post_form(f"/vacancies/{a.id}/edit", vacancy_form(title="", reference="b-1"))
    _assert_title_and_reference_errors(response)
    session.expire_all()
    assert session.get(Vacancy, a.id).reference == "A-1"
    assert not session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).all()


def test_edit_ignores_the_vacancy_being_changed(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    # its own reference, in another case and with spaces, is not a duplicate of itself
    response = hr.post_form(f"/vacancies/{a.id}/edit", vacancy_form(reference=" a-1 ", title="Senior PWP"))
    assert response.status_code == 302
    session.expire_all()
    saved = session.get(Vacancy, a.id)
    assert saved.reference == "a-1" and saved.title == "Senior PWP"


# --- the guard in the service: two requests at once ------------------------------------

def test_a_reference_saved_by_someone_else_a_moment_ago_is_a_message_not_a_500(app, as_user, world, session,
                                                                              monkeypatch):
    """The form and the service both checked before the other request committed: the
    database's unique constraint catches it, and HR gets the message next to the field."""
    monkeypatch.setattr(services, "reference_taken", lambda *a, **k: False)
    hr = as_user(world["hr"])
    audit_before = session.query(AuditEvent).count()
    response = _post(hr, "/vacancies/new", vacancy_form(reference="A-1"), MINIMAL_PDF)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Another vacancy already has this reference" in page and _summary_links(page) == ["reference"]
    assert session.query(Vacancy).count() == 2
    assert _uploads(app) == []  # the PDF saved for it is removed again
    # on the edit form too: B keeps its reference and its PDF
    b = world["b"]
    response = _post(hr, f"/vacancies/{b.id}/edit", vacancy_form(reference="A-1", title="Changed"), MINIMAL_PDF)
    assert response.status_code == 400
    assert "Another vacancy already has this reference" in response.get_data(as_text=True)
    session.expire_all()
    unchanged = session.get(Vacancy, b.id)
    assert (unchanged.reference, unchanged.title, unchanged.job_description_file) == \
        ("B-1", "High Intensity Therapist", None)
    assert _uploads(app) == []
    assert session.query(AuditEvent).count() == audit_before  # no create or update was recorded
    # and the app carries on: the next save works
    monkeypatch.undo()
    assert hr.post_form(f"/vacancies/{b.id}/edit", vacancy_form(reference="B-1", title="Changed")).status_code == 302
