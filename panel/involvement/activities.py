"""What each person did, derived from the work itself: the one source for "My involvement",
certificates, and claims for payment and expenses.

panel already records every piece of involvement as it happens, so nobody fills a timesheet:

* **shortlisting** for a vacancy: the applications the person submitted scores for
  (an estimated ``SHORTLISTING_MINUTES_PER_APPLICATION`` each, at least half an hour);
* **an interview day**: the person submitted interview scores for at least one candidate of the
  vacancy; the hours are the day's length from its timetable settings (a full working day,
  ``DEFAULT_INTERVIEW_DAY_HOURS``, when the day has no times);
* **questions proposed** to the question bank, counted per vacancy they were proposed for
  (``QUESTION_MINUTES`` each).

Each activity has a stable ``key`` ("interview_day:12"), so a claim or an edited hours figure can
point at it and a second claim for the same activity can be refused. Hours are estimates in
quarter hours; HR may correct them where the record is kept. Three queries, whatever the number
of vacancies: the cost grows with the person's own activity only.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from panel.deadlines import LONDON
from panel.models import (
    BankQuestion,
    Candidate,
    InterviewDay,
    InterviewSubmission,
    ShortlistSubmission,
    Vacancy,
)

SHORTLISTING = "shortlisting"
INTERVIEW_DAY = "interview_day"
QUESTIONS = "questions"

LABELS = {
    SHORTLISTING: "Shortlisting",
    INTERVIEW_DAY: "Interview day",
    QUESTIONS: "Interview questions proposed",
}

SHORTLISTING_MINUTES_PER_APPLICATION = 20
QUESTION_MINUTES = 15
DEFAULT_INTERVIEW_DAY_HOURS = Decimal("7")
QUARTER = Decimal("0.25")


@dataclass(frozen=True)
class Activity:
    key: str            # stable id: "<kind>:<vacancy id or 0>"
    kind: str           # SHORTLISTING, INTERVIEW_DAY or QUESTIONS
    vacancy_id: int | None
    vacancy_title: str  # "" for questions proposed for no vacancy
    on: dt.date         # the day it happened (Europe/London): the last submission, or the interview day
    hours: Decimal      # estimated, in quarter hours
    count: int          # applications read, candidates interviewed, or questions proposed

    @property
    def label(self) -> str:
        return LABELS[self.kind]

    @property
    def detail(self) -> str:
        noun = {SHORTLISTING: ("application", "applications"),
                INTERVIEW_DAY: ("candidate interviewed", "candidates interviewed"),
                QUESTIONS: ("question", "questions")}[self.kind]
        return f"{self.count} {noun[0] if self.count == 1 else noun[1]}"


def activity_key(kind: str, vacancy_id: int | None) -> str:
    if kind not in LABELS:
        raise ValueError(f"unknown kind of activity: {kind!r}")
    return f"{kind}:{vacancy_id or 0}"


def quarter_hours(minutes: int | Decimal) -> Decimal:
    """Minutes to hours, rounded to the nearest quarter hour (half up)."""
    quarters = (Decimal(minutes) / 15).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return quarters * QUARTER


def _london_date(value: dt.datetime) -> dt.date:
    if value.tzinfo is None:  # SQLite hands back naive UTC from aggregates
        value = value.replace(tzinfo=dt.timezone.utc)
    return value.astimezone(LONDON).date()


def _day_hours(day: InterviewDay | None) -> Decimal:
    if day is None or day.starts_at is None or day.ends_at is None or day.ends_at <= day.starts_at:
        return DEFAULT_INTERVIEW_DAY_HOURS
    return quarter_hours(int((day.ends_at - day.starts_at).total_seconds() // 60))


def activities_for(session, user_id: int) -> list[Activity]:
    """Everything this person did, newest first."""
    found: list[Activity] = []

    shortlisting = session.execute(
        select(Vacancy.id, Vacancy.title, func.count(ShortlistSubmission.id), func.max(ShortlistSubmission.submitted_at))
        .join(Candidate, Candidate.vacancy_id == Vacancy.id)
        .join(ShortlistSubmission, ShortlistSubmission.candidate_id == Candidate.id)
        .where(ShortlistSubmission.user_id == user_id)
        .group_by(Vacancy.id, Vacancy.title)
    ).all()
    for vacancy_id, title, count, last in shortlisting:
        minutes = max(30, count * SHORTLISTING_MINUTES_PER_APPLICATION)
        found.append(Activity(activity_key(SHORTLISTING, vacancy_id), SHORTLISTING, vacancy_id, title,
                              _london_date(last), quarter_hours(minutes), count))

    interviews = session.execute(
        select(Vacancy.id, Vacancy.title, Vacancy.interview_date, func.count(InterviewSubmission.id),
               func.max(InterviewSubmission.submitted_at))
        .join(Candidate, Candidate.vacancy_id == Vacancy.id)
        .join(InterviewSubmission, InterviewSubmission.candidate_id == Candidate.id)
        .where(InterviewSubmission.user_id == user_id)
        .group_by(Vacancy.id, Vacancy.title, Vacancy.interview_date)
    ).all()
    days = {}
    if interviews:
        days = {d.vacancy_id: d for d in session.scalars(
            select(InterviewDay).where(InterviewDay.vacancy_id.in_([row[0] for row in interviews])))}
    for vacancy_id, title, interview_date, count, last in interviews:
        day = days.get(vacancy_id)
        if day is not None and day.starts_at is not None:
            on = _london_date(day.starts_at)
        else:
            on = interview_date or _london_date(last)
        found.append(Activity(activity_key(INTERVIEW_DAY, vacancy_id), INTERVIEW_DAY, vacancy_id, title,
                              on, _day_hours(day), count))

    questions = session.execute(
        select(BankQuestion.proposed_for_vacancy_id, Vacancy.title, func.count(BankQuestion.id),
               func.max(BankQuestion.created_at))
        .outerjoin(Vacancy, Vacancy.id == BankQuestion.proposed_for_vacancy_id)
        .where(BankQuestion.proposed_by_id == user_id)
        .group_by(BankQuestion.proposed_for_vacancy_id, Vacancy.title)
    ).all()
    for vacancy_id, title, count, last in questions:
        found.append(Activity(activity_key(QUESTIONS, vacancy_id), QUESTIONS, vacancy_id, title or "",
                              _london_date(last), quarter_hours(count * QUESTION_MINUTES), count))

    found.sort(key=lambda a: (a.on, a.key), reverse=True)
    return found


def activity_of(session, user_id: int, key: str) -> Activity | None:
    """The person's activity with this key, or None when they did not do it."""
    return next((a for a in activities_for(session, user_id) if a.key == key), None)
