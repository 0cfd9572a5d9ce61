"""Reads for the plan, timetable and invitation pages, each in a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from panel.db import db
from panel.models import (
    Candidate,
    CandidateInvitation,
    InterviewDay,
    InterviewScore,
    InterviewSlot,
    InvitationTemplate,
    PlanQuestion,
    ScaleLevel,
    ShortlistDecision,
    ShortlistOutcome,
)


def plan_questions(vacancy_id: int) -> list[PlanQuestion]:
    """The plan in order, with each question's criteria links (the criteria and askers
    are already loaded with the vacancy, so they come from the session)."""
    stmt = (
        select(PlanQuestion)
        .where(PlanQuestion.vacancy_id == vacancy_id)
        .options(selectinload(PlanQuestion.criteria_links), selectinload(PlanQuestion.asker))
        .order_by(PlanQuestion.position, PlanQuestion.id)
    )
    return list(db().scalars(stmt))


def scale_levels(vacancy_id: int) -> list[ScaleLevel]:
    return list(db().scalars(select(ScaleLevel).where(ScaleLevel.vacancy_id == vacancy_id).order_by(ScaleLevel.score)))


def interview_day(vacancy_id: int, session=None) -> InterviewDay | None:
    return (session or db()).scalar(select(InterviewDay).where(InterviewDay.vacancy_id == vacancy_id))


def slots(vacancy_id: int) -> list[InterviewSlot]:
    stmt = (
        select(InterviewSlot)
        .where(InterviewSlot.vacancy_id == vacancy_id)
        .options(selectinload(InterviewSlot.candidate))
        .order_by(InterviewSlot.starts_at, InterviewSlot.id)
    )
    return list(db().scalars(stmt))


def shortlisted_candidates(vacancy_id: int) -> list[Candidate]:
    """The candidates invited to interview: not withdrawn, and the chair's decision is Shortlist."""
    stmt = (
        select(Candidate)
        .join(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
        .where(Candidate.vacancy_id == vacancy_id, Candidate.withdrawn_at.is_(None),
               ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST)
        .order_by(Candidate.number)
    )
    return list(db().scalars(stmt))


def scoring_started(vacancy_id: int, session=None) -> bool:
    """Has anyone recorded an interview score for this vacancy?"""
    stmt = select(exists().where(InterviewScore.plan_question_id == PlanQuestion.id,
                                 PlanQuestion.vacancy_id == vacancy_id))
    return bool((session or db()).scalar(stmt))


def question_has_scores(plan_question_id: int, session=None) -> bool:
    return bool((session or db()).scalar(select(exists().where(InterviewScore.plan_question_id == plan_question_id))))


def invitation_template(vacancy_id: int, session=None) -> InvitationTemplate | None:
    return (session or db()).scalar(select(InvitationTemplate).where(InvitationTemplate.vacancy_id == vacancy_id))


def invitations_by_candidate(candidate_ids: list[int]) -> dict[int, list[CandidateInvitation]]:
    """Every invitation sent (or tried) to these candidates, newest first."""
    if not candidate_ids:
        return {}
    stmt = (select(CandidateInvitation).where(CandidateInvitation.candidate_id.in_(candidate_ids))
            .options(selectinload(CandidateInvitation.notification))  # whether each went (the outbox)
            .order_by(CandidateInvitation.created_at.desc(), CandidateInvitation.id.desc()))
    out: dict[int, list[CandidateInvitation]] = {}
    for inv in db().scalars(stmt):
        out.setdefault(inv.candidate_id, []).append(inv)
    return out


def invitation_rows(vacancy_id: int) -> tuple[list[Candidate], dict[int, InterviewSlot], dict[int, list[CandidateInvitation]]]:
    """For the invitation pages: the shortlisted candidates, each one's (first) slot by
    candidate id, and each one's invitations, newest first (three queries)."""
    shortlisted = shortlisted_candidates(vacancy_id)
    slot_for: dict[int, InterviewSlot] = {}
    for s in slots(vacancy_id):
        if s.candidate_id is not None:
            slot_for.setdefault(s.candidate_id, s)
    return shortlisted, slot_for, invitations_by_candidate([c.id for c in shortlisted])
