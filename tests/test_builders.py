"""The data builders (panel.builders) go through the services: audit rows are written and the
services' rules hold (a closed stage refuses, a decision needs every submission)."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from panel.models import (AuditEvent, InterviewOutcome, InterviewScore, InterviewSignOff, Outcome, PlanQuestion,
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


def _audited(session, entity_type: str) -> int:
    return session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.entity_type == entity_type,
                                                                  AuditEvent.action == "create"))


def _interview_criteria_only(questions) -> bool:
    return all(link.criterion.at_interview for q in questions for link in q.criteria_links) and \
        all(q.criteria_links for q in questions)


def test_the_benchmark_data_goes_through_the_services(app, session):
    """`make bench` and the pack tests build with panel.packs.bench.generate: its people, vacancy,
    candidates and plan are audit-logged, and its questions assess criteria assessed at interview."""
    from panel.packs.bench import generate

    vacancy, hr, members, candidates = generate(session, reference="GEN-1", candidates=3, members=3, questions=8,
                                                scores=True, signed_off=True, app=app)
    assert (_audited(session, "user"), _audited(session, "vacancy"), _audited(session, "candidate")) == (4, 1, 3)
    questions = list(session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == vacancy.id)))
    assert _audited(session, "plan_question") == 8 and len(questions) == 8 and _interview_criteria_only(questions)
    assert session.scalar(select(func.count(InterviewScore.id))) == 3 * 3 * 8
    assert session.scalar(select(InterviewSignOff.signed_off_by_id)) == members[0].id


def test_the_load_test_data_goes_through_the_services(tmp_path):
    """`make load` builds its panel, candidates and plan through the services too."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
    import load

    from panel import create_app
    from panel.db import session_scope

    env = {"PANEL_INSTANCE_PATH": str(tmp_path / "instance"), "PANEL_LOG_LEVEL": "WARNING",
           "PANEL_SERVER_NAME": "127.0.0.1", "PANEL_DATABASE_URL": f"sqlite:///{tmp_path / 'load.db'}"}
    data = load.build_data(env, 3, 2, 4)
    with load._environment(env):
        app = create_app()
        with app.app_context(), session_scope() as s:
            assert (_audited(s, "user"), _audited(s, "candidate")) == (4, 2)  # the members and the builder's HR
            questions = list(s.scalars(select(PlanQuestion).where(PlanQuestion.id.in_(data["questions"]))))
            assert len(questions) == 4 and _interview_criteria_only(questions)
        app.extensions["panel.engine"].dispose()


def test_the_scale_vacancy_is_imported_and_bulk_scored_like_the_services_would(app, session):
    """panel.builders.scale_shortlisting (make bench, the growth tests): candidates imported from
    a CSV file, scores in bulk that moderate exactly like scores saved through the services."""
    from panel.builders import Builder, scale_shortlisting
    from panel.models import Candidate, ShortlistSubmission
    from panel.shortlisting import queries, services
    from tests.conftest import PASSWORD

    v, chair, users, people = scale_shortlisting(session, reference="S-12", candidates=12, criteria=4, members=3,
                                                 statement_chars=1500, password=PASSWORD, app=app)
    session.commit()
    assert v.status == VacancyStatus.SHORTLISTING and len(people) == 12 and len(users) == 3
    assert all(1400 <= len(c.supporting_information) <= 1500 for c in people)
    assert session.scalar(select(func.count(ShortlistScore.id))) == 12 * 4 * 3
    assert session.scalar(select(func.count(ShortlistSubmission.id))) == 12 * 3
    submits = session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.vacancy_id == v.id,
                                                                      AuditEvent.action == "submit"))
    assert submits == 12 * 3
    build = Builder(session, app=app)
    with build.context():
        results = services.moderate_all(queries.load(v))
    assert len(results) == 12 and all(r.all_in for r in results)
    # the chair can decide on bulk-scored candidates (the service's rule: every submission in)
    build.decide(people[0], ShortlistOutcome.SHORTLIST, actor=chair)
    # the shortcut keeps the rules: off the scale, a missing criterion, someone already answered
    extra = build.candidate(v, first_name="Extra")
    with pytest.raises(ValueError):
        build.bulk_shortlist_scores(v, {(extra.id, users[0].id): [0, 1, 3, 2]})
    with pytest.raises(ValueError):
        build.bulk_shortlist_scores(v, {(extra.id, users[0].id): [0, 1, 2]})
    with pytest.raises(ValueError):
        build.bulk_shortlist_scores(v, {(people[1].id, users[0].id): [0, 1, 2, 2]})
    assert session.scalar(select(func.count(Candidate.id)).where(Candidate.vacancy_id == v.id)) == 13
