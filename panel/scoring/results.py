"""The interview results, as pure functions on plain data (no database).

Per question the mean, spread and disagreement flag, the agreed (moderated) score,
totals, ranks with ties, and the comparison of the patient panelists' ranking with the
panel's decision. The arithmetic itself (mean, total, rank, the one rounding rule) is
panel.scorecore's, shared with shortlisting. Templates and views never compute any of this.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Hashable, Iterable, Mapping, Sequence

from panel.scorecore import flagged, mean, rank, spread, total

#: Scores on one question that differ by this many points or more are flagged.
FLAG_AT = 2

#: How the outcomes order candidates (lower is better) when comparing with a ranking.
OUTCOME_ORDER = {"preferred": 0, "reserve": 1, "not_appointable": 2}


def is_flagged(values: Iterable[int | None], flag_at: int = FLAG_AT) -> bool:
    """True when two panel members' scores on a question differ by ``flag_at`` or more."""
    return flagged(values, flag_at)


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
    # grouped by outcome, each group sorted by patient rank: for each candidate, the candidates
    # with a better outcome that the patients ranked lower are a tail of a group (found by
    # bisection), so the work grows with the candidates and the pairs found, never as their square
    position = {k: i for i, k in enumerate(keys)}
    groups: dict[int, list] = {}
    for k in keys:
        groups.setdefault(OUTCOME_ORDER[outcomes[k]], []).append(k)
    ranks_of: dict[int, list] = {}
    for order, group in groups.items():
        group.sort(key=lambda k: (patient_ranks[k], position[k]))
        ranks_of[order] = [patient_ranks[k] for k in group]
    found = []
    for a in keys:
        worse = OUTCOME_ORDER[outcomes[a]]
        for order, group in groups.items():
            if order < worse:
                start = bisect.bisect_right(ranks_of[order], patient_ranks[a])
                found.extend(Disagreement(patients_prefer=a, decision_prefers=b) for b in group[start:])
    return sorted(found, key=lambda d: (patient_ranks[d.patients_prefer], patient_ranks[d.decision_prefers],
                                        position[d.patients_prefer], position[d.decision_prefers]))
