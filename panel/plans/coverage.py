"""The interview plan's coverage check, as pure functions.

Does every essential criterion assessed at interview have a question? Do the
questions fit in the interview slot? Has every question someone to ask it?
The callers turn database rows into the small records below.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Hashable, Sequence


@dataclass(frozen=True)
class CriterionInfo:
    id: Hashable
    text: str
    essential: bool
    at_interview: bool
    position: int = 0


@dataclass(frozen=True)
class QuestionInfo:
    id: Hashable
    position: int
    minutes: int
    criterion_ids: frozenset = frozenset()
    has_asker: bool = True


@dataclass
class Coverage:
    covered_by: dict = field(default_factory=dict)  # criterion id -> [question numbers 1..n]
    uncovered_essential: list[CriterionInfo] = field(default_factory=list)
    uncovered_desirable: list[CriterionInfo] = field(default_factory=list)
    total_minutes: int = 0
    slot_minutes: int | None = None
    questions_without_criteria: list[int] = field(default_factory=list)  # question numbers
    questions_without_asker: list[int] = field(default_factory=list)

    @property
    def over_time(self) -> bool:
        return self.slot_minutes is not None and self.total_minutes > self.slot_minutes

    @property
    def minutes_over(self) -> int:
        return max(0, self.total_minutes - (self.slot_minutes or 0)) if self.slot_minutes is not None else 0

    @property
    def warnings(self) -> list[str]:
        """What the chair should fix, in plain English (empty when all is well)."""
        out = []
        for c in self.uncovered_essential:
            out.append(f"No question covers the essential criterion: {c.text}")
        if self.over_time:
            out.append(f"The questions take {self.total_minutes} minutes, but each interview slot is "
                       f"{self.slot_minutes} minutes ({self.minutes_over} minutes too long)")
        if self.questions_without_criteria:
            out.append(f"{_numbers(self.questions_without_criteria)} not linked to any criterion")
        return out

    @property
    def notes(self) -> list[str]:
        """Things worth knowing that are not errors."""
        out = []
        if self.questions_without_asker:
            out.append(f"Nobody has been chosen to ask {_numbers(self.questions_without_asker, verb=False)}")
        for c in self.uncovered_desirable:
            out.append(f"No question covers the desirable criterion: {c.text}")
        return out

    @property
    def ok(self) -> bool:
        return not self.warnings


def _numbers(numbers: list[int], verb: bool = True) -> str:
    if len(numbers) == 1:
        return f"Question {numbers[0]}" + (" is" if verb else "")
    listed = ", ".join(str(n) for n in numbers[:-1]) + f" and {numbers[-1]}"
    return f"Questions {listed}" + (" are" if verb else "")


def check(criteria: Sequence[CriterionInfo], questions: Sequence[QuestionInfo],
          slot_minutes: int | None) -> Coverage:
    """The coverage of a plan. Question numbers are 1.. in the plan's order."""
    ordered = sorted(questions, key=lambda q: q.position)
    numbers = {q.id: n for n, q in enumerate(ordered, start=1)}
    result = Coverage(slot_minutes=slot_minutes, total_minutes=sum(max(q.minutes, 0) for q in ordered))
    for c in sorted(criteria, key=lambda c: c.position):
        result.covered_by[c.id] = [numbers[q.id] for q in ordered if c.id in q.criterion_ids]
        if c.at_interview and not result.covered_by[c.id]:
            (result.uncovered_essential if c.essential else result.uncovered_desirable).append(c)
    known = {c.id for c in criteria}
    for q in ordered:
        if not (q.criterion_ids & known):
            result.questions_without_criteria.append(numbers[q.id])
        if not q.has_asker:
            result.questions_without_asker.append(numbers[q.id])
    return result
