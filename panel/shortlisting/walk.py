"""Two ways to review applications at shortlisting (issue 19), chosen by each panel member and
remembered on their panel membership (PanelMember.review_mode):

- "candidate": one candidate at a time, every criterion (the candidate's page);
- "criterion": one criterion at a time, across every candidate the member reads, in the
  member's own shuffled order (services.my_progress, the one definition of that order), a
  page of PAGE_SIZE candidates at a time: criterion 1's pages, then criterion 2's, and so on.
  Reviewing one answer across all candidates avoids the halo of a strong answer elsewhere.

Both write the same ShortlistScore rows through the same services and the same JSON autosave,
so moderation does not know or care which way a score was given. Pure functions on the
loaded data (no database, no Flask)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the services import this module (the modes)
    from panel.models import Criterion
    from panel.shortlisting.queries import ShortlistingData
    from panel.shortlisting.services import MyCandidate, MyProgress

CANDIDATE, CRITERION = "candidate", "criterion"
MODES = {CANDIDATE: "One candidate at a time", CRITERION: "One criterion at a time"}
#: Candidates on one page of a criterion (a phone screen's worth of reading, a few at a time).
PAGE_SIZE = 10


def mode_of(member) -> str:
    """The member's chosen way of reviewing (candidate by candidate unless they chose otherwise)."""
    mode = getattr(member, "review_mode", None)
    return mode if mode in MODES else CANDIDATE


def page_count(progress: MyProgress) -> int:
    return max(1, math.ceil(len(progress.items) / PAGE_SIZE))


def page_of(index: int) -> int:
    """The page (from 1) holding the candidate at this place (from 0) in the member's list."""
    return index // PAGE_SIZE + 1


def page_items(progress: MyProgress, page: int) -> list[tuple[int, MyCandidate]]:
    """(place in the member's list from 1, item) for one page of a criterion."""
    start = (page - 1) * PAGE_SIZE
    return [(start + n, item) for n, item in enumerate(progress.items[start:start + PAGE_SIZE], start=1)]


def scored_on(data: ShortlistingData, user_id: int, candidate_id: int, criterion_id: int) -> bool:
    row = data.scores_of(candidate_id, user_id).get(criterion_id)
    return row is not None and row.score is not None


@dataclass
class CriterionProgress:
    criterion: "Criterion"
    step: int          # its place in the walk, from 1
    scored: int        # candidates with this member's score on it (submitted ones included)
    to_score: int      # candidates this member scores (not stepped aside, not withdrawn)
    first_todo: int | None  # place (from 0) in the member's list of the first still to score on it

    @property
    def done(self) -> bool:
        return self.first_todo is None


def criteria_progress(data: ShortlistingData, progress: MyProgress, user_id: int) -> list[CriterionProgress]:
    """For each criterion scored at shortlisting, in order: how far this member has got with it.
    One pass over the member's candidates per criterion (lookups, never a scan of every score)."""
    out = []
    live = [(i, item) for i, item in enumerate(progress.items) if item.state.counts]
    for step, criterion in enumerate(data.criteria, start=1):
        scored, first = 0, None
        for i, item in live:
            if item.state.submitted or scored_on(data, user_id, item.candidate.id, criterion.id):
                scored += 1
            elif first is None:
                first = i
        out.append(CriterionProgress(criterion, step, scored, len(live), first))
    return out


def next_page(criteria: list[Criterion], criterion_id: int, page: int, pages: int) -> tuple[int, int] | None:
    """(criterion id, page) after this page in the walk: the criterion's next page, else the
    next criterion's first page; None at the end."""
    if page < pages:
        return criterion_id, page + 1
    ids = [c.id for c in criteria]
    at = ids.index(criterion_id)
    return (ids[at + 1], 1) if at + 1 < len(ids) else None


def previous_page(criteria: list[Criterion], criterion_id: int, page: int, pages: int) -> tuple[int, int] | None:
    if page > 1:
        return criterion_id, page - 1
    ids = [c.id for c in criteria]
    at = ids.index(criterion_id)
    return (ids[at - 1], pages) if at > 0 else None


def where_to_continue(progress_by_criterion: list[CriterionProgress]) -> tuple[int, int, int] | None:
    """(criterion id, page, place from 0 in the member's list) of the first answer still to
    give, criterion by criterion; None when every criterion is scored for every candidate."""
    for cp in progress_by_criterion:
        if cp.first_todo is not None:
            return cp.criterion.id, page_of(cp.first_todo), cp.first_todo
    return None
