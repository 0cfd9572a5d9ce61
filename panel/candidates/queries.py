"""Reads for the candidate pages, each in a fixed number of queries."""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass

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


#: Candidates shown on one page of the candidates list (a vacancy can have hundreds).
LIST_PAGE_SIZE = 50
#: From this many candidates the list offers a search box.
SEARCH_FROM = 20


@dataclass
class CandidateListPage:
    """One page of the candidates list: those matching the search, ``size`` at a time."""

    shown: list[Candidate]  # this page's candidates
    matching: int  # how many match the search (all of them without one)
    page: int
    pages: int
    first: int  # the position of the page's first candidate among those matching (1-based)

    @property
    def numbers(self) -> list[int | None]:
        """The page numbers the pagination links to: the first, the last and those next to this
        one, with None where others are left out (an ellipsis)."""
        keep = sorted({1, self.pages, self.page - 1, self.page, self.page + 1} & set(range(1, self.pages + 1)))
        out: list[int | None] = []
        for n in keep:
            if out and n - out[-1] == 2:
                out.append(n - 1)
            elif out and n - out[-1] > 2:
                out.append(None)
            out.append(n)
        return out


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


def list_page(candidates: list[Candidate], page: int, size: int | None = None) -> CandidateListPage:
    """Page ``page`` (kept between the first and the last) of ``candidates``, ``size`` (else
    LIST_PAGE_SIZE) a page."""
    size = size or LIST_PAGE_SIZE
    pages = max(1, math.ceil(len(candidates) / size))
    page = min(max(page, 1), pages)
    start = (page - 1) * size
    return CandidateListPage(shown=candidates[start:start + size], matching=len(candidates), page=page, pages=pages,
                             first=start + 1)
