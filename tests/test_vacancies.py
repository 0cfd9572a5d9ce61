"""Vacancies, person specifications, panels and their audit trail."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import select

from panel.models import AuditEvent, Criterion, PanelMember, User, Vacancy, VacancyStatus
from tests.conftest import count_queries, make_vacancy

MINIMAL_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
               b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
               b"trailer<</Root 1 0 R>>\n%%EOF\n")


def vacancy_form(**overrides):
    data = {
        "title": "Psychological Wellbeing Practitioner", "reference": "PWP-0001", "band": "Band 5",
        "site": "Boston", "team": "steps2change", "hours": "37.5", "salary": "£31,049",
        "closing_date-day": "1", "closing_date-month": "3", "closing_date-year": "2027",
        "interview_date-day": "20", "interview_date-month": "3", "interview_date-year": "2027",
        "interview_venue": "Pilgrim Hospital", "description": "Helping people.",
    }
    data.update(overrides)
    return data


def test_hr_creates_a_vacancy_and_it_is_audited(as_user, world, session):
    hr = as_user(world["hr"])
    response = hr.post_form("/vacancies/new", vacancy_form(title="Nurse – Ward 3 ‘Bluebell’ دعم"))
    assert response.status_code == 302
    vacancy = session.scalar(select(Vacancy).where(Vacancy.reference == "PWP-0001"))
    assert vacancy.title == "Nurse – Ward 3 ‘Bluebell’ دعم"
    assert vacancy.status == VacancyStatus.DRAFT
    assert str(vacancy.closing_date) == "2027-03-01"
    event = session.scalar(select(AuditEvent).where(AuditEvent.vacancy_id == vacancy.id))
    assert event.action == "create" and event.actor_id == world["hr"].id
    assert event.changes["title"] == {"before": None, "after": vacancy.title}
    page = hr.get(f"/vacancies/{vacancy.id}").get_data(as_text=True)
    assert "1 March 2027" in page and "دعم" in page


@pytest.mark.parametrize("overrides,message", [
    ({"title": ""}, "Enter the job title"),
    ({"title": "x" * 201}, "Job title must be 200 characters or fewer"),
    ({"reference": ""}, "Enter the vacancy reference"),
    ({"reference": "A-1"}, "Another vacancy already has this reference"),
    ({"reference": "a-1"}, "Another vacancy already has this reference"),
    ({"reference": "<script>"}, "Reference can only contain"),
    ({"band": "Band 99"}, "Not a valid choice"),
    ({"site": "Atlantis"}, "Not a valid choice"),
    ({"closing_date-day": "31", "closing_date-month": "2"}, "Closing date must be a real date"),
    ({"closing_date-year": "twenty"}, "Closing date must be a real date"),
    ({"interview_date-month": "1"}, "Interview date must be on or after the closing date"),
    ({"description": "x" * 20001}, "Job description must be 20000 characters or fewer"),
])
def test_bad_vacancy_input_is_refused_next_to_the_field(as_user, world, session, overrides, message):
    hr = as_user(world["hr"])
    before = session.query(Vacancy).count()
    response = hr.post_form("/vacancies/new", vacancy_form(**overrides))
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "There is a problem" in page and "nhsuk-error-message" in page
    assert session.query(Vacancy).count() == before


def test_job_description_must_be_a_real_pdf(as_user, world, session, app):
    hr = as_user(world["hr"])
    fake = (io.BytesIO(b"MZ this is an exe"), "job.pdf")
    response = hr.post_form("/vacancies/new", vacancy_form(job_description_file=fake), content_type="multipart/form-data")
    assert "The selected file must be a PDF" in response.get_data(as_text=True)
    assert session.query(Vacancy).count() == 2
    good = (io.BytesIO(MINIMAL_PDF), "../../etc/passwd.pdf")
    response = hr.post_form("/vacancies/new", vacancy_form(job_description_file=good), content_type="multipart/form-data")
    assert response.status_code == 302
    vacancy = session.scalar(select(Vacancy).where(Vacancy.reference == "PWP-0001"))
    assert vacancy.job_description_file and "/" not in vacancy.job_description_file
    download = hr.get(f"/vacancies/{vacancy.id}/job-description")
    assert download.status_code == 200 and download.data == MINIMAL_PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    # only people who can see the vacancy can download it
    assert as_user(world["other"]).get(f"/vacancies/{vacancy.id}/job-description").status_code == 404


def test_edit_vacancy_records_before_and_after(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    response = hr.post_form(f"/vacancies/{a.id}/edit", vacancy_form(reference="A-1", title="Senior PWP", site="Lincoln"))
    assert response.status_code == 302
    event = session.scalars(select(AuditEvent).where(AuditEvent.vacancy_id == a.id, AuditEvent.action == "update")).one()
    assert event.changes["title"] == {"before": "Psychological Wellbeing Practitioner", "after": "Senior PWP"}
    assert event.changes["site"] == {"before": "Boston", "after": "Lincoln"}
    assert "reference" not in event.changes


def test_status_moves_forward_one_step_only_and_explains(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    page = hr.get(f"/vacancies/{a.id}/status").get_data(as_text=True)
    assert "Move to shortlisting?" in page and "Panel members read the anonymised applications" in page
    assert hr.post_form(f"/vacancies/{a.id}/status", {"from": "draft"}).status_code == 302
    # a repeated (double-submitted) form does not skip a stage: a stale edit, 409
    response = hr.post_form(f"/vacancies/{a.id}/status", {"from": "draft"})
    assert response.status_code == 409 and "already moved on" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Vacancy, a.id).status == VacancyStatus.SHORTLISTING
    events = session.scalars(select(AuditEvent).where(AuditEvent.action == "status")).all()
    assert len(events) == 1 and events[0].changes == {"status": {"before": "draft", "after": "shortlisting"}}


def test_shortlisting_needs_a_chair_two_panel_members_and_criteria(as_user, world, session):
    hr = as_user(world["hr"])
    b = world["b"]  # one panel member, no chair
    response = hr.post_form(f"/vacancies/{b.id}/status", {"from": "draft"})
    assert response.status_code == 400
    assert "Add a chair" in response.get_data(as_text=True)
    session.expire_all()
    assert session.get(Vacancy, b.id).status == VacancyStatus.DRAFT


def test_archive_hides_and_restores(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    hr.post_form(f"/vacancies/{a.id}/archive", {"archive": "1"})
    hr.get("/")  # show the flash message
    assert "A-1" not in hr.get("/vacancies").get_data(as_text=True)
    assert "A-1" in hr.get("/vacancies?archived=1").get_data(as_text=True)
    hr.post_form(f"/vacancies/{a.id}/archive", {"archive": "0"})
    assert "A-1" in hr.get("/vacancies").get_data(as_text=True)


def test_filter_by_status_and_site(as_user, world, session):
    make_vacancy(session, "L-1", title="Lincoln job").site = "Lincoln"
    session.commit()
    hr = as_user(world["hr"])
    page = hr.get("/vacancies?site=Lincoln").get_data(as_text=True)
    assert "L-1" in page and "A-1" not in page
    page = hr.get("/vacancies?status=closed").get_data(as_text=True)
    assert "A-1" not in page and "No vacancies match" in page


def test_panel_members_see_only_their_vacancies(as_user, world):
    page = as_user(world["panelist"]).get("/vacancies").get_data(as_text=True)
    assert "A-1" in page and "B-1" not in page
    page = as_user(world["other"]).get("/").get_data(as_text=True)
    assert "B-1" in page and "A-1" not in page


def test_criteria_add_edit_reorder_delete(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    response = hr.post_form(f"/vacancies/{a.id}/criteria/new", {
        "text": "Speaks Polish or Lithuanian", "category": "skills", "essential": "desirable", "assessed_at": "both"})
    assert response.status_code == 302
    session.expire_all()
    texts = [c.text for c in session.get(Vacancy, a.id).criteria]
    assert texts == ["Criterion 1", "Criterion 2", "Criterion 3", "Speaks Polish or Lithuanian"]
    new = session.get(Vacancy, a.id).criteria[-1]
    hr.post_form(f"/vacancies/{a.id}/criteria/{new.id}/move", {"direction": "up"})
    hr.post_form(f"/vacancies/{a.id}/criteria/{new.id}/move", {"direction": "up"})
    session.expire_all()
    assert [c.text for c in session.get(Vacancy, a.id).criteria][1] == "Speaks Polish or Lithuanian"
    first = session.get(Vacancy, a.id).criteria[0]
    hr.post_form(f"/vacancies/{a.id}/criteria/{first.id}/move", {"direction": "up"})  # already first: no change
    hr.post_form(f"/vacancies/{a.id}/criteria/{new.id}/edit", {
        "text": "Speaks Polish", "category": "skills", "essential": "essential", "assessed_at": "interview"})
    hr.post_form(f"/vacancies/{a.id}/criteria/{first.id}/delete")
    session.expire_all()
    criteria = session.get(Vacancy, a.id).criteria
    assert [(c.position, c.text) for c in criteria] == [(1, "Speaks Polish"), (2, "Criterion 2"), (3, "Criterion 3")]
    assert criteria[0].essential is True
    actions = [e.action for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "criterion"))]
    assert actions.count("reorder") == 2 and "update" in actions and "delete" in actions and "create" in actions


def test_bad_criterion_input(as_user, world, session):
    hr = as_user(world["hr"])
    a = world["a"]
    response = hr.post_form(f"/vacancies/{a.id}/criteria/new", {"text": "", "category": "magic"})
    page = response.get_data(as_text=True)
    assert "Enter the criterion" in page and "Choose essential or desirable" in page
    session.expire_all()
    assert len(session.get(Vacancy, a.id).criteria) == 3


def test_copy_specification_from_another_vacancy(as_user, world, session):
    hr = as_user(world["hr"])
    empty = make_vacancy(session, "E-1", criteria=0)
    response = hr.post_form(f"/vacancies/{empty.id}/criteria/copy", {"source": world["a"].id})
    assert response.status_code == 302
    session.expire_all()
    assert [c.text for c in session.get(Vacancy, empty.id).criteria] == ["Criterion 1", "Criterion 2", "Criterion 3"]


def test_specification_locked_after_draft(as_user, world, session):
    a = world["a"]
    a.status = VacancyStatus.SHORTLISTING
    session.commit()
    hr = as_user(world["hr"])
    criterion = a.criteria[0]
    response = hr.post_form(f"/vacancies/{a.id}/criteria/{criterion.id}/delete")
    assert response.status_code == 302
    session.expire_all()
    assert session.get(Criterion, criterion.id) is not None


def test_panel_add_and_remove(as_user, world, session):
    hr = as_user(world["hr"])
    a, spare = world["a"], world["spare"]
    response = hr.post_form(f"/vacancies/{a.id}/panel", {"user_id": spare.id, "panel_role": "patient"})
    assert response.status_code == 302
    assert "A-1" in as_user(spare).get("/").get_data(as_text=True)
    again = hr.post_form(f"/vacancies/{a.id}/panel", {"user_id": spare.id, "panel_role": "patient"})
    assert again.status_code == 400 and "<title>Error:" in again.get_data(as_text=True)
    member = session.scalar(select(PanelMember).where(PanelMember.user_id == spare.id))
    assert hr.post_form(f"/vacancies/{a.id}/panel/{member.id}/remove").status_code == 302
    assert as_user(spare).get(f"/vacancies/{a.id}").status_code == 404
    summaries = [e.summary for e in session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "panelmember"))]
    assert any("added to the panel" in s for s in summaries) and any("removed from the panel" in s for s in summaries)


def test_invite_from_panel_page_adds_to_panel(as_user, world, session, app):
    hr = as_user(world["hr"])
    a = world["a"]
    response = hr.post_form(f"/people/invite?vacancy={a.id}", {
        "name": "Ewa Nowak", "email": "ewa@example.org", "role": "panelist", "panel_role": "patient"})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/vacancies/{a.id}/panel")
    user = session.scalar(select(User).where(User.email == "ewa@example.org"))
    assert session.scalar(select(PanelMember).where(PanelMember.user_id == user.id, PanelMember.vacancy_id == a.id))


def test_post_without_csrf_changes_nothing(as_user, world, session):
    hr = as_user(world["hr"])
    response = hr.post("/vacancies/new", data=vacancy_form())
    assert response.status_code == 400
    assert session.query(Vacancy).count() == 2


def test_audit_log_filter_and_no_secrets(as_user, world, session):
    hr = as_user(world["hr"])
    hr.post_form("/vacancies/new", vacancy_form())
    hr.post_form(f"/vacancies/{world['a'].id}/edit", vacancy_form(reference="A-1", title="Changed title"))
    page = hr.get(f"/audit?vacancy={world['a'].id}").get_data(as_text=True)
    entries = page.split('class="panel-audit-entry"')[1:]
    assert any("Changed title" in e for e in entries) and not any("PWP-0001" in e for e in entries)
    page = hr.get("/audit").get_data(as_text=True)
    assert "PWP-0001" in page
    for event in session.scalars(select(AuditEvent)):
        assert "password" not in (event.changes or {})


def test_vacancy_page_query_count_does_not_grow_with_panel_and_criteria(app, as_user, world, session):
    hr = as_user(world["hr"])
    small = make_vacancy(session, "S-1", criteria=2, panel=[(world["chair"], "chair")])
    people = [world["panelist"], world["other"], world["spare"]]
    big = make_vacancy(session, "BIG-1", criteria=25, panel=[(world["chair"], "chair")] + [(p, "patient") for p in people])
    counts = []
    for v in (small, big):
        for suffix in ("", "/criteria", "/panel"):
            with count_queries(app) as queries:
                assert hr.get(f"/vacancies/{v.id}{suffix}").status_code == 200
            counts.append(len(queries))
    assert counts[:3] == counts[3:], counts


def test_closing_needs_signed_off_results(as_user, world, session):
    from panel.db import utcnow
    from panel.models import InterviewSignOff

    a = world["a"]
    a.status = VacancyStatus.DECISIONS
    session.commit()
    hr = as_user(world["hr"])
    response = hr.post_form(f"/vacancies/{a.id}/status", {"from": "decisions"})
    assert response.status_code == 400 and "sign off the interview results" in response.get_data(as_text=True)
    session.add(InterviewSignOff(vacancy_id=a.id, signed_off_at=utcnow(), signed_off_by_id=world["chair"].id))
    session.commit()
    assert hr.post_form(f"/vacancies/{a.id}/status", {"from": "decisions"}).status_code == 302
    session.expire_all()
    assert session.get(Vacancy, a.id).status == VacancyStatus.CLOSED


def test_interviewing_needs_a_decision_for_every_candidate(as_user, world, session):
    from panel.models import Candidate, ShortlistDecision, ShortlistOutcome

    a = world["a"]
    a.status = VacancyStatus.SHORTLISTING
    first = Candidate(vacancy_id=a.id, number=1, first_name="Ama", last_name="Mensah", email="ama@example.org")
    second = Candidate(vacancy_id=a.id, number=2, first_name="Seán", last_name="Ó Briain", email="sean@example.org")
    session.add_all([first, second])
    session.commit()
    hr = as_user(world["hr"])
    response = hr.post_form(f"/vacancies/{a.id}/status", {"from": "shortlisting"})
    assert response.status_code == 400 and "2 still to decide" in response.get_data(as_text=True)
    session.add_all([ShortlistDecision(candidate_id=first.id, outcome=ShortlistOutcome.SHORTLIST, reason=""),
                     ShortlistDecision(candidate_id=second.id, outcome=ShortlistOutcome.REJECT, reason="No evidence")])
    session.commit()
    assert hr.post_form(f"/vacancies/{a.id}/status", {"from": "shortlisting"}).status_code == 302
    session.expire_all()
    assert session.get(Vacancy, a.id).status == VacancyStatus.INTERVIEWING
