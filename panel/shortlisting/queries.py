"""Reads for the shortlisting pages. Each loads everything in a fixed number of queries,
whatever the number of candidates, panel members and criteria."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from panel.db import db
from panel.models import (
    Candidate,
    ConflictDeclaration,
    Criterion,
    ShortlistDecision,
    ShortlistScore,
    ShortlistSubmission,
    Vacancy,
)
from panel.permissions import has_stepped_aside


@dataclass
class ShortlistingData:
    vacancy: Vacancy
    criteria: list[Criterion]  # the criteria assessed at application, in order
    candidates: list[Candidate]
    scores: dict[tuple[int, int, int], ShortlistScore] = field(default_factory=dict)  # (candidate, criterion, user)
    submissions: dict[tuple[int, int], ShortlistSubmission] = field(default_factory=dict)  # (candidate, user)
    conflicts: dict[tuple[int, int], ConflictDeclaration] = field(default_factory=dict)  # (candidate, user)

    def candidate(self, candidate_id: int) -> Candidate | None:
        return next((c for c in self.candidates if c.id == candidate_id), None)

    def declaration(self, candidate_id: int, user_id: int) -> ConflictDeclaration | None:
        return self.conflicts.get((candidate_id, user_id))

    def stepped_aside(self, candidate_id: int, user_id: int) -> bool:
        return has_stepped_aside(self.conflicts.get((candidate_id, user_id)))

    def submitted(self, candidate_id: int, user_id: int) -> bool:
        return (candidate_id, user_id) in self.submissions

    def scores_of(self, candidate_id: int, user_id: int) -> dict[int, ShortlistScore]:
        """criterion id -> this user's score row for the candidate."""
        return {cr: s for (cand, cr, u), s in self.scores.items() if cand == candidate_id and u == user_id}


def load(vacancy: Vacancy, *, user_id: int | None = None, candidate_id: int | None = None,
         evidence: bool = False, decisions: bool = True) -> ShortlistingData:
    """Candidates, scores, submissions and conflict answers for a vacancy (optionally only one
    person's, or one candidate's). The vacancy must come with its criteria and panel loaded.
    Five queries at most, whatever the numbers."""
    options = []
    if decisions:
        options.append(selectinload(Candidate.decision).selectinload(ShortlistDecision.decided_by))
    if evidence:
        options.append(selectinload(Candidate.evidence))
    stmt = select(Candidate).where(Candidate.vacancy_id == vacancy.id).options(*options).order_by(Candidate.number)
    if candidate_id is not None:
        stmt = stmt.where(Candidate.id == candidate_id)
    candidates = list(db().scalars(stmt))
    data = ShortlistingData(vacancy=vacancy, criteria=[c for c in vacancy.criteria if c.at_application],
                            candidates=candidates)
    if not candidates:
        return data

    def _filter(model, q):
        q = q.join(Candidate, Candidate.id == model.candidate_id).where(Candidate.vacancy_id == vacancy.id)
        if candidate_id is not None:
            q = q.where(model.candidate_id == candidate_id)
        if user_id is not None:
            q = q.where(model.user_id == user_id)
        return q

    for s in db().scalars(_filter(ShortlistScore, select(ShortlistScore))):
        data.scores[(s.candidate_id, s.criterion_id, s.user_id)] = s
    for s in db().scalars(_filter(ShortlistSubmission, select(ShortlistSubmission))):
        data.submissions[(s.candidate_id, s.user_id)] = s
    for d in db().scalars(_filter(ConflictDeclaration, select(ConflictDeclaration))):
        data.conflicts[(d.candidate_id, d.user_id)] = d
    return data


def declaration_of(user_id: int, candidate_id: int) -> ConflictDeclaration | None:
    return db().scalar(select(ConflictDeclaration).where(ConflictDeclaration.user_id == user_id,
                                                         ConflictDeclaration.candidate_id == candidate_id))
