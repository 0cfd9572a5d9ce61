"""Shared set-up for the route-wide security tests (no tests here).

`rich` is the demo data (three vacancies: PWP shortlisting, HIT draft, SPWP interviewing
with a plan, a timetable and interview scores) plus what the demo leaves out, so that every
kind of object exists on more than one vacancy: an application PDF, a job description, a
chair's submitted scores, an outcome, feedback and an invitation on SPWP, and on HIT a
plan question, a shortlisted candidate, an interview day and a slot. Every account's
password is tests.conftest.PASSWORD.

`fill(rule, values)` turns a url_map rule into a real URL; `table_counts` counts every table.
"""
from __future__ import annotations

import datetime as dt
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text
from werkzeug.security import generate_password_hash

from panel.db import Base
from panel.models import (
    CheckIn,
    Claim,
    IdentityHit,
    ClaimReceipt,
    PayrollExport,
    BankQuestion,
    Candidate,
    CandidateFeedback,
    CandidateInvitation,
    InterviewDay,
    InterviewOutcome,
    InterviewScore,
    InterviewSlot,
    InterviewSubmission,
    PlanQuestion,
    PlanQuestionCriterion,
    ShortlistDecision,
    ShortlistOutcome,
    User,
    Vacancy,
)
from panel.models.scoring import Outcome
from tests.conftest import PASSWORD, TEST_HASH
from tests.builders_plugin import store_pdf
from tests.snapshots import snapshotted

UTC = dt.timezone.utc
PARAM_RE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


# the booking pages' throttle counts every request to them, a GET too: bookkeeping of who asked
# how often (like a request log), not data anybody changed
NOT_DATA = {"booking_requests"}


def table_counts(session) -> dict[str, int]:
    """Rows in every table (a fresh look: the session is expired first)."""
    session.expire_all()
    return {name: session.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()  # nosec B608 (table names from the models)
            for name in Base.metadata.tables if name not in NOT_DATA}


def rule_params(rule) -> list[str]:
    return PARAM_RE.findall(rule.rule)


def fill(rule, values: dict) -> str | None:
    """The rule's URL with every <param> replaced from values (None if one is missing)."""
    out = rule.rule
    for match in PARAM_RE.finditer(rule.rule):
        name = match.group(1)
        if values.get(name) is None:
            return None
        out = out.replace(match.group(0), str(values[name]))
    return out


def app_rules(app, method: str):
    return sorted((r for r in app.url_map.iter_rules() if method in r.methods and r.endpoint != "static"),
                  key=lambda r: r.rule)


@pytest.fixture()
@snapshotted
def rich(app, session):
    from panel.auth.services import issue_link_token
    from panel.demo import load_demo

    with app.app_context():
        load_demo()
    for user in session.scalars(select(User)):
        user.password_hash = generate_password_hash(PASSWORD, method=TEST_HASH)
    session.commit()

    def vacancy(ref):
        return session.scalar(select(Vacancy).where(Vacancy.reference == ref))

    def user(email):
        return session.scalar(select(User).where(User.email == email))

    pwp, hit, spwp = vacancy("PWP-BOS-0425"), vacancy("HIT-LIN-0311"), vacancy("SPWP-SPA-0302")
    hr, chair, p1 = user("priya.shah@example.org"), user("chris.morgan@example.org"), user("john.oneill@example.org")
    chair2, p3 = user("amara.okafor@example.org"), user("siobhan.kelly@example.org")

    # SPWP: the chair submits every score for the first shortlisted candidate; outcome, feedback, invitation
    questions = session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == spwp.id)
                                .order_by(PlanQuestion.position)).all()
    shortlisted = session.scalars(
        select(Candidate).join(ShortlistDecision).where(Candidate.vacancy_id == spwp.id,
                                                        ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST)
        .order_by(Candidate.number)).all()
    first = shortlisted[0]
    for q in questions:
        session.add(InterviewScore(candidate_id=first.id, plan_question_id=q.id, user_id=chair.id, score=3,
                                   notes="Clear example", version=1))
    session.add(InterviewSubmission(candidate_id=first.id, user_id=chair.id))
    session.add(InterviewOutcome(candidate_id=first.id, outcome=Outcome.PREFERRED, rationale="Strongest answers",
                                 decided_by_id=chair.id))
    session.add(CandidateFeedback(candidate_id=first.id, text="Thank you for coming.", updated_by_id=hr.id))
    session.add(CandidateInvitation(candidate_id=first.id, subject="Interview", body="Come along", status="failed",
                                    error="SMTP down"))
    session.commit()  # the files are stored through the app's own session: it must not wait on this one's lock
    first.application_file = store_pdf(app)
    first.application_filename = "application.pdf"
    pwp_candidate = session.scalar(select(Candidate).where(Candidate.vacancy_id == pwp.id, Candidate.withdrawn_at.is_(None))
                                   .order_by(Candidate.number))
    session.commit()
    pwp_candidate.application_file = store_pdf(app)
    pwp_candidate.application_filename = "application.pdf"
    session.commit()
    spwp.job_description_file = store_pdf(app)
    spwp.job_description_filename = "job.pdf"

    # HIT: one of everything, so its ids can be tried in the other vacancies' URLs
    hit_candidate = Candidate(vacancy_id=hit.id, number=1, first_name="Dee", last_name="Kaur", email="dee@candidates.example")
    hit_candidate.decision = ShortlistDecision(outcome=ShortlistOutcome.SHORTLIST, reason="Meets the criteria")
    session.add(hit_candidate)
    session.flush()
    hit_question = PlanQuestion(vacancy_id=hit.id, position=1, text="Why this job?", minutes=10,
                                asker_id=hit.panel_members[0].id)
    hit_question.criteria_links = [PlanQuestionCriterion(criterion_id=hit.criteria[0].id)]
    session.add(hit_question)
    session.add(InterviewDay(vacancy_id=hit.id, starts_at=dt.datetime(2027, 1, 12, 9, 30, tzinfo=UTC),
                             ends_at=dt.datetime(2027, 1, 12, 16, 30, tzinfo=UTC), slot_minutes=45, gap_minutes=15))
    hit_slot = InterviewSlot(vacancy_id=hit.id, candidate_id=hit_candidate.id,
                             starts_at=dt.datetime(2027, 1, 12, 9, 30, tzinfo=UTC),
                             ends_at=dt.datetime(2027, 1, 12, 10, 15, tzinfo=UTC), location="Room 1")
    session.add(hit_slot)
    session.commit()

    with app.test_request_context():
        from panel.db import db as request_db

        token = issue_link_token(request_db(), p3, "reset")
        request_db().commit()

    def values_for(v: Vacancy, panel_user: User) -> dict:
        cands = session.scalars(select(Candidate).where(Candidate.vacancy_id == v.id).order_by(Candidate.number)).all()
        with_outcome = [c for c in cands
                        if session.scalar(select(InterviewOutcome.id).where(InterviewOutcome.candidate_id == c.id))]
        qs = session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == v.id)).all()
        slots = session.scalars(select(InterviewSlot).where(InterviewSlot.vacancy_id == v.id)).all()
        return {
            "vacancy_id": v.id,
            "candidate_id": (with_outcome + list(cands))[0].id if cands else None,
            "criterion_id": v.criteria[0].id,
            "member_id": v.panel_members[-1].id,
            "question_id": qs[0].id if qs else None,
            "slot_id": slots[0].id if slots else None,
            "user_id": panel_user.id,
            # an identity-check hit of this vacancy (the demo's PWP has cleared ones; others: none)
            "hit_id": session.scalar(select(IdentityHit.id).join(Candidate, Candidate.id == IdentityHit.candidate_id)
                                     .where(Candidate.vacancy_id == v.id).order_by(IdentityHit.id)) or 999999,
            "token": token,  # an import waiting for its columns (none: a made-up key is refused the same way)
        }

    bank = session.scalar(select(BankQuestion).order_by(BankQuestion.id))
    check_in = session.scalar(select(CheckIn).where(CheckIn.user_id == p1.id))  # the demo's past vacancy
    claim = session.scalar(select(Claim).where(Claim.user_id == p1.id).order_by(Claim.id))
    receipt = session.scalar(select(ClaimReceipt).where(ClaimReceipt.claim_id == claim.id).order_by(ClaimReceipt.id))
    export = session.scalar(select(PayrollExport).order_by(PayrollExport.id))
    global_values = {"question_id": bank.id, "user_id": p1.id, "token": token, "role": "patient", "stage": "shortlisting",
                     "check_in_id": check_in.id, "kind": "certificate", "job_id": 999999,  # My involvement's documents
                     # claims (the demo's: John's, queried or paid, with a receipt; the payroll export)
                     "claim_id": claim.id, "receipt_id": receipt.id if receipt else 999999,
                     "export_id": export.id if export else 999999, "key": claim.activity_key}
    return SimpleNamespace(
        hr=hr, chair=chair, panelist=p1, chair2=chair2, p3=p3, pwp=pwp, hit=hit, spwp=spwp, token=token,
        values={spwp.id: values_for(spwp, p1), pwp.id: values_for(pwp, p1), hit.id: values_for(hit, p3)},
        global_values=global_values, first=first,
    )


def values_for_rule(rich, rule, vacancy_id: int | None) -> dict:
    if "vacancy_id" in rule_params(rule):
        return rich.values[vacancy_id]
    return rich.global_values


def count_rows(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))
