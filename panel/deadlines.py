"""A vacancy's deadlines: the last day for the panel's shortlisting scores and for its interview
scores (dates, Europe/London), in plain English, and the moments reminders are due.

Which deadline the panel is working to at a stage is the stage's ``deadline`` (panel/stages.py).
HR sets deadlines, the chair can extend them (panel/permissions.py ``may_move_deadline``);
setting one re-plans its reminders (panel/notifications/services.py).
"""
from __future__ import annotations

import datetime as dt
from typing import NamedTuple
from zoneinfo import ZoneInfo

from panel.db import utcnow

LONDON = ZoneInfo("Europe/London")
REMINDER_TIME = dt.time(9, 0)  # reminders go out at 9am London time


class Deadline(NamedTuple):
    field: str   # the Vacancy column
    name: str    # "Shortlisting"
    work: str    # what must be finished: "your shortlisting scores"


DEADLINES = {d.field: d for d in (
    Deadline("shortlisting_deadline", "Shortlisting", "your shortlisting scores"),
    Deadline("scoring_deadline", "Interview scoring", "your interview scores"),
)}


def london_today(now: dt.datetime | None = None) -> dt.date:
    return (now or utcnow()).astimezone(LONDON).date()


def at_london(day: dt.date, time: dt.time = REMINDER_TIME) -> dt.datetime:
    """That day at that time in London, as a UTC datetime (right on either side of a clock change)."""
    return dt.datetime.combine(day, time, tzinfo=LONDON).astimezone(dt.timezone.utc)


def day_name(day: dt.date, today: dt.date | None = None) -> str:
    """Friday 12 March (with the year when it is not this year)."""
    today = today or london_today()
    text = f"{day:%A} {day.day} {day:%B}"
    return text if day.year == today.year else f"{text} {day.year}"


def how_far(day: dt.date, today: dt.date) -> str:
    n = (day - today).days
    if n == 0:
        return "today"
    if n == 1:
        return "tomorrow"
    if n == -1:
        return "yesterday"
    return f"in {n} days" if n > 0 else f"{-n} days ago"


def phrase(name: str, day: dt.date, today: dt.date | None = None) -> str:
    """'Shortlisting closes on Friday 12 March, in 4 days' (closed ..., 3 days ago)."""
    today = today or london_today()
    verb = "closes" if day >= today else "closed"
    return f"{name} {verb} on {day_name(day, today)}, {how_far(day, today)}"


def describe(vacancy, field: str, today: dt.date | None = None) -> str | None:
    """The sentence for one of a vacancy's deadlines, or None when it is not set."""
    day = getattr(vacancy, field)
    return phrase(DEADLINES[field].name, day, today) if day else None


def shown(vacancy, fields: tuple[str, ...] = tuple(DEADLINES), today: dt.date | None = None) -> list[str]:
    """The sentences for the deadlines set among ``fields`` while the vacancy is not finished."""
    if vacancy.stage.finished:
        return []
    return [s for f in fields if (s := describe(vacancy, f, today))]
