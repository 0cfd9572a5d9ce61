"""Reads for the candidate pages, each in a fixed number of queries."""
from __future__ import annotations

import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from panel import paging
from panel.db import db
from panel.models import Candidate, CandidateEvidence
from panel.paging import ListPage


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


#: Candidates shown on one page of the candidates list (a vacancy can have hundreds).
LIST_PAGE_SIZE = 50
#: From this many candidates the list offers a search box.
SEARCH_FROM = 20


def _normalised(text: str) -> str:
    """Lower case, without accents or punctuation: "o'brien" finds O'Brien, "zoe" Zoë."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum() or ch.isspace())


def find_candidates(candidates: list[Candidate], search: str, *, by_email: bool) -> list[Candidate]:
    """The candidates whose name, label or number (and, for HR, email) contains every word of
    ``search`` (any case); all of them for an empty search. One pass over the list."""
    words = [w for w in (_normalised(word) for word in (search or "").split()) if w]
    if not words:
        return candidates
    out = []
    for c in candidates:
        haystack = _normalised(f"{c.full_name} {c.label} {c.number}" + (f" {c.email or ''}" if by_email else ""))
        if all(w in haystack for w in words):
            out.append(c)
    return out


def list_page(candidates: list[Candidate], page: int, size: int | None = None) -> ListPage:
    """Page ``page`` of the candidates list, ``size`` (else LIST_PAGE_SIZE) a page."""
    return paging.page_of(candidates, page, size or LIST_PAGE_SIZE)
