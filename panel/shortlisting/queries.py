"""Reads for the shortlisting pages. Each loads everything in a fixed number of queries,
whatever the number of candidates, panel members and criteria."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, NamedTuple, Union

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from panel.db import db
from panel.models import (
    Candidate,
    CandidateEvidence,
    AT_SHORTLISTING,
    ConflictDeclaration,
    Criterion,
    ShortlistAllocation,
    ShortlistDecision,
    ShortlistScore,
    ShortlistSubmission,
    Vacancy,
)
from panel.permissions import has_stepped_aside


class ScoreRow(NamedTuple):
    """One shortlisting score as read for a page or an export (no ORM object per row)."""

    score: int | None
    comment: str


Score = Union[ShortlistScore, ScoreRow]  # both have .score and .comment


class DeclarationRow(NamedTuple):
    """A conflict answer as read for a page or an export (no ORM object per row)."""

    stepped_aside: bool  # read as ConflictDeclaration.aside_at(AT_SHORTLISTING): the one definition
    declared_at: object


Declaration = Union[ConflictDeclaration, DeclarationRow]


@dataclass
class ShortlistingData:
    """A vacancy's shortlisting, grouped once by candidate and panel member, so every page and
    export costs O(N) in candidates: look a candidate's scores up, never scan every score row.

    ``scores`` maps (candidate, criterion, user) to a score and ``conflicts`` (candidate, user)
    to an answer: ShortlistScore and ConflictDeclaration rows (which the services change) when
    loaded with ``rows`` (one candidate), ScoreRow and DeclarationRow tuples otherwise (read only)."""

    vacancy: Vacancy
    criteria: list[Criterion]  # the criteria assessed at application, in order
    candidates: list[Candidate]
    scores: dict[tuple[int, int, int], Score] = field(default_factory=dict)  # (candidate, criterion, user)
    submissions: dict[tuple[int, int], object] = field(default_factory=dict)  # (candidate, user) -> submitted at
    conflicts: dict[tuple[int, int], Declaration] = field(default_factory=dict)  # (candidate, user)
    # the same scores grouped: candidate id -> {(criterion id, user id): score}, and
    # (candidate id, user id) -> {criterion id: score}
    by_candidate: dict[int, dict[tuple[int, int], Score]] = field(default_factory=dict)
    by_member: dict[tuple[int, int], dict[int, Score]] = field(default_factory=dict)
    # sharing the reading (panel/shortlisting/allocation.py): candidate id -> the user ids it is
    # allocated to, or None when everyone on the panel reads every application
    allocation: dict[int, set[int]] | None = None
    _candidates_by_id: dict[int, Candidate] = field(default_factory=dict)

    def add_score(self, candidate_id: int, criterion_id: int, user_id: int, score: Score) -> None:
        self.scores[(candidate_id, criterion_id, user_id)] = score
        self.by_candidate.setdefault(candidate_id, {})[(criterion_id, user_id)] = score
        self.by_member.setdefault((candidate_id, user_id), {})[criterion_id] = score

    def candidate(self, candidate_id: int) -> Candidate | None:
        if len(self._candidates_by_id) != len(self.candidates):
            self._candidates_by_id = {c.id: c for c in self.candidates}
        return self._candidates_by_id.get(candidate_id)

    def declaration(self, candidate_id: int, user_id: int) -> Declaration | None:
        return self.conflicts.get((candidate_id, user_id))

    def stepped_aside(self, candidate_id: int, user_id: int) -> bool:
        return has_stepped_aside(self.conflicts.get((candidate_id, user_id)))

    def submitted(self, candidate_id: int, user_id: int) -> bool:
        return (candidate_id, user_id) in self.submissions

    def scores_of(self, candidate_id: int, user_id: int) -> dict[int, Score]:
        """criterion id -> this user's score for the candidate (a lookup, not a scan). The dict is
        the one kept here: a score the services add to it (save_scores) is seen by later reads."""
        return self.by_member.setdefault((candidate_id, user_id), {})

    def allocated(self, candidate_id: int, user_id: int) -> bool:
        """The fact permissions.is_my_application takes: this candidate is allocated to this
        person (always, when everyone reads everything)."""
        return self.allocation is None or user_id in self.allocation.get(candidate_id, ())

    def readers_of(self, candidate_id: int) -> list[int]:
        """Whose scores the candidate expects, in panel order: the panel, or those it is
        allocated to when the reading is shared (and anyone who has submitted anyway)."""
        ids = [m.user_id for m in self.vacancy.panel_members]
        if self.allocation is None:
            return ids
        mine = self.allocation.get(candidate_id, set())
        return [u for u in ids if u in mine or (candidate_id, u) in self.submissions]

    def scores_for(self, candidate_id: int) -> dict[tuple[int, int], Score]:
        """(criterion id, user id) -> score, for one candidate (a lookup, not a scan)."""
        return self.by_candidate.get(candidate_id, {})


def load(vacancy: Vacancy, *, user_id: int | None = None, candidate_id: int | None = None,
         candidate_ids: Collection[int] | None = None, evidence: bool = False, decisions: bool = True,
         rows: bool | None = None) -> ShortlistingData:
    """Candidates, scores, submissions and conflict answers for a vacancy (optionally only one
    person's, or one candidate's, or a few candidates' (``candidate_ids``)). The vacancy must come with its criteria and panel loaded.
    Six queries at most, whatever the numbers (the sixth, the allocation, only when the
    vacancy shares the reading out).

    ``rows``: the scores and conflict answers as rows the services can change (default: when
    one candidate is loaded); otherwise as tuples, read with the columns alone, which is what a
    page or export of hundreds of candidates needs."""
    rows = (candidate_id is not None or candidate_ids is not None) if rows is None else rows
    options = []
    if decisions:
        options.append(selectinload(Candidate.decision).selectinload(ShortlistDecision.decided_by))
    if evidence:
        options.append(selectinload(Candidate.evidence))
    stmt = select(Candidate).where(Candidate.vacancy_id == vacancy.id).options(*options).order_by(Candidate.number)
    if candidate_id is not None:
        stmt = stmt.where(Candidate.id == candidate_id)
    if candidate_ids is not None:
        stmt = stmt.where(Candidate.id.in_(list(candidate_ids)))
    candidates = list(db().scalars(stmt))
    data = ShortlistingData(vacancy=vacancy, criteria=[c for c in vacancy.criteria if c.at_application],
                            candidates=candidates)
    if not candidates:
        return data

    def _filter(model, q):
        q = q.join(Candidate, Candidate.id == model.candidate_id).where(Candidate.vacancy_id == vacancy.id)
        if candidate_id is not None:
            q = q.where(model.candidate_id == candidate_id)
        if candidate_ids is not None:
            q = q.where(model.candidate_id.in_(list(candidate_ids)))
        if user_id is not None:
            q = q.where(model.user_id == user_id)
        return q

    if rows:
        for s in db().scalars(_filter(ShortlistScore, select(ShortlistScore))):
            data.add_score(s.candidate_id, s.criterion_id, s.user_id, s)
    else:
        for cand, cr, u, score, comment in db().execute(_filter(ShortlistScore, select(
                ShortlistScore.candidate_id, ShortlistScore.criterion_id, ShortlistScore.user_id,
                ShortlistScore.score, ShortlistScore.comment))):
            data.add_score(cand, cr, u, ScoreRow(score, comment or ""))
    for cand, u, at in db().execute(_filter(ShortlistSubmission, select(
            ShortlistSubmission.candidate_id, ShortlistSubmission.user_id, ShortlistSubmission.submitted_at))):
        data.submissions[(cand, u)] = at
    at_shortlisting = ConflictDeclaration.round == AT_SHORTLISTING  # the reveal-time answers are the interviews'
    if rows:
        for d in db().scalars(_filter(ConflictDeclaration, select(ConflictDeclaration)).where(at_shortlisting)):
            data.conflicts[(d.candidate_id, d.user_id)] = d
    else:
        for cand, u, aside, at in db().execute(_filter(ConflictDeclaration, select(
                ConflictDeclaration.candidate_id, ConflictDeclaration.user_id,
                ConflictDeclaration.aside_at(AT_SHORTLISTING), ConflictDeclaration.declared_at)).where(at_shortlisting)):
            data.conflicts[(cand, u)] = DeclarationRow(bool(aside), at)
    if vacancy.shortlist_readers is not None:
        data.allocation = {}
        for cand, u in db().execute(_filter(ShortlistAllocation, select(
                ShortlistAllocation.candidate_id, ShortlistAllocation.user_id))):
            data.allocation.setdefault(cand, set()).add(u)
    return data


def criterion_page(criterion_id: int, user_id: int, candidate_ids: Collection[int]) -> tuple[dict[int, str], dict[int, ShortlistScore]]:
    """For one page of a criterion (a few candidates): each candidate's evidence for the
    criterion as the panel reads it (HR's identity-check removals applied), and this person's
    saved answer on it (the row: its version and when it was saved). Two queries, whatever the
    page holds."""
    ids = list(candidate_ids)
    if not ids:
        return {}, {}
    evidence = {cand: text for cand, text in db().execute(
        select(CandidateEvidence.candidate_id, func.coalesce(CandidateEvidence.panel_text, CandidateEvidence.text)).where(
            CandidateEvidence.criterion_id == criterion_id, CandidateEvidence.candidate_id.in_(ids)))}
    mine = {s.candidate_id: s for s in db().scalars(select(ShortlistScore).where(
        ShortlistScore.criterion_id == criterion_id, ShortlistScore.user_id == user_id,
        ShortlistScore.candidate_id.in_(ids)))}
    return evidence, mine


def declaration_of(user_id: int, candidate_id: int) -> ConflictDeclaration | None:
    return db().scalar(select(ConflictDeclaration).where(ConflictDeclaration.user_id == user_id,
                                                         ConflictDeclaration.candidate_id == candidate_id,
                                                         ConflictDeclaration.round == AT_SHORTLISTING))
