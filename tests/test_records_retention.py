"""Retention and `flask purge`: frozen clock at the boundaries, dry run, purging twice,
files removed from the uploads folder, the audit entry, and the date HR sees."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from panel.db import utcnow
from panel.models import (AuditEvent, Candidate, CandidateEvidence, CandidateFeedback, CandidateInvitation,
                          InterviewOutcome, InterviewScore, InterviewSignOff, ModeratedScore, ShortlistDecision,
                          ShortlistScore, Vacancy, VacancyStatus)
from panel.records import retention
from tests.builders_plugin import CLOSED_AT, closed_world
from tests.snapshots import snapshotted

DAY = dt.timedelta(days=1)
NAMES = ["Alex", "Bea", "Cal", "Dee", "Smith", "Jones", "Reed", "Kaur", "candidates.example"]


@pytest.fixture()
@snapshotted
def rw(app, session, world):
    return closed_world(app, session, world)


def run_purge(app, monkeypatch, now, *args):
    monkeypatch.setattr(retention, "utcnow", lambda: now)
    result = app.test_cli_runner().invoke(args=["purge", *args])
    assert result.exit_code == 0, result.output
    return result.output


def upload(app, name) -> Path:
    return Path(app.config["UPLOAD_FOLDER"]) / name


def candidate_state(session, cid):
    session.expire_all()
    c = session.get(Candidate, cid)
    return {
        "names": (c.first_name, c.last_name, c.email, c.phone, c.supporting_information, c.application_file,
                  c.application_filename, c.disability_confident),
        "purged_at": c.purged_at,
        "evidence": [e.text for e in session.scalars(select(CandidateEvidence).where(CandidateEvidence.candidate_id == cid))],
        "sl": sorted((s.score, s.comment) for s in session.scalars(select(ShortlistScore).where(ShortlistScore.candidate_id == cid))),
        "reason": session.scalar(select(ShortlistDecision.reason).where(ShortlistDecision.candidate_id == cid)),
        "iv": sorted((s.score, s.notes) for s in session.scalars(select(InterviewScore).where(InterviewScore.candidate_id == cid))),
        "mod": [(m.score, m.reason) for m in session.scalars(select(ModeratedScore).where(ModeratedScore.candidate_id == cid))],
        "outcome": [(o.outcome.value, o.rationale) for o in session.scalars(select(InterviewOutcome).where(InterviewOutcome.candidate_id == cid))],
        "feedback": [f.text for f in session.scalars(select(CandidateFeedback).where(CandidateFeedback.candidate_id == cid))],
        "invitations": [i.body for i in session.scalars(select(CandidateInvitation).where(CandidateInvitation.candidate_id == cid))],
    }


def assert_purged(state, now):
    assert state["names"] == ("", "", "", "", "", None, None, False)
    assert state["purged_at"] == now
    assert state["evidence"] == [] and state["invitations"] == []
    assert all(comment == "" for _, comment in state["sl"]) and [s for s, _ in state["sl"]] == [1, 2]  # scores kept
    assert state["reason"] == ""
    assert all(notes == "" for _, notes in state["iv"])
    assert all(reason == "" for _, reason in state["mod"])
    assert all(rationale == "" for _, rationale in state["outcome"])
    assert all(text == "" for text in state["feedback"])


def assert_untouched(state, first):
    assert state["names"][0] == first and state["purged_at"] is None
    assert state["evidence"] == [f"{first} evidence text"]
    assert any(first in comment for _, comment in state["sl"])


def test_due_dates_are_counted_from_closing(app, rw):
    with app.app_context():
        vacancy = Vacancy(status=VacancyStatus.CLOSED, closed_at=CLOSED_AT)
        dates = retention.configured_due_dates(vacancy)
        assert dates == {"unsuccessful": CLOSED_AT + 183 * DAY, "appointed": CLOSED_AT + 365 * DAY}
        assert retention.configured_due_dates(Vacancy(status=VacancyStatus.DECISIONS)) is None


def test_a_day_before_the_unsuccessful_period_nothing_goes(app, session, rw, monkeypatch):
    before = {c: candidate_state(session, rw[c].id) for c in ("a1", "a2", "a3", "b1")}
    out = run_purge(app, monkeypatch, CLOSED_AT + 182 * DAY)
    assert "Nothing is due for purging" in out
    assert "The next purge is due on 12 July 2026 (unsuccessful candidates of A-1)" in out
    assert {c: candidate_state(session, rw[c].id) for c in before} == before
    assert all(upload(app, f"{h * 32}.pdf").exists() for h in "abcd")


def test_a_day_after_the_unsuccessful_period_their_data_goes(app, session, rw, monkeypatch):
    now = CLOSED_AT + 184 * DAY
    out = run_purge(app, monkeypatch, now)
    assert "A-1: 2 unsuccessful candidates" in out
    assert "deleted 2 application PDF files" in out and "deleted 2 interview notes" in out
    assert "2 application files removed from the store" in out
    for name in NAMES:
        assert name not in out
    assert_purged(candidate_state(session, rw["a2"].id), now)
    assert_purged(candidate_state(session, rw["a3"].id), now)
    assert_untouched(candidate_state(session, rw["a1"].id), "Alex")  # the appointed candidate waits longer
    assert_untouched(candidate_state(session, rw["b1"].id), "Dee")  # another vacancy, not closed
    assert not upload(app, "b" * 32 + ".pdf").exists() and not upload(app, "c" * 32 + ".pdf").exists()
    assert upload(app, "a" * 32 + ".pdf").exists() and upload(app, "d" * 32 + ".pdf").exists()
    # the label stays, for reporting
    session.expire_all()
    assert session.get(Candidate, rw["a2"].id).label == "Candidate 02"
    # one audit entry: kind and counts, never the personal data
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")))
    assert len(events) == 1
    event = events[0]
    assert event.vacancy_id == rw["a"].id and event.actor_id is None
    assert event.changes["kind"] == "unsuccessful"
    assert event.changes["candidates' names and contact details"] == 2
    assert event.changes["application PDF files"] == 2
    text = f"{event.summary} {event.changes}"
    assert not any(name in text for name in NAMES)


def test_appointed_candidate_boundaries(app, session, rw, monkeypatch):
    run_purge(app, monkeypatch, CLOSED_AT + 364 * DAY)
    assert_untouched(candidate_state(session, rw["a1"].id), "Alex")
    assert candidate_state(session, rw["a2"].id)["purged_at"] is not None
    now = CLOSED_AT + 366 * DAY
    out = run_purge(app, monkeypatch, now)
    assert "A-1: 1 appointed candidate" in out
    assert_purged(candidate_state(session, rw["a1"].id), now)
    assert not upload(app, "a" * 32 + ".pdf").exists()
    kinds = sorted(e.changes["kind"] for e in session.scalars(select(AuditEvent).where(AuditEvent.action == "purge")))
    assert kinds == ["appointed", "unsuccessful"]


def test_purging_twice_says_so_and_changes_nothing(app, session, rw, monkeypatch):
    now = CLOSED_AT + 400 * DAY
    run_purge(app, monkeypatch, now)
    after_first = {c: candidate_state(session, rw[c].id) for c in ("a1", "a2", "a3")}
    out = run_purge(app, monkeypatch, now + DAY)
    assert "Nothing is due for purging" in out
    assert "3 candidates' personal data was purged before" in out
    assert {c: candidate_state(session, rw[c].id) for c in after_first} == after_first
    assert session.query(AuditEvent).filter_by(action="purge").count() == 2  # the first run's two kinds only


def test_dry_run_lists_counts_and_changes_nothing(app, session, rw, monkeypatch):
    before = {c: candidate_state(session, rw[c].id) for c in ("a1", "a2", "a3")}
    audit_before = session.query(AuditEvent).count()
    out = run_purge(app, monkeypatch, CLOSED_AT + 400 * DAY, "--dry-run")
    assert "A-1: 2 unsuccessful candidates" in out and "A-1: 1 appointed candidate" in out
    assert "would delete 2 shortlisting decision reasons" in out
    assert "Dry run: nothing was changed" in out
    assert not any(name in out for name in NAMES)
    assert {c: candidate_state(session, rw[c].id) for c in before} == before
    assert session.query(AuditEvent).count() == audit_before
    assert all(upload(app, f"{h * 32}.pdf").exists() for h in "abcd")


def test_no_closed_vacancies(app, world, monkeypatch):
    out = run_purge(app, monkeypatch, utcnow())
    assert "No vacancy is closed, so there is nothing to purge." in out


def test_audit_entries_about_a_purged_candidate_lose_their_personal_details(app, session, rw, monkeypatch):
    a2 = rw["a2"]
    session.add(AuditEvent(action="create", entity_type="candidate", entity_id=a2.id, vacancy_id=rw["a"].id,
                           summary="Candidate 02 added",
                           changes={"first_name": {"before": None, "after": "Bea"}, "number": {"before": None, "after": 2},
                                    "email": {"before": None, "after": "bea@candidates.example"}}))
    score_id = session.scalar(select(InterviewScore.id).where(InterviewScore.candidate_id == a2.id))
    session.add(AuditEvent(action="update", entity_type="interviewscore", entity_id=score_id, vacancy_id=rw["a"].id,
                           summary="Interview score saved", changes={"notes": {"before": "", "after": "Bea was nervous"},
                                                                     "score": {"before": 1, "after": 3}}))
    b1 = rw["b1"]
    session.add(AuditEvent(action="create", entity_type="candidate", entity_id=b1.id, vacancy_id=rw["b"].id,
                           changes={"first_name": {"before": None, "after": "Dee"}}))
    session.commit()
    run_purge(app, monkeypatch, CLOSED_AT + 200 * DAY)
    session.expire_all()
    events = {(e.entity_type, e.entity_id): e.changes for e in session.scalars(select(AuditEvent))}
    created = events[("candidate", a2.id)]
    assert created["first_name"]["after"] == retention.REDACTED and created["email"]["after"] == retention.REDACTED
    assert created["number"] == {"before": None, "after": 2}
    scored = events[("interviewscore", score_id)]
    assert scored["notes"]["after"] == retention.REDACTED and scored["score"] == {"before": 1, "after": 3}
    assert events[("candidate", b1.id)]["first_name"]["after"] == "Dee"  # not due


def test_closing_a_vacancy_records_when(app, session, world):
    from panel.db import db
    from panel.vacancies import services

    a = world["a"]
    a.status = VacancyStatus.DECISIONS
    session.add(InterviewSignOff(vacancy_id=a.id, signed_off_by_id=world["chair"].id, signed_off_at=utcnow()))
    session.commit()
    with app.app_context():
        s = db()
        vacancy = s.get(Vacancy, a.id)
        services.advance_status(s, s.get(type(world["hr"]), world["hr"].id), vacancy, VacancyStatus.DECISIONS)
        s.commit()
    session.expire_all()
    closed = session.get(Vacancy, a.id)
    assert closed.status == VacancyStatus.CLOSED
    assert abs((utcnow() - closed.closed_at).total_seconds()) < 60


def test_hr_sees_when_the_data_will_be_purged(app, rw, as_user):
    hr_page = as_user(rw["hr"]).get(f"/vacancies/{rw['a'].id}").get_data(as_text=True)
    assert "When personal data is deleted" in hr_page
    assert "12 July 2026" in hr_page  # 183 days after 10 January 2026 (unsuccessful)
    assert "10 January 2027" in hr_page  # 365 days after (appointed)
    chair_page = as_user(rw["chair"]).get(f"/vacancies/{rw['a'].id}").get_data(as_text=True)
    assert "When personal data is deleted" not in chair_page
    open_page = as_user(rw["hr"]).get(f"/vacancies/{rw['b'].id}").get_data(as_text=True)
    assert "When personal data is deleted" not in open_page
