"""Candidates (HR): add by form, change, upload the application PDF, withdraw; who sees what."""
from __future__ import annotations

import io

from sqlalchemy import select

from panel.models import AuditEvent, Candidate, CandidateEvidence, VacancyStatus
from tests.builders_plugin import MINIMAL_PDF, declare, sl, store_pdf, stored_keys, url  # noqa: F401


def form(sl, **overrides):
    data = {"first_name": "Siân", "last_name": "O'Brien", "email": "sian.obrien@example.com", "phone": "01205 123456",
            "supporting_information": "I have run stress control groups for two years.",
            f"evidence_{sl.criteria[0].id}": "Two years in primary care."}
    data.update(overrides)
    return data


def test_hr_adds_a_candidate_who_gets_the_next_label(as_user, sl, session):
    hr = as_user(sl.hr)
    r = hr.post_form(url(sl.v, "candidates/new"), form(sl, disability_confident="y"))
    assert r.status_code == 302
    c = session.scalar(select(Candidate).where(Candidate.email == "sian.obrien@example.com"))
    assert c.number == 4 and c.label == "Candidate 04" and c.disability_confident
    ev = session.scalar(select(CandidateEvidence).where(CandidateEvidence.candidate_id == c.id))
    assert ev.criterion_id == sl.criteria[0].id and ev.text == "Two years in primary care."
    page = hr.get(r.headers["Location"]).get_data(as_text=True)
    assert "Siân O&#39;Brien" in page and "Candidate 04" in page and "guaranteed an interview" in page
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "candidate", AuditEvent.action == "create"))
    assert event.summary == "Candidate 04 added" and event.changes["email"]["after"] == "sian.obrien@example.com"


def test_add_and_add_another(as_user, sl):
    r = as_user(sl.hr).post_form(url(sl.v, "candidates/new"), form(sl, another="1"))
    assert r.status_code == 302 and r.headers["Location"].endswith("/candidates/new")


def test_candidate_form_errors(as_user, sl, session):
    hr = as_user(sl.hr)
    cases = [
        ({"first_name": ""}, "Enter the candidate&#39;s first name"),
        ({"email": "nope"}, "Enter an email address in the correct format"),
        ({"email": "AOIFE.OCONNOR@example.net"}, "A candidate with this email address is already on this vacancy"),
        ({"phone": "ring me"}, "Enter a phone number"),
        ({"last_name": "x" * 101}, "Last name must be 100 characters or fewer"),
        ({"supporting_information": "x" * 50001}, "Supporting information must be 50000 characters or fewer"),
        ({f"evidence_{sl.criteria[0].id}": "x" * 10001}, "Evidence for criterion 1 must be 10000 characters or fewer"),
    ]
    for overrides, message in cases:
        r = hr.post_form(url(sl.v, "candidates/new"), form(sl, **overrides))
        assert r.status_code == 200 and message in r.get_data(as_text=True), overrides
    assert session.scalar(select(Candidate).where(Candidate.email == "sian.obrien@example.com")) is None


def test_hr_changes_a_candidate_and_it_is_audited(as_user, sl, session):
    c = sl.candidates[0]
    hr = as_user(sl.hr)
    page = hr.get(url(sl.v, "candidates", c.id, "edit")).get_data(as_text=True)
    assert "aoife.oconnor@example.net" in page and "Evidence of anxiety work from candidate 1." in page
    r = hr.post_form(url(sl.v, "candidates", c.id, "edit"), form(sl, first_name="Aoife", last_name="O'Connor",
                                                                  email="aoife.oconnor@example.net"))
    assert r.status_code == 302
    session.expire_all()
    c = session.get(Candidate, c.id)
    assert c.phone == "01205 123456" and c.number == 1
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "update", AuditEvent.entity_id == c.id))
    assert event.changes["phone"] == {"before": "07700 900101", "after": "01205 123456"}


def test_withdraw_and_reinstate(as_user, sl, session):
    c = sl.candidates[0]
    hr = as_user(sl.hr)
    assert "Withdraw " in hr.get(url(sl.v, "candidates", c.id, "withdraw")).get_data(as_text=True)
    assert hr.post_form(url(sl.v, "candidates", c.id, "withdraw"), {}).status_code == 302
    session.expire_all()
    assert session.get(Candidate, c.id).is_withdrawn
    # the panel stops scoring them
    page = as_user(sl.panelist).get(url(sl.v, "shortlisting")).get_data(as_text=True)
    assert "Withdrawn" in page
    assert hr.post_form(url(sl.v, "candidates", c.id, "reinstate"), {}).status_code == 302
    session.expire_all()
    assert not session.get(Candidate, c.id).is_withdrawn
    actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_id == c.id,
                                                                          AuditEvent.entity_type == "candidate"))]
    assert "withdraw" in actions and "reinstate" in actions


def test_upload_the_application_pdf(as_user, sl, session, app):
    c = sl.candidates[0]
    hr = as_user(sl.hr)
    page = hr.get(url(sl.v, "candidates", c.id, "application")).get_data(as_text=True)
    assert "Upload the anonymised application" in page
    r = hr.post_form(url(sl.v, "candidates", c.id, "application"),
                     {"file": (io.BytesIO(MINIMAL_PDF), "Aoife O'Connor CV.pdf")}, content_type="multipart/form-data")
    assert r.status_code == 302
    session.expire_all()
    c = session.get(Candidate, c.id)
    assert c.application_filename == "Aoife O'Connor CV.pdf" and c.application_file.endswith(".pdf")
    assert "Aoife" not in c.application_file
    download = hr.get(url(sl.v, "candidates", c.id, "application.pdf"))
    assert download.status_code == 200 and download.data == MINIMAL_PDF
    assert 'filename="SL-1 Candidate 01 application.pdf"' in download.headers["Content-Disposition"]
    first = c.application_file
    # replacing removes the old file
    hr.post_form(url(sl.v, "candidates", c.id, "application"), {"file": (io.BytesIO(MINIMAL_PDF), "v2.pdf")},
                 content_type="multipart/form-data")
    assert f"uploads/{first}" not in stored_keys(app) and f"uploads/panel-copies/{first}" not in stored_keys(app)


def test_upload_refuses_what_is_not_a_pdf(as_user, sl, session):
    c = sl.candidates[0]
    hr = as_user(sl.hr)
    for data, name, message in [
        (b"Hello, I am not a PDF", "cv.pdf", "The selected file must be a PDF"),
        (b"", "cv.pdf", "The selected file is empty"),
        (b"%PDF-1.4" + b"0" * (11 * 1024 * 1024), "big.pdf", None),
    ]:
        r = hr.post_form(url(sl.v, "candidates", c.id, "application"), {"file": (io.BytesIO(data), name)},
                         content_type="multipart/form-data")
        if message:
            assert r.status_code == 200 and message in r.get_data(as_text=True)
        else:
            assert r.status_code in (200, 413)
    r = hr.post_form(url(sl.v, "candidates", c.id, "application"), {})
    assert "Choose the application PDF to upload" in r.get_data(as_text=True)
    session.expire_all()
    assert session.get(Candidate, c.id).application_file is None


def test_application_pdf_only_for_those_allowed(as_user, sl, session, app):
    c = sl.candidates[0]
    c.application_file = store_pdf(app)
    session.commit()
    path = url(sl.v, "candidates", c.id, "application.pdf")
    assert as_user(sl.panelist).get(path).status_code == 200    # on the panel, has not stepped aside
    assert as_user(sl.other).get(path).status_code == 404       # another panel
    john = as_user(sl.panelist2)
    declare(john, sl.v, c, "yes")
    assert john.get(path).status_code == 404                    # stepped aside
    assert as_user(None).get(path).status_code == 302           # sign in first
    # a candidate of another vacancy through this vacancy's URL
    assert as_user(sl.hr).get(url(sl.v, "candidates", sl.stranger.id, "application.pdf")).status_code == 404
    sl.v.status = VacancyStatus.DRAFT
    session.commit()
    assert as_user(sl.panelist).get(path).status_code == 404    # nothing for the panel in draft


def test_hr_list_shows_everything(as_user, sl):
    page = as_user(sl.hr).get(url(sl.v, "candidates")).get_data(as_text=True)
    assert "Aoife O&#39;Connor" in page and "مريم الحسن" in page and "Disability Confident" in page
    assert "Import candidates from a file" in page


def test_no_adding_once_interviewing(as_user, sl, session):
    sl.v.status = VacancyStatus.INTERVIEWING
    session.commit()
    hr = as_user(sl.hr)
    assert hr.get(url(sl.v, "candidates/new")).status_code == 404
    assert hr.get(url(sl.v, "candidates/import")).status_code == 404
    assert "Add a candidate" not in hr.get(url(sl.v, "candidates")).get_data(as_text=True)
