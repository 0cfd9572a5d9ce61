"""Reads for the candidate pages, each in a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from panel.db import db
from panel.models import Candidate, CandidateEvidence


def candidates_of(vacancy_id: int, *, evidence: bool = False) -> list[Candidate]:
    options = [selectinload(Candidate.decision)]
    if evidence:
        options.append(selectinload(Candidate.evidence))
    stmt = select(Candidate).where(Candidate.vacancy_id == vacancy_id).options(*options).order_by(Candidate.number)
    return list(db().scalars(stmt))


def candidate_of_vacancy(vacancy_id: int, candidate_id: int) -> Candidate | None:
    """The candidate, only if they belong to that vacancy (else None: a 404)."""
    stmt = (
        select(Candidate)
        .where(Candidate.id == candidate_id, Candidate.vacancy_id == vacancy_id)
        .options(selectinload(Candidate.evidence).selectinload(CandidateEvidence.criterion),
                 selectinload(Candidate.decision))
    )
    return db().scalar(stmt)
