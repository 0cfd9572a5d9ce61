"""The data builders (panel.builders) go through the services: audit rows are written and the
services' rules hold (a closed stage refuses, a decision needs every submission)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from panel.models import (AuditEvent, InterviewOutcome, InterviewScore, InterviewSignOff, Outcome,
                          ShortlistOutcome, ShortlistScore, VacancyStatus)
from panel.shortlisting.services import ShortlistingError
from panel.vacancies.services import VacancyError


def test_a_whole_vacancy_built_through_the_services_is_audit_logged(build, session):
    chair = build.user("chair", name="Chris Morgan")
    john = build.user("panelist", name="John O'Neill")
    v = build.vacancy(reference="B-1", criteria=3, panel=[(chair, "chair"), (john, "patient")])
    alex = build.candidate(v, first_name="Alex")
    bea = build.candidate(v, first_name="Bea")
    assert (alex.number, bea.number) == (1, 2)
    build.advance(v)  # draft -> shortlisting, with HR's readiness checks
    assert v.status == VacancyStatus.SHORTLISTING
    build.shortlist(v, outcomes={2: ShortlistOutcome.REJECT})
    assert alex.decision.outcome == ShortlistOutcome.SHORTLIST and bea.decision.outcome == ShortlistOutcome.REJECT
    build.advance(v)  # -> interviewing
    q = build.plan_question(v, "Why this job?")
    build.interview_day(v, dt.date(2027, 1, 12))
    build.slot(v, alex, dt.date(2027, 1, 12), dt.time(9, 30))
    for member in (chair, john):
        build.interview_scores(alex, member, [q], [3], ["Clear"])
    build.outcome(alex, Outcome.PREFERRED)
    build.sign_off(v)
    build.commit()
    assert session.scalar(select(func.count(InterviewScore.id))) == 2
    assert session.scalar(select(InterviewOutcome.outcome)) == Outcome.PREFERRED
    assert session.scalar(select(InterviewSignOff.signed_off_by_id)) == chair.id
    actions = set(session.scalars(select(AuditEvent.action).where(AuditEvent.vacancy_id == v.id)))
    assert {"create", "status", "conflict", "score", "submit", "decision", "outcome", "sign-off"} <= actions
    assert session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == "user")) == 3


def test_the_builders_keep_the_services_rules(build, session):
    chair = build.user("chair")
    john = build.user("panelist")
    v = build.vacancy(panel=[(chair, "chair"), (john, "patient")])
    c = build.candidate(v)
    build.advance(v)
    with pytest.raises(VacancyError):
        build.vacancy(reference=v.reference)  # references are unique
    build.shortlist_scores(c, john, [2, 2])
    with pytest.raises(ShortlistingError):
        build.decide(c)  # the chair has not submitted
    build.declare(c, chair, knows=True)  # the chair steps aside
    assert session.scalar(select(func.count(ShortlistScore.id)).where(ShortlistScore.user_id == chair.id)) == 0
