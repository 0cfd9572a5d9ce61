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
from dataclasses import dataclass
from typing import Iterable, Mapping, Sequence

from panel import scorecore
from panel.scorecore import format_score, mean, total

#: The shortlisting scale: (score, label, what it means), lowest first.
SCALE_POINTS: list[tuple[int, str, str]] = [
    (0, "No evidence", "The application does not show this."),
    (1, "Some evidence", "The application shows some of this, or it is not clear."),
    (2, "Clear evidence", "The application shows this clearly, with examples."),
]
SCALE: dict[int, str] = {score: label for score, label, _hint in SCALE_POINTS}
SCALE_HINTS: dict[int, str] = {score: hint for score, _label, hint in SCALE_POINTS}
MAX_SCORE = max(SCALE)
MIN_SCORE = min(SCALE)
#: Panel members who differ by the whole scale (a 0 and a 2) are flagged.
FLAG_AT = MAX_SCORE - MIN_SCORE
ESSENTIAL_PASS_MEAN = 1.0


@dataclass(frozen=True)
class GuidePoint:
    """One line of a criterion's marking guide: what a score looks like for this criterion."""

    score: int
    label: str  # the scale's label ("Some evidence")
    text: str   # what it looks like for this criterion
    own: bool   # HR wrote it for this criterion (False: the scale's own words, the default)


#: The most a line of a marking guide may hold.
GUIDE_LIMIT = 1000


def marking_guide(texts: Sequence[str]) -> list[GuidePoint]:
    """What 0, 1 and 2 look like for a criterion (``texts``: HR's words for each score, in
    order, "" where left blank). A blank line reads as the scale's plain-English default, so
    every criterion has a whole guide."""
    texts = list(texts) + [""] * (len(SCALE_POINTS) - len(texts))
    return [GuidePoint(score, label, (own or "").strip() or hint, bool((own or "").strip()))
            for (score, label, hint), own in zip(SCALE_POINTS, texts)]


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
        return format_score(self.mean)


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
    readers_short: bool = False  # the reading is shared out and fewer than k read this candidate

    @property
    def total_text(self) -> str:
        return format_score(self.total)

    @property
    def max_total_text(self) -> str:
        return format_score(self.max_total)


def score_text(score: int | None) -> str:
    """"1 – Some evidence"; "Not scored" for a blank."""
    return "Not scored" if score is None else f"{score} – {SCALE[score]}"


def valid_score(value) -> bool:
    return scorecore.valid_score(value, SCALE)


def disagreement(scores: Iterable[int | None]) -> bool:
    """Panel members differ by the whole scale: someone gave 0 and someone gave 2."""
    return scorecore.flagged(scores, FLAG_AT)


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


def counted_ids(panel_ids: Sequence[int], stepped_aside_ids: Iterable[int], submitted_ids: Iterable[int]) -> list[int]:
    """Whose shortlisting scores count: panel members (in panel order) who did not step
    aside and have submitted."""
    aside, submitted = set(stepped_aside_ids), set(submitted_ids)
    return [u for u in panel_ids if u not in aside and u in submitted]


def candidate_total(scores: Mapping[tuple[int, int], int | None], panel_ids: Sequence[int],
                    stepped_aside_ids: Iterable[int]) -> float | None:
    """The shortlisting total shown beside the interview results: ``scores`` maps
    (criterion id, user id) to a submitted score; the same sum of criterion means as
    ``moderate``, over the same panel members."""
    counted = set(counted_ids(panel_ids, stepped_aside_ids, {u for _c, u in scores}))
    return scorecore.total_of_means({k: v for k, v in scores.items() if k[1] in counted})


def moderate(candidate_id: int, criteria: Sequence[CriterionInfo], panel_ids: Sequence[int],
             stepped_aside_ids: Iterable[int], submitted_ids: Iterable[int],
             scores: Mapping[tuple[int, int], int | None], disability_confident: bool = False,
             readers_wanted: int | None = None) -> CandidateResult:
    """Everything the moderation grid shows for one candidate.

    ``panel_ids``: the panel members expected to read the candidate (everyone, or those it is
    allocated to); ``scores`` maps (criterion id, user id) to that user's score; only the
    scores of ``submitted_ids`` are used; ``readers_wanted``: k when the reading is shared
    out (the candidate is flagged when fewer than k read it)."""
    aside_set = set(stepped_aside_ids)
    aside = [u for u in panel_ids if u in aside_set]
    scorers = [u for u in panel_ids if u not in aside_set]
    submitted = counted_ids(panel_ids, aside, submitted_ids)
    rows: list[CriterionResult] = []
    for c in criteria:
        row_scores = {u: scores.get((c.id, u)) for u in submitted}
        m = mean(row_scores.values())
        rows.append(CriterionResult(criterion=c, scores=row_scores, mean=m,
                                    disagreement=disagreement(row_scores.values()),
                                    not_met=criterion_not_met(c, m)))
    # when the reading is shared out, a candidate nobody has been given to read is not "all in"
    # (share the applications out again to give them readers)
    all_in = len(submitted) == len(scorers) and not (readers_wanted is not None and not scorers)
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
        readers_short=readers_wanted is not None and len(scorers) < readers_wanted,
    )


def rank(results: Sequence[CandidateResult], number_of: Mapping[int, int] | None = None) -> list[CandidateResult]:
    """Results with every score in, highest total first (ties share a rank: 1, 2, 2, 4),
    then the rest in candidate-number order with no rank."""
    number_of = number_of or {}
    ranks = scorecore.rank({r.candidate_id: r.total if r.all_in else None for r in results})
    for r in results:
        r.rank = ranks[r.candidate_id]
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, number_of.get(r.candidate_id, r.candidate_id)))


def order_key(vacancy_id: int, user_id: int, candidate_id: int) -> str:
    return hashlib.sha256(f"shortlisting:{vacancy_id}:{user_id}:{candidate_id}".encode()).hexdigest()


def panelist_order(vacancy_id: int, user_id: int, candidate_ids: Iterable[int]) -> list[int]:
    """The candidates in this panel member's own shuffled order: stable for them (it does
    not change between visits or when candidates are added), different for each person."""
    return sorted(candidate_ids, key=lambda cid: (order_key(vacancy_id, user_id, cid), cid))
