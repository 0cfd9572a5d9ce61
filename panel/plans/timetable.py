"""The interview timetable, as pure functions: slot generation and the clash check.

Nothing here touches the database or Flask. Times people type are London wall-clock
times; everything returned is an aware UTC datetime (what the database stores).
Slot arithmetic is done in real (UTC) minutes, so a day that spans a clock change
still gives interviews of the right length.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Hashable, Iterable, Sequence
from zoneinfo import ZoneInfo

from panel.errors import ServiceError

LONDON = ZoneInfo("Europe/London")
UTC = dt.timezone.utc

TIME_RE = re.compile(r"^\s*(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?\s*$", re.IGNORECASE)
BREAK_SPLIT_RE = re.compile(r"\s*(?:-|–|to)\s*", re.IGNORECASE)


class TimetableError(ServiceError):
    """Input that cannot make a timetable."""


# --- reading what people type ----------------------------------------------------

def parse_time(text: str) -> dt.time:
    """'9:30', '09:30', '14.15', '2pm', '2:30pm', '12:00' -> a time. Raises TimetableError."""
    match = TIME_RE.match(text or "")
    if not match:
        raise TimetableError(f"“{(text or '').strip()}” is not a time. Write it like 9:30 or 14:15")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    suffix = (match.group(3) or "").lower()
    if suffix:
        if not 1 <= hour <= 12:
            raise TimetableError(f"“{text.strip()}” is not a time. Write it like 9:30am or 2:15pm")
        hour = hour % 12 + (12 if suffix == "pm" else 0)
    if hour > 23 or minute > 59:
        raise TimetableError(f"“{text.strip()}” is not a time. Write it like 9:30 or 14:15")
    return dt.time(hour, minute)


@dataclass(frozen=True)
class Break:
    starts: dt.time
    ends: dt.time

    def __str__(self) -> str:
        return f"{self.starts:%H:%M}-{self.ends:%H:%M}"


def parse_breaks(text: str) -> list[Break]:
    """'12:30-13:15, 15:00-15:15' (commas, semicolons or new lines between breaks)."""
    breaks: list[Break] = []
    for part in re.split(r"[,;\n]+", text or ""):
        part = part.strip()
        if not part:
            continue
        pieces = BREAK_SPLIT_RE.split(part)
        if len(pieces) != 2:
            raise TimetableError(f"“{part}” is not a break. Write each break as a start and end time, like 12:30-13:15")
        starts, ends = parse_time(pieces[0]), parse_time(pieces[1])
        if ends <= starts:
            raise TimetableError(f"The break “{part}” ends before it starts")
        breaks.append(Break(starts, ends))
    breaks.sort(key=lambda b: b.starts)
    for first, second in zip(breaks, breaks[1:]):
        if second.starts < first.ends:
            raise TimetableError(f"The breaks {first} and {second} overlap")
    return breaks


def format_breaks(breaks: Iterable[Break]) -> str:
    return ", ".join(str(b) for b in breaks)


def describe_breaks(breaks: Iterable[Break]) -> str:
    """Breaks the way people say them: 12:30pm to 1:15pm, 3:00pm to 3:15pm."""
    return ", ".join(f"{_clock(b.starts)} to {_clock(b.ends)}" for b in breaks)


def london_to_utc(day: dt.date, time: dt.time) -> dt.datetime:
    """A London wall-clock time on a day, as aware UTC. Refuses a time the clocks skip."""
    local = dt.datetime.combine(day, time, tzinfo=LONDON)
    utc = local.astimezone(UTC)
    if utc.astimezone(LONDON).replace(tzinfo=None) != local.replace(tzinfo=None):
        raise TimetableError(f"{_clock(time)} does not exist on {day.day} {day:%B %Y} because the clocks go forward")
    return utc


def to_london(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(LONDON)


def _clock(t: dt.time) -> str:
    return f"{t.hour % 12 or 12}:{t:%M}{'am' if t.hour < 12 else 'pm'}"


def clock(value: dt.datetime) -> str:
    """An aware datetime as a London clock time, 9:30am."""
    return _clock(to_london(value).time())


# --- the day and slot generation ---------------------------------------------------

@dataclass(frozen=True)
class DaySettings:
    """What a timetable is generated from (London date and times)."""

    date: dt.date
    starts: dt.time
    ends: dt.time
    slot_minutes: int
    gap_minutes: int = 0
    breaks: tuple[Break, ...] = ()

    def validate(self) -> None:
        if self.slot_minutes <= 0:
            raise TimetableError("Each interview must last at least 1 minute", "slot_minutes")
        if self.gap_minutes < 0:
            raise TimetableError("The gap between interviews cannot be negative", "gap_minutes")
        start = _with_field(lambda: self.start_utc, "starts")
        end = _with_field(lambda: self.end_utc, "ends")
        if end <= start:
            raise TimetableError("The day must end after it starts", "ends")
        for b in self.breaks:
            bs, be = _with_field(lambda: london_to_utc(self.date, b.starts), "breaks"), \
                _with_field(lambda: london_to_utc(self.date, b.ends), "breaks")
            if bs < start or be > end:
                raise TimetableError(f"The break {b} is outside the day ({_clock(self.starts)} to {_clock(self.ends)})",
                                     "breaks")

    @property
    def start_utc(self) -> dt.datetime:
        return london_to_utc(self.date, self.starts)

    @property
    def end_utc(self) -> dt.datetime:
        return london_to_utc(self.date, self.ends)

    def breaks_utc(self) -> list[tuple[dt.datetime, dt.datetime]]:
        return [(london_to_utc(self.date, b.starts), london_to_utc(self.date, b.ends)) for b in self.breaks]


def _with_field(compute, field_name: str):
    try:
        return compute()
    except TimetableError as exc:
        raise TimetableError(str(exc), exc.field or field_name) from None


@dataclass(frozen=True)
class PlannedSlot:
    candidate: Hashable | None
    starts_at: dt.datetime  # aware UTC
    ends_at: dt.datetime


@dataclass
class Generated:
    slots: list[PlannedSlot] = field(default_factory=list)
    unplaced: list[Hashable] = field(default_factory=list)  # candidates who do not fit in the day

    @property
    def fits(self) -> bool:
        return not self.unplaced


def generate(settings: DaySettings, candidates: Sequence[Hashable]) -> Generated:
    """One slot per candidate, in order: from the start of the day, each slot_minutes long,
    gap_minutes apart, skipping the breaks. Candidates who do not fit are listed in
    ``unplaced``. A break replaces the gap (nobody waits a gap after lunch)."""
    settings.validate()
    slot = dt.timedelta(minutes=settings.slot_minutes)
    gap = dt.timedelta(minutes=settings.gap_minutes)
    end_of_day = settings.end_utc
    breaks = settings.breaks_utc()
    result = Generated()
    cursor = settings.start_utc
    for candidate in candidates:
        cursor = _skip_breaks(cursor, slot, breaks)
        if cursor + slot > end_of_day:
            result.unplaced.append(candidate)
            continue
        result.slots.append(PlannedSlot(candidate, cursor, cursor + slot))
        cursor = cursor + slot + gap
    return result


def _skip_breaks(cursor: dt.datetime, slot: dt.timedelta, breaks: list[tuple[dt.datetime, dt.datetime]]) -> dt.datetime:
    moved = True
    while moved:
        moved = False
        for b_start, b_end in breaks:
            if cursor < b_end and cursor + slot > b_start:
                cursor = b_end
                moved = True
    return cursor


def capacity(settings: DaySettings) -> int:
    """How many interviews fit in the day (at most 500)."""
    return len(generate(settings, range(500)).slots)


# --- what would make everyone fit ------------------------------------------------------

EARLIEST_START = dt.time(8, 0)  # suggestions keep the day within office hours
LATEST_END = dt.time(18, 0)
STEP_MINUTES = 15  # suggested start and end times are on the quarter hour


@dataclass(frozen=True)
class Suggestion:
    """One change to the day that would give every candidate a slot, said plainly."""

    kind: str  # "gap", "slot", "gap_and_slot", "start", "end", "second_day"
    message: str
    settings: DaySettings | None = None  # the day with the change (None: a second day)


def fits(settings: DaySettings, candidates: int) -> bool:
    """Whether that many interviews fit in the day (False for a day that is not valid)."""
    try:
        return not generate(settings, range(candidates)).unplaced
    except TimetableError:
        return False


def _minutes(n: int) -> str:
    return f"{n} minute{'s' if n != 1 else ''}"


def _everyone(n: int) -> str:
    return "both" if n == 2 else f"all {n}"


def _shift(t: dt.time, minutes: int) -> dt.time | None:
    total = t.hour * 60 + t.minute + minutes
    return dt.time(total // 60, total % 60) if 0 <= total < 24 * 60 else None


def _slot_lengths(slot: int) -> list[int]:
    """Shorter interview lengths worth suggesting, longest first: whole 5 minutes (for slots
    of 10 minutes or more), never below half the length the chair chose."""
    floor = max(1, -(-slot // 2))
    lengths = range(slot - 1, floor - 1, -1)
    return [m for m in lengths if m % 5 == 0] if slot >= 10 else list(lengths)


def suggest(settings: DaySettings, candidates: int) -> list[Suggestion]:
    """Single changes to the day, each enough on its own to fit ``candidates`` interviews, the
    smallest change of each kind: a shorter gap, shorter interviews (both, when neither is
    enough alone), an earlier start, a later finish; and always, when the day holds anyone,
    a second day with the same times. Empty when everyone fits already."""

    settings.validate()
    if candidates <= 0 or fits(settings, candidates):
        return []
    everyone = _everyone(candidates)
    out: list[Suggestion] = []
    gap, slot = settings.gap_minutes, settings.slot_minutes
    shorter_gap = next((g for g in range(gap - 1, -1, -1) if fits(replace(settings, gap_minutes=g), candidates)), None)
    if shorter_gap is not None:
        change = (f"Remove the {gap}-minute gap between interviews" if shorter_gap == 0 else
                  f"Shorten the gap between interviews from {gap} to {_minutes(shorter_gap)}")
        out.append(Suggestion("gap", f"{change} to fit {everyone}", replace(settings, gap_minutes=shorter_gap)))
    shorter_slot = next((m for m in _slot_lengths(slot) if fits(replace(settings, slot_minutes=m), candidates)), None)
    if shorter_slot is not None:
        out.append(Suggestion("slot", f"Shorten each interview from {slot} to {_minutes(shorter_slot)} to fit {everyone}",
                              replace(settings, slot_minutes=shorter_slot)))
    if shorter_gap is None and shorter_slot is None and gap > 0:
        both = next((m for m in _slot_lengths(slot) if fits(replace(settings, gap_minutes=0, slot_minutes=m), candidates)),
                    None)
        if both is not None:
            out.append(Suggestion(
                "gap_and_slot", f"Remove the {gap}-minute gap between interviews and shorten each interview "
                                f"from {slot} to {_minutes(both)} to fit {everyone}",
                replace(settings, gap_minutes=0, slot_minutes=both)))
    earliest = _minutes_of(EARLIEST_START)
    start = _minutes_of(settings.starts)
    for begin in range((start - 1) // STEP_MINUTES * STEP_MINUTES, earliest - 1, -STEP_MINUTES):
        earlier = replace(settings, starts=_shift(dt.time(0, 0), begin))
        if fits(earlier, candidates):
            out.append(Suggestion("start", f"Start at {_clock(earlier.starts)} instead of {_clock(settings.starts)} "
                                           f"to fit {everyone}", earlier))
            break
    latest = _minutes_of(LATEST_END)
    end = _minutes_of(settings.ends)
    for finish in range((end // STEP_MINUTES + 1) * STEP_MINUTES, latest + 1, STEP_MINUTES):
        later = replace(settings, ends=_shift(dt.time(0, 0), finish))
        if fits(later, candidates):
            out.append(Suggestion("end", f"Finish at {_clock(later.ends)} instead of {_clock(settings.ends)} "
                                         f"to fit {everyone}", later))
            break
    per_day = len(generate(settings, range(candidates)).slots)
    if per_day:
        rest = candidates - per_day
        days = -(-rest // per_day)
        who = f"{rest} candidate{'s' if rest != 1 else ''}"
        if days == 1:
            message = f"Add a second day with the same times: {who} would be interviewed on it"
        else:
            message = f"Add {days} more days with the same times: {who} would be interviewed on them"
        out.append(Suggestion("second_day", message))
    return out


def _minutes_of(t: dt.time) -> int:
    return t.hour * 60 + t.minute


# --- the clash check ------------------------------------------------------------------

@dataclass(frozen=True)
class SlotView:
    """A slot as the clash check sees it (built from the database rows by the caller)."""

    id: Hashable
    starts_at: dt.datetime
    ends_at: dt.datetime
    candidate: Hashable | None = None
    label: str = ""  # how the candidate is shown, e.g. "Candidate 03"


@dataclass(frozen=True)
class Problem:
    kind: str  # "overlap", "twice", "outside", "break", "length", "no_slot", "not_shortlisted"
    message: str
    slot_ids: tuple = ()


def slot_time(slot: SlotView) -> str:
    return f"{clock(slot.starts_at)} to {clock(slot.ends_at)}"


def _who(slot: SlotView) -> str:
    return slot.label or "an empty slot"


def check(slots: Sequence[SlotView], day: DaySettings | None = None,
          shortlisted: Sequence[tuple[Hashable, str]] = ()) -> list[Problem]:
    """Everything wrong with a timetable, in plain English:
    slots of no length, two candidates at once, a candidate twice, a slot outside the
    day or in a break, shortlisted candidates with no slot, and slots for people who
    are not (or no longer) shortlisted. ``shortlisted`` is [(candidate, label)]."""
    problems: list[Problem] = []
    ordered = sorted(slots, key=lambda s: (s.starts_at, s.ends_at))
    for s in ordered:
        if s.ends_at <= s.starts_at:
            problems.append(Problem("length", f"The slot for {_who(s)} at {clock(s.starts_at)} ends before it starts", (s.id,)))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1:]:
            if b.starts_at >= a.ends_at:
                break
            problems.append(Problem(
                "overlap",
                f"{_who(a)} ({slot_time(a)}) and {_who(b)} ({slot_time(b)}) are at the same time",
                (a.id, b.id)))
    by_candidate: dict[Hashable, list[SlotView]] = {}
    for s in ordered:
        if s.candidate is not None:
            by_candidate.setdefault(s.candidate, []).append(s)
    for group in by_candidate.values():
        if len(group) > 1:
            times = " and ".join(slot_time(s) for s in group)
            problems.append(Problem("twice", f"{group[0].label or 'A candidate'} has {len(group)} slots: {times}",
                                    tuple(s.id for s in group)))
    if day is not None:
        start, end = day.start_utc, day.end_utc
        for s in ordered:
            if s.starts_at < start or s.ends_at > end:
                problems.append(Problem(
                    "outside",
                    f"The slot for {_who(s)} ({_on_day(s)}) is outside the interview day "
                    f"({day.date.day} {day.date:%B %Y}, {_clock(day.starts)} to {_clock(day.ends)})",
                    (s.id,)))
                continue
            for b_start, b_end in day.breaks_utc():
                if s.starts_at < b_end and s.ends_at > b_start:
                    problems.append(Problem(
                        "break", f"The slot for {_who(s)} ({slot_time(s)}) runs into the break "
                                 f"{clock(b_start)} to {clock(b_end)}", (s.id,)))
    if shortlisted:
        wanted = {c for c, _ in shortlisted}
        for candidate, label in shortlisted:
            if candidate not in by_candidate:
                problems.append(Problem("no_slot", f"{label} has no interview slot yet"))
        for candidate, group in by_candidate.items():
            if candidate not in wanted:
                problems.append(Problem("not_shortlisted",
                                        f"{group[0].label or 'A candidate'} has a slot but is not shortlisted "
                                        "(or has withdrawn)", tuple(s.id for s in group)))
    return problems


def _on_day(s: SlotView) -> str:
    local = to_london(s.starts_at)
    return f"{local.day} {local:%B %Y}, {slot_time(s)}"


def clashes_with(new: SlotView, others: Iterable[SlotView]) -> list[Problem]:
    """The problems a new or changed slot would cause with the other slots: used to refuse
    an edit (nothing saved) rather than warn afterwards."""
    problems: list[Problem] = []
    if new.ends_at <= new.starts_at:
        return [Problem("length", "The slot must end after it starts", (new.id,))]
    for other in others:
        if other.id == new.id:
            continue
        if new.starts_at < other.ends_at and other.starts_at < new.ends_at:
            problems.append(Problem("overlap", f"This slot overlaps {_who(other)} ({slot_time(other)})",
                                    (new.id, other.id)))
        if new.candidate is not None and other.candidate == new.candidate:
            problems.append(Problem("twice", f"{new.label or 'This candidate'} already has a slot ({slot_time(other)})",
                                    (new.id, other.id)))
    return problems
