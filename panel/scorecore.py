"""The one arithmetic of independent scoring, shared by shortlisting and interviews.

Pure functions on plain data (no database, no Flask). Shortlisting and interview scoring
are two configurations of the same thing: panel members score items (criteria or
questions) on a scale (0-2 or the interview plan's scale, 0-4 by default), only
submitted scores count, and the panel sees per item the mean of the scores given, the
spread and a flag where panel members differ by ``flag_at`` points or more; a
candidate's total is the sum of the item means; ranks are competition ranks (1, 2, 2, 4).

**One rounding rule.** Means and totals are never rounded while they are computed; a
number is rounded once, when it is shown: half up to ``PLACES`` decimal places, with
trailing zeros dropped (``display``/``format_score``). Ranks compare the totals as they
are shown, so two candidates whose totals read the same share a rank.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Hashable, Iterable, Mapping

#: Decimal places a mean or total is shown with (and compared at, for ranks).
PLACES = 2
_QUANTUM = Decimal(1).scaleb(-PLACES)


def _given(values: Iterable[int | float | None]) -> list:
    return [v for v in values if v is not None]


def valid_score(value, scores: Iterable[int]) -> bool:
    """A whole number that is a point of the scale (``scores``); never a bool or a float."""
    return isinstance(value, int) and not isinstance(value, bool) and value in set(scores)


def mean(values: Iterable[int | float | None]) -> float | None:
    """The mean of the scores given (blanks left out), not rounded; None when there are none."""
    vals = _given(values)
    if not vals:
        return None
    return sum(vals) / len(vals)


def total(values: Iterable[int | float | None]) -> float | None:
    """The sum of the values given (blanks left out), not rounded; None when none is given."""
    vals = _given(values)
    if not vals:
        return None
    return float(sum(vals))


def spread(values: Iterable[int | None]) -> int | None:
    """Highest score minus lowest (blanks left out); None when there are none."""
    vals = _given(values)
    if not vals:
        return None
    return max(vals) - min(vals)


def flagged(values: Iterable[int | None], flag_at: int) -> bool:
    """True when two panel members' scores on one item differ by ``flag_at`` points or more."""
    s = spread(values)
    return s is not None and s >= flag_at


def rounded(value: float | int) -> Decimal:
    """The one rounding rule: half up to PLACES decimal places."""
    return Decimal(repr(float(value))).quantize(_QUANTUM, rounding=ROUND_HALF_UP)


def format_score(value: float | int | None) -> str:
    """A score, mean or total as people write it: 3, 2.5, 1.33, 4; a dash when there is none."""
    if value is None:
        return "–"
    text = format(rounded(value), "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def rank(totals: Mapping[Hashable, float | None]) -> dict[Hashable, int | None]:
    """Standard competition ranks, highest total first: 10, 8, 8, 5 rank 1, 2, 2, 4.

    Totals are compared as they are shown (``rounded``). Keys without a total are not ranked."""
    shown = {k: rounded(v) for k, v in totals.items() if v is not None}
    first: dict[Decimal, int] = {}  # each total shown -> the rank of the first to have it (O(N log N))
    for position, v in enumerate(sorted(shown.values(), reverse=True), start=1):
        first.setdefault(v, position)
    ranks: dict[Hashable, int | None] = {k: None for k in totals}
    for k, v in shown.items():
        ranks[k] = first[v]
    return ranks


def total_of_means(scores: Mapping[tuple[Hashable, Hashable], int | None]) -> float | None:
    """``scores`` maps (item, panel member) to a submitted score: the sum over items of the
    mean of the scores given on that item. A candidate scored by two people compares fairly
    with one scored by three."""
    by_item: dict[Hashable, list[int | None]] = {}
    for (item, _member), score in scores.items():
        by_item.setdefault(item, []).append(score)
    return total(mean(values) for values in by_item.values())


def rank_label(rank_value: int | None, tied: bool = False) -> str:
    """1 -> "1st", 2 tied -> "Joint 2nd"; "Not ranked" when there is no rank."""
    if rank_value is None:
        return "Not ranked"
    n = rank_value
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{'Joint ' if tied else ''}{n}{suffix}"


# --- where one panel member is with one candidate ------------------------------------

NOT_STARTED, STARTED, SUBMITTED, STEPPED_ASIDE, WITHDRAWN, HELD = (
    "not-started", "in-progress", "submitted", "stepped-aside", "withdrawn", "held")
_STATE_LABELS = {NOT_STARTED: "Not started", STARTED: "In progress", SUBMITTED: "Submitted",
                 STEPPED_ASIDE: "Stepped aside", WITHDRAWN: "Withdrawn", HELD: "Being checked by HR"}


@dataclass(frozen=True)
class MyState:
    """Where one panel member is with one candidate's scores, the same at shortlisting and at
    interview. Pages and views ask it by meaning (``state.submitted``), never by its name."""
    name: str

    @classmethod
    def of(cls, *, stepped_aside: bool, submitted: bool, started: bool, withdrawn: bool = False,
           held: bool = False) -> MyState:
        """The one order: stepped aside, then submitted, then withdrawn, then held back for HR's
        identity check (permissions.held_for_identity_check), then started or not."""
        if stepped_aside:
            return cls(STEPPED_ASIDE)
        if submitted:
            return cls(SUBMITTED)
        if withdrawn:
            return cls(WITHDRAWN)
        if held:
            return cls(HELD)
        return cls(STARTED if started else NOT_STARTED)

    @property
    def stepped_aside(self) -> bool:
        return self.name == STEPPED_ASIDE

    @property
    def submitted(self) -> bool:
        return self.name == SUBMITTED

    @property
    def withdrawn(self) -> bool:
        return self.name == WITHDRAWN

    @property
    def held(self) -> bool:
        """Not readable yet: HR is checking the application for details that say who it is."""
        return self.name == HELD

    @property
    def started(self) -> bool:
        """Begun (a score, a comment or an answer given) and not yet submitted."""
        return self.name == STARTED

    @property
    def not_started(self) -> bool:
        return self.name == NOT_STARTED

    @property
    def needs_work(self) -> bool:
        """Still theirs to score and submit."""
        return self.name in (NOT_STARTED, STARTED)

    @property
    def counts(self) -> bool:
        """This member scores this candidate (neither stepped aside nor withdrawn)."""
        return self.name not in (STEPPED_ASIDE, WITHDRAWN)

    @property
    def label(self) -> str:
        return _STATE_LABELS[self.name]
