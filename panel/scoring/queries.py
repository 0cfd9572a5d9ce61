"""Reads for the interview scoring pages, each in a fixed number of queries."""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from panel.db import db
from panel.models import (
    Candidate,
    CandidateFeedback,
    AT_INTERVIEWS,
    ConflictDeclaration,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSlot,
    InterviewSubmission,
    ModeratedScore,
    PanelMember,
    PlanQuestion,
    PlanQuestionCriterion,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    ShortlistSubmission,
    User,
    Vacancy,
)
from panel.plans import queries as plan_queries
from panel.plans import services as plan_services


class ScalePoint(NamedTuple):
    score: int
    label: str
    descriptor: str


def effective_scale(vacancy: Vacancy) -> list[ScalePoint]:
    """The vacancy's interview scale, lowest first: its own levels, else DEFAULT_SCALE (0-4).
    The interview plan decides what the scale is (panel.plans.services.scale_rows)."""

    return [ScalePoint(*row) for row in plan_services.scale_rows(plan_queries.scale_levels(vacancy.id))]


def plan_questions(vacancy: Vacancy) -> list[PlanQuestion]:
    stmt = (
        select(PlanQuestion)
        .where(PlanQuestion.vacancy_id == vacancy.id)
        .options(selectinload(PlanQuestion.criteria_links).selectinload(PlanQuestionCriterion.criterion),
                 selectinload(PlanQuestion.asker).selectinload(PanelMember.user))
        .order_by(PlanQuestion.position, PlanQuestion.id)
    )
    return list(db().scalars(stmt))


def interviewed_candidates(vacancy: Vacancy) -> list[Candidate]:
    """The vacancy's candidates who were shortlisted and have not withdrawn, in the order of
    the interview timetable (candidates without a slot last, by number)."""
    stmt = (
        select(Candidate)
        .join(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
        .where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
               ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST)
        .options(selectinload(Candidate.decision))
        .order_by(Candidate.number)
    )
    candidates = list(db().scalars(stmt))
    slots = db().execute(select(InterviewSlot.candidate_id, InterviewSlot.starts_at)
                         .where(InterviewSlot.vacancy_id == vacancy.id, InterviewSlot.candidate_id.is_not(None)))
    first_slot: dict[int, object] = {}
    for candidate_id, starts_at in slots:
        if candidate_id not in first_slot or starts_at < first_slot[candidate_id]:
            first_slot[candidate_id] = starts_at
    candidates.sort(key=lambda c: (c.id not in first_slot, first_slot.get(c.id) or 0, c.number))
    for c in candidates:
        c.interview_starts_at = first_slot.get(c.id)  # shown on the lists; not a column
    return candidates


def interviewed_candidate(vacancy: Vacancy, candidate_id: int) -> Candidate | None:
    """One candidate of this vacancy who is being interviewed (shortlisted, not withdrawn),
    with their shortlisting decision, in one query."""
    stmt = (
        select(Candidate)
        .join(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
        .where(Candidate.id == candidate_id, Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
               ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST)
        .options(contains_eager(Candidate.decision))
    )
    return db().scalar(stmt)


def vacancy_for_saving(vacancy_id: int) -> Vacancy | None:
    """The vacancy with its panel (not the people's details or the criteria): all that saving
    one answer needs, in one query. Autosave is the busiest request there is."""
    return db().scalars(select(Vacancy).where(Vacancy.id == vacancy_id)
                        .options(joinedload(Vacancy.panel_members))).unique().first()


def plan_question(vacancy: Vacancy, question_id: int) -> PlanQuestion | None:
    """One question of this vacancy's interview plan (without its links), in one query."""
    return db().scalar(select(PlanQuestion).where(PlanQuestion.id == question_id,
                                                  PlanQuestion.vacancy_id == vacancy.id))


def scores(vacancy: Vacancy, candidate_ids: list[int] | None = None, user_id: int | None = None) -> list[InterviewScore]:
    stmt = (select(InterviewScore)
            .join(Candidate, Candidate.id == InterviewScore.candidate_id)
            .where(Candidate.vacancy_id == vacancy.id)
            .options(selectinload(InterviewScore.entered_by)))
    if candidate_ids is not None:
        stmt = stmt.where(InterviewScore.candidate_id.in_(candidate_ids))
    if user_id is not None:
        stmt = stmt.where(InterviewScore.user_id == user_id)
    return list(db().scalars(stmt))


class EnteredBy(NamedTuple):
    """Who typed a score in from a member's paper sheet (all the results pages show of them)."""

    name: str


class ScoreRow(NamedTuple):
    """One interview score as the results, list, feedback and export pages read it: plain data,
    not an ORM object (a vacancy with 400 candidates has 12,800 of them; loading each as an
    object cost most of those pages' time)."""

    candidate_id: int
    plan_question_id: int
    user_id: int
    score: int | None
    notes: str
    updated_at: object
    entered_by: EnteredBy | None


def score_rows(vacancy: Vacancy) -> list[ScoreRow]:
    """Every interview score of the vacancy, as ScoreRow, in one query."""
    stmt = (select(InterviewScore.candidate_id, InterviewScore.plan_question_id, InterviewScore.user_id,
                   InterviewScore.score, InterviewScore.notes, InterviewScore.updated_at, User.name)
            .join(Candidate, Candidate.id == InterviewScore.candidate_id)
            .outerjoin(User, User.id == InterviewScore.entered_by_id)
            .where(Candidate.vacancy_id == vacancy.id))
    return [ScoreRow(c, q, u, score, notes, at, EnteredBy(name) if name is not None else None)
            for c, q, u, score, notes, at, name in db().execute(stmt)]


def submissions(vacancy: Vacancy) -> list:
    """(candidate_id, user_id, submitted_at, entered_by_id) rows of the vacancy's submitted
    interview scores: plain rows, in one query."""
    stmt = (select(InterviewSubmission.candidate_id, InterviewSubmission.user_id, InterviewSubmission.submitted_at,
                   InterviewSubmission.entered_by_id)
            .join(Candidate, Candidate.id == InterviewSubmission.candidate_id)
            .where(Candidate.vacancy_id == vacancy.id))
    return list(db().execute(stmt))


def moderated(vacancy: Vacancy) -> list[ModeratedScore]:
    stmt = (select(ModeratedScore)
            .join(Candidate, Candidate.id == ModeratedScore.candidate_id)
            .where(Candidate.vacancy_id == vacancy.id))
    return list(db().scalars(stmt))


def outcomes(vacancy: Vacancy) -> dict[int, InterviewOutcome]:
    stmt = (select(InterviewOutcome)
            .join(Candidate, Candidate.id == InterviewOutcome.candidate_id)
            .where(Candidate.vacancy_id == vacancy.id)
            .options(selectinload(InterviewOutcome.decided_by)))
    return {o.candidate_id: o for o in db().scalars(stmt)}


def outcome(candidate: Candidate) -> InterviewOutcome | None:
    return db().scalar(select(InterviewOutcome).where(InterviewOutcome.candidate_id == candidate.id))


def feedback(vacancy: Vacancy) -> dict[int, CandidateFeedback]:
    stmt = (select(CandidateFeedback)
            .join(Candidate, Candidate.id == CandidateFeedback.candidate_id)
            .where(Candidate.vacancy_id == vacancy.id))
    return {f.candidate_id: f for f in db().scalars(stmt)}


def signoff(vacancy: Vacancy) -> InterviewSignOff | None:
    return db().scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))


def submission(candidate: Candidate, user_id: int) -> InterviewSubmission | None:
    return db().scalar(select(InterviewSubmission).where(InterviewSubmission.of(candidate.id, user_id)))


def stepped_aside(candidate: Candidate, user_id: int) -> bool:
    return bool(db().scalar(select(ConflictDeclaration.aside_from(candidate.id, user_id, AT_INTERVIEWS))))


def stepped_aside_user_ids(vacancy: Vacancy) -> dict[int, set[int]]:
    """candidate id -> the user ids who said they know the candidate (they do not score them)."""
    out: dict[int, set[int]] = {}
    for candidate_id, user_id in db().execute(ConflictDeclaration.aside_pairs(vacancy.id, AT_INTERVIEWS)):
        out.setdefault(candidate_id, set()).add(user_id)
    return out


def shortlisting_totals(vacancy: Vacancy) -> dict[int, dict[tuple[int, int], int | None]]:
    """shortlisted candidate id -> {(criterion id, user id): score} of submitted shortlisting
    scores (only the shortlisted: the interview pages show them, and a vacancy with 400
    applicants need not read 12,800 scores to show 20)."""
    shortlisted = (select(ShortlistDecision.candidate_id).join(Candidate, Candidate.id == ShortlistDecision.candidate_id)
                   .where(Candidate.vacancy_id == vacancy.id, ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST))
    submitted = {(cid, uid) for cid, uid in db().execute(
        select(ShortlistSubmission.candidate_id, ShortlistSubmission.user_id)
        .where(ShortlistSubmission.candidate_id.in_(shortlisted)))}
    out: dict[int, dict[tuple[int, int], int | None]] = {}
    rows = db().execute(select(ShortlistScore.candidate_id, ShortlistScore.criterion_id, ShortlistScore.user_id,
                               ShortlistScore.score)
                        .where(ShortlistScore.candidate_id.in_(shortlisted)))
    for candidate_id, criterion_id, user_id, score in rows:
        if (candidate_id, user_id) in submitted:
            out.setdefault(candidate_id, {})[(criterion_id, user_id)] = score
    return out


def closed_vacancy_outcomes(vacancy: Vacancy) -> list[tuple[Candidate, InterviewOutcome | None]]:
    """For the panel's "how it ended" section: each interviewed candidate and their outcome."""
    found = outcomes(vacancy)
    return [(c, found.get(c.id)) for c in interviewed_candidates(vacancy)]


@dataclass
class Everything:
    """All the interview data of one vacancy, loaded in a fixed number of queries."""

    questions: list[PlanQuestion]
    candidates: list[Candidate]
    scores: list[ScoreRow]
    submissions: list  # rows of (candidate_id, user_id, submitted_at, entered_by_id)
    moderated: list[ModeratedScore]
    outcomes: dict[int, InterviewOutcome]
    signoff: InterviewSignOff | None
    stepped_aside: dict[int, set[int]]
    shortlisting: dict[int, dict[tuple[int, int], int | None]]
    scale: list[ScalePoint]


def everything(vacancy: Vacancy) -> Everything:
    return Everything(
        questions=plan_questions(vacancy),
        candidates=interviewed_candidates(vacancy),
        scores=score_rows(vacancy),
        submissions=submissions(vacancy),
        moderated=moderated(vacancy),
        outcomes=outcomes(vacancy),
        signoff=signoff(vacancy),
        stepped_aside=stepped_aside_user_ids(vacancy),
        shortlisting=shortlisting_totals(vacancy),
        scale=effective_scale(vacancy),
    )
