"""Stale edits in one place (issue 13, item 4): a service that finds someone else saved first
raises panel.errors.StaleEdit and never rolls back the caller's transaction (its own change is
undone inside a savepoint); the view answers 409 through panel.forms.stale_edit, showing the
current state and keeping what the person typed."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text

from panel import audit
from panel.errors import StaleEdit
from panel.models import AuditEvent, CandidateFeedback, InterviewOutcome, Outcome, PanelMember, PanelRole
from panel.scoring import services
from tests.builders_plugin import interview_world, score_and_submit
from tests.snapshots import snapshotted


@pytest.fixture()
@snapshotted
def iv(app, session):
    world = interview_world(session, candidates=1, questions=2)
    for m in (world["chair"], world["p1"], world["p2"], world["staff"]):
        score_and_submit(session, world["candidates"][0], m, world["questions"], [3, 3])
    return world


def _two_sessions(app, iv):
    maker = app.extensions["panel.sessionmaker"]
    sessions = maker(), maker()
    loaded = [(s, s.get(type(iv["vacancy"]), iv["vacancy"].id), s.get(type(iv["candidates"][0]), iv["candidates"][0].id),
               s.get(type(iv["chair"]), iv["chair"].id)) for s in sessions]
    return loaded


def _earlier_work(session, actor):
    """Something the request did before it called the service (kept unless the request fails)."""
    audit.record(session, actor, "view", entity_type="page", summary="earlier work of this request")
    session.flush()


def _earlier_work_kept(session) -> bool:
    return session.scalar(select(func.count(AuditEvent.id)).where(
        AuditEvent.summary == "earlier work of this request")) == 1


def test_an_outcome_saved_in_the_same_instant_leaves_the_callers_transaction_alone(app, iv):
    (s1, v1, c1, chair1), (s2, v2, c2, chair2) = _two_sessions(app, iv)
    try:
        services.record_outcome(s1, chair1, v1, c1, Outcome.PREFERRED, "first", 0)
        s1.commit()
        stale = s2.scalar(select(InterviewOutcome))  # the second request read version 1 ...
        services.record_outcome(s1, chair1, v1, c1, Outcome.RESERVE, "changed", 1)
        s1.commit()  # ... and the first saved version 2 before the second flushed
        _earlier_work(s2, chair2)
        with pytest.raises(StaleEdit) as caught:
            services.record_outcome(s2, chair2, v2, c2, Outcome.NOT_APPOINTABLE, "second", stale.version)
        assert isinstance(caught.value, services.OutcomeConflict)
        assert s2.is_active and _earlier_work_kept(s2)  # not rolled back by the service
        assert (caught.value.current.outcome, caught.value.current.version) == (Outcome.RESERVE, 2)
        s2.rollback()
    finally:
        s1.close()
        s2.close()


def test_feedback_saved_in_the_same_instant_leaves_the_callers_transaction_alone(app, iv):
    (s1, v1, c1, chair1), (s2, v2, c2, chair2) = _two_sessions(app, iv)
    try:
        services.save_feedback(s1, chair1, c1, "First words", False, 0)
        s1.commit()
        stale = s2.scalar(select(CandidateFeedback))
        services.save_feedback(s1, chair1, c1, "Changed words", False, 1)
        s1.commit()
        _earlier_work(s2, chair2)
        with pytest.raises(StaleEdit) as caught:
            services.save_feedback(s2, chair2, c2, "Second words", False, stale.version)
        assert caught.value.field == "text"
        assert s2.is_active and _earlier_work_kept(s2)
        assert (caught.value.current.text, caught.value.current.version) == ("Changed words", 2)
        s2.rollback()
    finally:
        s1.close()
        s2.close()


def test_a_savepoint_stays_inside_the_requests_transaction(app, session):
    """On SQLite a SAVEPOINT met outside a transaction used to open one itself, so its RELEASE
    committed for good whatever the request did next (panel/db.py now opens the transaction
    first): a savepoint's work is undone when the request rolls back."""
    maker = app.extensions["panel.sessionmaker"]
    s = maker()
    try:
        s.execute(text("SELECT 1"))  # reads only: no transaction open yet on SQLite
        with s.begin_nested():
            audit.record(s, None, "view", entity_type="page", summary="inside a savepoint")
            s.flush()
        s.rollback()
    finally:
        s.close()
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.summary == "inside a savepoint")) == 0


def _second_chair(session, iv):
    session.scalar(select(PanelMember).where(PanelMember.user_id == iv["staff"].id)).panel_role = PanelRole.CHAIR
    session.commit()


def test_stale_feedback_answers_409_with_their_feedback_shown_and_your_text_kept(as_user, iv, session):
    _second_chair(session, iv)
    cand = iv["candidates"][0]
    path = f"/vacancies/{iv['vacancy'].id}/feedback/{cand.id}"
    first, second = as_user(iv["chair"]), as_user(iv["staff"])
    assert first.post_form(path, {"text": "Thank you for coming, Aoife.", "version": "0"}).status_code == 302
    r = second.post_form(path, {"text": "My own careful words", "version": "0"})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "Someone else changed this feedback" in body
    assert "My own careful words" in body  # what they typed, kept in the box
    assert "Thank you for coming, Aoife." in body  # the feedback as it now stands
    assert re.search(r'name="version" (?:type="hidden" )?value="1"', body)  # saving again is deliberate
    session.expire_all()
    assert session.scalar(select(CandidateFeedback)).text == "Thank you for coming, Aoife."
    assert second.post_form(path, {"text": "My own careful words", "version": "1"}).status_code == 302


def test_invalid_feedback_is_400_not_a_stale_edit(as_user, iv):
    cand = iv["candidates"][0]
    path = f"/vacancies/{iv['vacancy'].id}/feedback/{cand.id}"
    r = as_user(iv["chair"]).post_form(path, {"text": "x" * (services.FEEDBACK_MAX + 1), "version": "0"})
    assert r.status_code == 400


def test_no_scoring_service_rolls_back_the_callers_transaction():
    from pathlib import Path

    source = (Path(__file__).resolve().parent.parent / "panel" / "scoring" / "services.py").read_text(encoding="utf-8")
    assert ".rollback(" not in source
