"""Subject access: HR downloads everything held about one candidate, as JSON and PDF;
it holds everything written about them and nothing about anyone else."""
from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import select

from panel.models import AuditEvent, InterviewScore, PlanQuestion, ShortlistScore
from tests.builders_plugin import CLOSED_AT, closed_world
from tests.conftest import count_queries, make_user
from tests.snapshots import snapshotted

OTHERS = ["Alex", "Cal", "Dee", "Smith", "Reed", "Kaur"]


@pytest.fixture()
@snapshotted
def rw(app, session, world):
    return closed_world(app, session, world)


def url(rw, who="a2", kind="json"):
    return f"/vacancies/{rw[who].vacancy_id}/candidates/{rw[who].id}/subject-access.{kind}"


def everything_written_about_bea():
    return ["Bea", "Jones", "bea@candidates.example", "07700900002", "Bea supporting information", "Bea CV.pdf",
            "Bea evidence text", "Bea shortlisting comment by panelist", "Bea shortlisting comment by chair",
            "Bea shortlisting reason", "Bea interview notes by panelist", "Bea interview notes by chair",
            "Bea agreed score reason", "Bea outcome rationale", "Bea feedback text", "Interview invitation for Bea",
            "Dear Bea, please come to interview."]


def test_json_export_holds_everything_about_the_candidate_and_nobody_else(rw, as_user, session):
    response = as_user(rw["hr"]).get(url(rw))
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data(as_text=True)
    for text in everything_written_about_bea():
        assert text in body, text
    for other in OTHERS:
        assert other not in body, other
    data = json.loads(body)
    assert data["candidate"]["label"] == "Candidate 02" and data["candidate"]["disability_confident"] is True
    # who wrote each note: staff by name, a patient panelist never (tests/test_security_attacker.py)
    comments = {s["comment"]: s["written_by"] for s in data["shortlisting"]["scores"]}
    assert comments == {"Bea shortlisting comment by panelist": "Patient panel member 1",
                        "Bea shortlisting comment by chair": "Chris Morgan"}
    notes = {s["notes"]: (s["written_by"], s["typed_in_from_paper_by"]) for s in data["interview"]["scores"]}
    assert notes == {"Bea interview notes by panelist": ("Patient panel member 1", None),
                     "Bea interview notes by chair": ("Chris Morgan", "Chris Morgan")}
    assert data["interview"]["agreed_scores"][0]["agreed_by"] == "Chris Morgan"
    assert data["interview"]["outcome"] == {"outcome": "Not appointable", "rationale": "Bea outcome rationale",
                                            "decided_by": "Chris Morgan",
                                            "decided_at": data["interview"]["outcome"]["decided_at"]}
    assert data["shortlisting"]["decision"]["decided_by"] == "Chris Morgan"
    assert data["feedback"]["text"] == "Bea feedback text"
    assert data["invitations"][0]["body"] == "Dear Bea, please come to interview."
    assert data["application"]["application_file_name"] == "Bea CV.pdf"
    assert data["interview"]["slots"][0]["location"] == "Room 2"
    # logged
    session.expire_all()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "subject-access"))
    assert event.actor_id == rw["hr"].id and event.candidate_id == rw["a2"].id
    assert "Bea" not in event.summary and "JSON" in event.summary


def test_pdf_export(rw, as_user, session):
    from pypdf import PdfReader

    response = as_user(rw["hr"]).get(url(rw, kind="pdf"))
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "application/pdf"
    pdf = response.get_data()
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = " ".join(text.split())
    for fragment in ["Bea interview notes by panelist", "Patient panel member 1", "Chris Morgan", "Bea outcome rationale",
                     "Bea shortlisting comment by chair", "Bea feedback text", "Bea CV.pdf", "Dear Bea"]:
        assert fragment in text, fragment
    for other in OTHERS + ["O'Neill"]:
        assert other not in text
    session.expire_all()
    assert session.scalar(select(AuditEvent.summary).where(AuditEvent.action == "subject-access")).startswith(
        "Subject access export (PDF)")


def test_links_on_the_candidate_page_for_hr_only(rw, as_user):
    page = as_user(rw["hr"]).get(f"/vacancies/{rw['a'].id}/candidates/{rw['a2'].id}").get_data(as_text=True)
    assert url(rw, kind="pdf") in page and url(rw, kind="json") in page
    page = as_user(rw["chair"]).get(f"/vacancies/{rw['a'].id}/candidates/{rw['a2'].id}").get_data(as_text=True)
    assert "subject-access" not in page


def test_a_purged_candidates_request_says_so(app, rw, as_user, session, monkeypatch):
    from panel.records import retention

    monkeypatch.setattr(retention, "utcnow", lambda: CLOSED_AT + retention.dt.timedelta(days=200))
    assert app.test_cli_runner().invoke(args=["purge"]).exit_code == 0
    client = as_user(rw["hr"])
    for kind in ("json", "pdf"):
        response = client.get(url(rw, kind=kind))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "<h1>Candidate 02's personal data has been deleted</h1>" in page
        assert "29 July 2026" in page
    candidate_page = client.get(f"/vacancies/{rw['a'].id}/candidates/{rw['a2'].id}").get_data(as_text=True)
    assert "personal data was deleted on 29 July 2026" in candidate_page
    assert url(rw, kind="pdf") not in candidate_page
    session.expire_all()
    summaries = list(session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "subject-access")))
    assert len(summaries) == 2 and all("already purged" in s for s in summaries)


def test_export_reads_in_a_fixed_number_of_queries(app, rw, as_user, session):
    client = as_user(rw["hr"])
    client.get(url(rw))  # warm up
    with count_queries(app) as small:
        assert client.get(url(rw)).status_code == 200
    # many more questions, scores, panel members
    a = rw["a"]
    for i in range(2, 8):
        q = PlanQuestion(vacancy_id=a.id, position=i, text=f"Question {i}")
        session.add(q)
        session.flush()
        for n in range(3):
            user = make_user(session, "panelist", f"Extra {i}-{n}", f"extra{i}-{n}@example.org")
            session.add(InterviewScore(candidate_id=rw["a2"].id, plan_question_id=q.id, user_id=user.id, score=2,
                                       notes="More notes"))
            session.add(ShortlistScore(candidate_id=rw["a2"].id, criterion_id=a.criteria[i % 3].id, user_id=user.id,
                                       score=1, comment="More comments"))
    session.commit()
    with count_queries(app) as large:
        response = client.get(url(rw))
    assert response.status_code == 200 and len(json.loads(response.data)["interview"]["scores"]) == 20
    assert len(large) == len(small), (len(small), len(large))
