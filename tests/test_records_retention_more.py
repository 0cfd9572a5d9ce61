"""Retention and `flask purge`, continued: the chair's sign-off texts about the candidates,
and the emails in the outbox folder (to purged candidates, and any older than the period)."""
from __future__ import annotations

import datetime as dt
import os
from email import message_from_bytes
from email import policy
from pathlib import Path

import pytest
from sqlalchemy import select

from panel.db import utcnow
from panel.mail import send_email
from panel.models import AuditEvent, Candidate, InterviewSignOff
from panel.records import retention
from tests.builders_plugin import CLOSED_AT, closed_world
from tests.test_records_retention import DAY, NAMES, run_purge
from tests.snapshots import snapshotted

NOTE = "We preferred Alex to Bea: Bea's answer on risk was thin, though the patient panelists liked her warmth."
REOPEN = "Cal's score for question 1 was entered against Bea by mistake."


@pytest.fixture()
@snapshotted
def rw(app, session, world):
    return closed_world(app, session, world)


def _signoffs(session, rw, *, audit=True):
    """Signed-off results on A (closed) with both texts, as the scoring pages write them, and on
    B (still interviewing) with a note of its own."""
    chair = rw["chair"]
    a = InterviewSignOff(vacancy_id=rw["a"].id, signed_off_by_id=chair.id, signed_off_at=CLOSED_AT - DAY,
                         patient_view_note=NOTE, reopened_by_id=rw["hr"].id, reopened_at=CLOSED_AT - 2 * DAY,
                         reopen_reason=REOPEN)
    b = InterviewSignOff(vacancy_id=rw["b"].id, signed_off_by_id=chair.id, signed_off_at=CLOSED_AT,
                         patient_view_note="Dee was preferred by the chair.")
    session.add_all([a, b])
    session.flush()
    if audit:
        session.add_all([
            AuditEvent(action="reopen", entity_type="interviewsignoff", entity_id=a.id, vacancy_id=rw["a"].id,
                       actor_id=rw["hr"].id, summary="Interview results for A-1 reopened by Priya Shah",
                       changes={"signed_off_at": {"before": "2026-01-08T12:00:00+00:00", "after": None},
                                "reopen_reason": {"before": None, "after": REOPEN}}),
            AuditEvent(action="sign-off", entity_type="interviewsignoff", entity_id=a.id, vacancy_id=rw["a"].id,
                       actor_id=chair.id, summary="Interview results for A-1 signed off",
                       changes={"signed_off_at": {"before": None, "after": "2026-01-09T12:00:00+00:00"},
                                "patient_view_note": {"before": None, "after": NOTE}}),
            AuditEvent(action="sign-off", entity_type="interviewsignoff", entity_id=b.id, vacancy_id=rw["b"].id,
                       actor_id=chair.id, summary="Interview results for B-1 signed off",
                       changes={"patient_view_note": {"before": None, "after": "Dee was preferred by the chair."}}),
        ])
    session.commit()
    return a, b


def _signoff_audit(session, signoff_id):
    session.expire_all()
    return {e.action: e.changes for e in session.scalars(
        select(AuditEvent).where(AuditEvent.entity_type == "interviewsignoff", AuditEvent.entity_id == signoff_id))}


# --- the sign-off's texts -------------------------------------------------------------

def test_the_sign_off_texts_go_with_the_first_candidates_purged(app, session, rw, monkeypatch):
    a, b = _signoffs(session, rw)
    dry = run_purge(app, monkeypatch, CLOSED_AT + 184 * DAY, "--dry-run")
    assert "would delete 1 explanations of why the outcome differs from the patient panelists' ranking" in dry
    assert "would delete 1 reasons for reopening the interview results" in dry
    session.expire_all()
    assert session.get(InterviewSignOff, a.id).patient_view_note == NOTE

    out = run_purge(app, monkeypatch, CLOSED_AT + 184 * DAY)
    assert "A-1: 2 unsuccessful candidates" in out
    assert "deleted 1 explanations of why the outcome differs" in out
    assert "deleted 1 reasons for reopening the interview results" in out
    assert not any(name in out for name in NAMES)
    session.expire_all()
    purged = session.get(InterviewSignOff, a.id)
    assert (purged.patient_view_note, purged.reopen_reason) == ("", "")
    # who signed off and when is kept: it is not about the candidates
    assert purged.signed_off_at == CLOSED_AT - DAY and purged.signed_off_by_id == rw["chair"].id
    # the audit entries keep what happened, without the texts
    events = _signoff_audit(session, a.id)
    assert events["sign-off"]["patient_view_note"]["after"] == retention.REDACTED
    assert events["sign-off"]["signed_off_at"]["after"] == "2026-01-09T12:00:00+00:00"
    assert events["reopen"]["reopen_reason"]["after"] == retention.REDACTED
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "purge", AuditEvent.vacancy_id == rw["a"].id))
    assert event.changes["explanations of why the outcome differs from the patient panelists' ranking"] == 1
    assert event.changes["reasons for reopening the interview results"] == 1
    # another vacancy, not closed: untouched
    assert session.get(InterviewSignOff, b.id).patient_view_note == "Dee was preferred by the chair."
    assert _signoff_audit(session, b.id)["sign-off"]["patient_view_note"]["after"] == "Dee was preferred by the chair."

    # the appointed candidate, later: nothing more to blank, so it is not counted again
    later = run_purge(app, monkeypatch, CLOSED_AT + 366 * DAY)
    assert "A-1: 1 appointed candidate" in later and "reopening" not in later and "explanations" not in later


def test_both_groups_due_at_once_count_the_sign_off_once(app, session, rw, monkeypatch):
    a, _b = _signoffs(session, rw, audit=False)
    out = run_purge(app, monkeypatch, CLOSED_AT + 400 * DAY)
    assert out.count("deleted 1 explanations of why") == 1 and out.count("deleted 1 reasons for reopening") == 1
    session.expire_all()
    assert session.get(InterviewSignOff, a.id).patient_view_note == ""


def test_a_sign_off_without_texts_is_not_counted(app, session, rw, monkeypatch):
    session.add(InterviewSignOff(vacancy_id=rw["a"].id, signed_off_by_id=rw["chair"].id, signed_off_at=CLOSED_AT))
    session.commit()
    out = run_purge(app, monkeypatch, CLOSED_AT + 184 * DAY, "--dry-run")
    assert "A-1: 2 unsuccessful candidates" in out and "explanations" not in out and "reopening" not in out


# --- the outbox folder ------------------------------------------------------------------

def _send(app, to: str, subject: str, written: dt.datetime | None = None) -> Path:
    outbox = Path(app.config["OUTBOX_FOLDER"])
    before = set(outbox.glob("*.eml")) if outbox.exists() else set()
    with app.app_context():
        send_email(to, subject, f"{subject}\n\nThis email names the person it is sent to.")
    (path,) = set(outbox.glob("*.eml")) - before
    if written is not None:
        os.utime(path, (written.timestamp(), written.timestamp()))
    return path


def _subjects(app) -> set[str]:
    outbox = Path(app.config["OUTBOX_FOLDER"])
    return {message_from_bytes(p.read_bytes(), policy=policy.default)["Subject"] for p in outbox.glob("*.eml")}


@pytest.fixture()
def outbox(app, session, rw):
    """Emails to A's candidates (Bea twice, once as 'Name <ADDRESS>'), to Cal at an address
    Dee on vacancy B also uses, to Alex (appointed), to Dee, and to staff: one written long
    ago, one recent."""
    cal = session.get(Candidate, rw["a3"].id)
    cal.email = "dee@candidates.example"  # the same person? it may be about B: wait for the age rule
    session.commit()
    now = CLOSED_AT + 184 * DAY
    return {
        "bea": _send(app, "bea@candidates.example", "Invitation to interview: Bea"),
        "bea2": _send(app, "Bea Jones <BEA@Candidates.Example>", "Feedback for Bea"),
        "shared": _send(app, "dee@candidates.example", "Shared address"),
        "alex": _send(app, "alex@candidates.example", "Invitation to interview: Alex"),
        "old staff": _send(app, "hr@example.org", "Old password reset", written=CLOSED_AT - 10 * DAY),
        "recent staff": _send(app, "hr@example.org", "Recent password reset", written=now - 100 * DAY),
    }


def test_outbox_emails_to_purged_candidates_and_old_ones_are_deleted(app, session, rw, outbox, monkeypatch):
    now = CLOSED_AT + 184 * DAY
    dry = run_purge(app, monkeypatch, now, "--dry-run")
    assert "would delete 2 emails to them in the outbox folder" in dry
    assert "Outbox folder: would delete 1 email older than 183 days." in dry
    assert all(path.exists() for path in outbox.values())

    out = run_purge(app, monkeypatch, now)
    assert "deleted 2 emails to them in the outbox folder" in out
    assert "Outbox folder: deleted 1 email older than 183 days." in out
    assert not any(name in out for name in NAMES)
    assert _subjects(app) == {"Shared address", "Invitation to interview: Alex", "Recent password reset"}
    session.expire_all()
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "purge", AuditEvent.vacancy_id == rw["a"].id))
    assert event.changes["emails to them in the outbox folder"] == 2
    old = session.scalar(select(AuditEvent).where(AuditEvent.action == "purge", AuditEvent.entity_type == "outbox"))
    assert old.changes == {"kind": "outbox", "emails older than the retention period": 1}
    assert "hr@example.org" not in f"{old.summary} {old.changes}"

    # the appointed candidate's, when theirs is purged; Dee (vacancy B, still open) keeps hers
    later = run_purge(app, monkeypatch, CLOSED_AT + 366 * DAY)
    assert "A-1: 1 appointed candidate" in later and "deleted 1 emails to them in the outbox folder" in later
    assert "Invitation to interview: Alex" not in _subjects(app)
    assert "Shared address" in _subjects(app)


def test_old_outbox_emails_go_even_when_nothing_else_is_due(app, session, rw, outbox, monkeypatch):
    out = run_purge(app, monkeypatch, CLOSED_AT + 181 * DAY)
    assert "Nothing is due for purging" in out
    assert "Outbox folder: deleted 1 email older than 183 days." in out
    assert not outbox["old staff"].exists() and outbox["recent staff"].exists() and outbox["bea"].exists()
    again = run_purge(app, monkeypatch, CLOSED_AT + 182 * DAY)
    assert "outbox" not in again


def test_old_outbox_emails_go_with_no_closed_vacancy(app, world, monkeypatch):
    now = utcnow()
    old = _send(app, "someone@example.org", "Old", written=now - 200 * DAY)
    new = _send(app, "someone@example.org", "New", written=now - DAY)
    out = run_purge(app, monkeypatch, now)
    assert "No vacancy is closed, so there is nothing to purge." in out
    assert "Outbox folder: deleted 1 email older than 183 days." in out
    assert not old.exists() and new.exists()


def test_no_outbox_folder_is_fine(app, session, rw, monkeypatch):
    assert not Path(app.config["OUTBOX_FOLDER"]).exists()
    out = run_purge(app, monkeypatch, CLOSED_AT + 184 * DAY)
    assert "A-1: 2 unsuccessful candidates" in out and "outbox" not in out
