"""The interview results arithmetic, as pure functions on plain data (no database).

Means, spreads and the disagreement flag per question, totals, ranks with ties, and
the comparison of the patient panelists' ranking with the panel's decision. Templates
and views never compute any of this themselves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

#: Scores on one question that differ by this many points or more are flagged.
FLAG_AT = 2

#: How the outcomes order candidates (lower is better) when comparing with a ranking.
OUTCOME_ORDER = {"preferred": 0, "reserve": 1, "not_appointable": 2}


def mean(values: Iterable[int | float | None]) -> float | None:
    """The mean of the scores given (blanks left out); None when there are none."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return round(sum(vals) / len(vals), 2)


def spread(values: Iterable[int | None]) -> int | None:
    """Highest score minus lowest (blanks left out); None when there are none."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return max(vals) - min(vals)


def is_flagged(values: Iterable[int | None], flag_at: int = FLAG_AT) -> bool:
    """True when two panel members' scores on a question differ by ``flag_at`` or more."""
    s = spread(values)
    return s is not None and s >= flag_at


@dataclass(frozen=True)
class QuestionResult:
    question_id: int
    scores: Mapping[int, int | None]  # panel member's user id -> score (None: left blank)
    mean: float | None
    spread: int | None
    flagged: bool
    moderated: int | None = None
    moderation_reason: str = ""

    @property
    def agreed(self) -> float | None:
        """The score that counts: the moderated (agreed) score if there is one, else the mean."""
        return float(self.moderated) if self.moderated is not None else self.mean


def question_result(question_id: int, scores: Mapping[int, int | None], moderated: int | None = None,
                    moderation_reason: str = "", flag_at: int = FLAG_AT) -> QuestionResult:
    vals = list(scores.values())
    return QuestionResult(question_id=question_id, scores=dict(scores), mean=mean(vals), spread=spread(vals),
                          flagged=is_flagged(vals, flag_at), moderated=moderated, moderation_reason=moderation_reason)


def total(values: Iterable[float | int | None]) -> float | None:
    """The sum of the scores given; None when none is given at all."""
    vals = [v for v in values if v is not None]
    if not vals:
        return None
    return round(float(sum(vals)), 2)


@dataclass
class CandidateResult:
    candidate_id: int
    questions: list[QuestionResult]
    scorers: list[int]  # user ids of the panel members whose submitted scores count
    total: float | None = None
    member_totals: dict[int, float | None] = field(default_factory=dict)
    patient_total: float | None = None
    rank: int | None = None
    patient_rank: int | None = None

    @property
    def flagged_count(self) -> int:
        return sum(1 for q in self.questions if q.flagged)

    @property
    def moderated_count(self) -> int:
        return sum(1 for q in self.questions if q.moderated is not None)


def candidate_result(candidate_id: int, question_ids: Sequence[int], scores: Mapping[tuple[int, int], int | None],
                     scorers: Sequence[int], patient_ids: Iterable[int] = (),
                     moderated: Mapping[int, tuple[int, str]] | None = None) -> CandidateResult:
    """One candidate's results.

    ``scores`` maps (question id, user id) to a submitted score; ``scorers`` are the
    panel members who submitted for this candidate; ``moderated`` maps a question id
    to its (agreed score, reason).
    """
    moderated = moderated or {}
    patients = [u for u in scorers if u in set(patient_ids)]
    questions = []
    for qid in question_ids:
        per_member = {u: scores.get((qid, u)) for u in scorers}
        mod = moderated.get(qid)
        questions.append(question_result(qid, per_member, mod[0] if mod else None, mod[1] if mod else ""))
    result = CandidateResult(candidate_id=candidate_id, questions=questions, scorers=list(scorers))
    result.total = total(q.agreed for q in questions)
    result.member_totals = {u: total(scores.get((qid, u)) for qid in question_ids) for u in scorers}
    result.patient_total = total(mean(scores.get((qid, u)) for u in patients) for qid in question_ids) if patients else None
    return result


def rank(totals: Mapping[Hashable, float | None]) -> dict[Hashable, int | None]:
    """Standard competition ranks, highest total first: 10, 8, 8, 5 rank 1, 2, 2, 4.

    Keys without a total are not ranked (None)."""
    scored = {k: round(v, 6) for k, v in totals.items() if v is not None}
    ordered = sorted(scored.values(), reverse=True)
    ranks: dict[Hashable, int | None] = {k: None for k in totals}
    for k, v in scored.items():
        ranks[k] = ordered.index(v) + 1
    return ranks


def rank_results(results: Sequence[CandidateResult]) -> list[CandidateResult]:
    """Fill in ``rank`` and ``patient_rank`` and return the results best first (unranked last)."""
    ranks = rank({r.candidate_id: r.total for r in results})
    patient_ranks = rank({r.candidate_id: r.patient_total for r in results})
    for r in results:
        r.rank = ranks[r.candidate_id]
        r.patient_rank = patient_ranks[r.candidate_id]
    return sorted(results, key=lambda r: (r.rank is None, r.rank or 0, r.candidate_id))


@dataclass(frozen=True)
class Disagreement:
    """The patient panelists ranked ``patients_prefer`` above ``decision_prefers``, but the
    decision puts ``decision_prefers`` higher."""

    patients_prefer: Hashable
    decision_prefers: Hashable


def ranking_disagreements(patient_ranks: Mapping[Hashable, int | None],
                          outcomes: Mapping[Hashable, str | None]) -> list[Disagreement]:
    """Every pair of candidates the patient panelists ordered one way and the outcomes the other.

    Candidates without a patient rank or without an outcome are left out; ties on
    either side are not disagreements."""
    keys = [k for k in patient_ranks
            if patient_ranks.get(k) is not None and outcomes.get(k) in OUTCOME_ORDER]
    found = []
    for a in keys:
        for b in keys:
            if patient_ranks[a] < patient_ranks[b] and OUTCOME_ORDER[outcomes[a]] > OUTCOME_ORDER[outcomes[b]]:
                found.append(Disagreement(patients_prefer=a, decision_prefers=b))
    return sorted(found, key=lambda d: (patient_ranks[d.patients_prefer], patient_ranks[d.decision_prefers]))


def format_score(value: float | int | None) -> str:
    """A score as people write it: 3, 2.5, 2.67; a dash when there is none."""
    if value is None:
        return "–"
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")


def rank_label(rank_value: int | None, tied: bool = False) -> str:
    """1 -> "1st", 2 tied -> "Joint 2nd"; "Not ranked" when there is no rank."""
    if rank_value is None:
        return "Not ranked"
    n = rank_value
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{'Joint ' if tied else ''}{n}{suffix}"
