"""The shortlisting score rules, as pure functions (no database, no Flask).

Scale: 0 no evidence, 1 some evidence, 2 clear evidence, per criterion assessed at
application. Only submitted scores count. For each criterion the mean of the panel's
scores; a disagreement flag where panel members differ by the whole scale (a 0 and a 2);
the candidate's total is the sum of the criterion means (so a candidate scored by two
people compares fairly with one scored by three); "essential criterion not met" when an
essential criterion's mean is below 1; "guaranteed interview" for a Disability Confident
candidate whose scores are all in and who meets every essential criterion.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

SCALE: dict[int, str] = {0: "No evidence", 1: "Some evidence", 2: "Clear evidence"}
SCALE_HINTS: dict[int, str] = {
    0: "The application does not show this.",
    1: "The application shows some of this, or it is not clear.",
    2: "The application shows this clearly, with examples.",
}
MAX_SCORE = max(SCALE)
MIN_SCORE = min(SCALE)
ESSENTIAL_PASS_MEAN = 1.0


@dataclass(frozen=True)
class CriterionInfo:
    id: int
    number: int  # its number in the person specification
    text: str
    essential: bool


@dataclass
class CriterionResult:
    criterion: CriterionInfo
    scores: dict[int, int | None]  # user id -> submitted score (None: no score)
    mean: float | None
    disagreement: bool
    not_met: bool  # essential and mean below 1

    @property
    def mean_text(self) -> str:
        return format_number(self.mean)


@dataclass
class CandidateResult:
    candidate_id: int
    criteria: list[CriterionResult]
    scorer_ids: list[int]  # panel members expected to score (not stepped aside)
    submitted_ids: list[int]
    stepped_aside_ids: list[int]
    total: float | None
    all_in: bool
    essential_not_met: list[CriterionInfo]
    guaranteed_interview: bool
    disagreements: int
    rank: int | None = None
    max_total: float = 0.0
    extra: dict = field(default_factory=dict)

    @property
    def total_text(self) -> str:
        return format_number(self.total)

    @property
    def max_total_text(self) -> str:
        return format_number(self.max_total)


def format_number(value: float | None) -> str:
    """1.5 -> "1.5", 1.0 -> "1", 1.3333 -> "1.33", None -> "–"."""
    if value is None:
        return "–"
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text or "0"


def valid_score(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and MIN_SCORE <= value <= MAX_SCORE


def mean(scores: Iterable[int | None]) -> float | None:
    values = [s for s in scores if s is not None]
    if not values:
        return None
    return sum(values) / len(values)


def disagreement(scores: Iterable[int | None]) -> bool:
    """Panel members differ by the whole scale: someone gave 0 and someone gave 2."""
    values = {s for s in scores if s is not None}
    return MIN_SCORE in values and MAX_SCORE in values


def total(means: Iterable[float | None]) -> float | None:
    values = [m for m in means if m is not None]
    if not values:
        return None
    return round(sum(values), 6)


def criterion_not_met(criterion: CriterionInfo, criterion_mean: float | None) -> bool:
    return criterion.essential and criterion_mean is not None and criterion_mean < ESSENTIAL_PASS_MEAN


def guaranteed_interview(disability_confident: bool, all_in: bool, has_scores: bool,
                         essential_not_met: Sequence) -> bool:
    """Disability Confident: an interview for everyone who meets the essential criteria,
    known only once every score is in."""
    return bool(disability_confident and all_in and has_scores and not essential_not_met)


def is_complete(criteria: Sequence[CriterionInfo], my_scores: Mapping[int, int | None]) -> bool:
    """Every criterion has a score from this person (comments are optional)."""
    return all(valid_score(my_scores.get(c.id)) for c in criteria)


def count_scored(criteria: Sequence[CriterionInfo], my_scores: Mapping[int, int | None]) -> int:
    return sum(1 for c in criteria if valid_score(my_scores.get(c.id)))


def moderate(candidate_id: int, criteria: Sequence[CriterionInfo], panel_ids: Sequence[int],
             stepped_aside_ids: Iterable[int], submitted_ids: Iterable[int],
             scores: Mapping[tuple[int, int], int | None], disability_confident: bool = False) -> CandidateResult:
    """Everything the moderation grid shows for one candidate.

    ``scores`` maps (criterion id, user id) to that user's score; only the scores of
    ``submitted_ids`` are used."""
    aside = [u for u in panel_ids if u in set(stepped_aside_ids)]
    scorers = [u for u in panel_ids if u not in set(aside)]
    submitted_set = set(submitted_ids)
    submitted = [u for u in scorers if u in submitted_set]
    rows: list[CriterionResult] = []
    for c in criteria:
        row_scores = {u: scores.get((c.id, u)) for u in submitted}
        m = mean(row_scores.values())
        rows.append(CriterionResult(criterion=c, scores=row_scores, mean=m,
                                    disagreement=disagreement(row_scores.values()),
                                    not_met=criterion_not_met(c, m)))
    all_in = len(submitted) == len(scorers)
    unmet = [r.criterion for r in rows if r.not_met]
    has_scores = any(r.mean is not None for r in rows)
    return CandidateResult(
        candidate_id=candidate_id,
        criteria=rows,
        scorer_ids=scorers,
        submitted_ids=submitted,
        stepped_aside_ids=aside,
        total=total(r.mean for r in rows),
        all_in=all_in,
        essential_not_met=unmet,
        guaranteed_interview=guaranteed_interview(disability_confident, all_in, has_scores, unmet),
        disagreements=sum(1 for r in rows if r.disagreement),
        max_total=float(MAX_SCORE * len(criteria)),
    )


def rank(results: Sequence[CandidateResult], number_of: Mapping[int, int] | None = None) -> list[CandidateResult]:
    """Results with every score in, highest total first (ties share a rank: 1, 2, 2, 4),
    then the rest in candidate-number order with no rank."""
    number_of = number_of or {}
    ready = [r for r in results if r.all_in and r.total is not None]
    waiting = [r for r in results if not (r.all_in and r.total is not None)]
    ready.sort(key=lambda r: (-r.total, number_of.get(r.candidate_id, r.candidate_id)))
    previous, previous_rank = None, 0
    for i, r in enumerate(ready, start=1):
        if r.total != previous:
            previous, previous_rank = r.total, i
        r.rank = previous_rank
    for r in waiting:
        r.rank = None
    waiting.sort(key=lambda r: number_of.get(r.candidate_id, r.candidate_id))
    return ready + waiting


def order_key(vacancy_id: int, user_id: int, candidate_id: int) -> str:
    return hashlib.sha256(f"shortlisting:{vacancy_id}:{user_id}:{candidate_id}".encode()).hexdigest()


def panelist_order(vacancy_id: int, user_id: int, candidate_ids: Iterable[int]) -> list[int]:
    """The candidates in this panel member's own shuffled order: stable for them (it does
    not change between visits or when candidates are added), different for each person."""
    return sorted(candidate_ids, key=lambda cid: (order_key(vacancy_id, user_id, cid), cid))
