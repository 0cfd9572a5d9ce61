"""The daily summary to the chair and HR while a deadline is near: which panel members have not
finished, with how many candidates each has left. Never a score, a comment or a candidate's name.

Planned like the reminders: one outbox row per recipient and day, from REMINDER_DAYS before the
deadline the vacancy works to until the day itself, due at 8am London time, with the key
``deadline_summary:v<vacancy>:u<recipient>:<date>``. A deadline, stage or panel change re-plans
them (days no longer wanted are cancelled). What a row says is worked out again by the worker
just before it is sent (``refresh``), and the row is cancelled if everyone has finished.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from panel import deadlines
from panel.db import utcnow
from panel.mail import external_url
from panel.models import Notification, PanelRole, Role, User, Vacancy
from panel.notifications import queries
from panel.notifications.services import _context, base_key, cancel_queued, enqueue, render

KIND = "deadline_summary"
SUMMARY_TIME = dt.time(8, 0)  # an hour before the panel's own reminders


def recipients(session: Session, vacancy: Vacancy) -> list[User]:
    """The vacancy's chair(s) and its HR owner (whoever set it up, if HR; otherwise every active HR user)."""
    people = {m.user.id: m.user for m in vacancy.panel_members if m.panel_role == PanelRole.CHAIR and m.user.active}
    owner = session.get(User, vacancy.created_by_id) if vacancy.created_by_id else None
    hr = [owner] if owner is not None and owner.role == Role.HR and owner.active else list(
        session.scalars(select(User).where(User.role == Role.HR, User.active.is_(True)).order_by(User.id)))
    people.update({u.id: u for u in hr})
    return list(people.values())


def outstanding(session: Session, vacancy: Vacancy) -> list[tuple[str, int]]:
    """(panel member's name, candidates left) of each active member who has not finished the work
    of the deadline the vacancy works to now; [] when everyone has finished or there is none."""
    field = vacancy.stage.deadline
    if not field:
        return []
    owed = queries.OWED[{"shortlisting_deadline": "shortlisting_reminder", "scoring_deadline": "scoring_reminder"}[field]]
    out = []
    for member in sorted(vacancy.panel_members, key=lambda m: m.user.name):
        if member.user.active:
            left = owed(session, vacancy.id, member.user_id)
            if left:
                out.append((member.user.name, left))
    return out


def key(vacancy: Vacancy, user_id: int, day: dt.date) -> str:
    return f"{KIND}:v{vacancy.id}:u{user_id}:{day.isoformat()}"


def context(session: Session, vacancy: Vacancy, user: User, today: dt.date) -> dict:
    field = vacancy.stage.deadline
    deadline = deadlines.DEADLINES[field]
    day = getattr(vacancy, field)
    return _context(vacancy, user, deadline=deadline, day=day, when=deadlines.phrase(deadline.name, day, today),
                    outstanding=outstanding(session, vacancy), today=today)


def plan(session: Session, vacancy: Vacancy) -> None:
    """Make the vacancy's queued summaries what its stage, deadline and chair call for now."""
    now = utcnow()
    field = vacancy.stage.deadline
    day = getattr(vacancy, field) if field else None
    wanted: dict[str, tuple[User, dt.date, dt.datetime]] = {}
    if day is not None:
        today = deadlines.london_today(now)
        days_before = max(int(current_app.config["REMINDER_DAYS"]), 0)
        people = recipients(session, vacancy)
        for offset in range(days_before, -1, -1):
            when = day - dt.timedelta(days=offset)
            if when < today:
                continue
            due = max(deadlines.at_london(when, SUMMARY_TIME), now)
            for user in people:
                wanted[key(vacancy, user.id, when)] = (user, when, due)
    cancel_queued(session, [r for r in queries.queued_of_kind(session, vacancy.id, KIND) if base_key(r.idempotency_key) not in wanted],
                  "Re-planned: the deadline, stage or panel changed")
    for k, (user, when, due) in wanted.items():
        enqueue(session, user=user, vacancy=vacancy, kind=KIND, key=k, due_at=due,
                context=context(session, vacancy, user, when))


def refresh(session: Session, row: Notification) -> str | None:
    """Just before sending: write the summary again from the work as it stands now. The reason
    not to send it (None: send), when the vacancy has moved on or everyone has finished."""
    vacancy = session.get(Vacancy, row.vacancy_id)
    if vacancy is None or not vacancy.stage.deadline or getattr(vacancy, vacancy.stage.deadline) is None:
        return "The vacancy has moved on from this deadline"
    if not outstanding(session, vacancy):
        return "Everyone had finished"
    if row.channel != "email":
        return None  # a text message says only the person's first name and a link: nothing to rewrite
    user = session.get(User, row.user_id)
    row.subject, row.body = render(KIND, **context(session, vacancy, user, deadlines.london_today()))
    return None


# --- the daily digest: one message a day for those who chose it (users.message_frequency) -------

@dataclass
class Digest:
    """One message that carries several held outbox rows (what a channel needs to send it)."""
    channel: str
    subject: str
    body: str
    idempotency_key: str  # the provider's reference: the rows it carries are each sent once
    attachment: str | None = None


DIGEST_SMS = "Hi {first_name}, you have {count} new messages about your panels: {link}"


def _without_greeting(body: str) -> str:
    first, _, rest = body.partition("\n")
    return rest.lstrip("\n") if first.startswith("Hello ") and first.endswith(",") else body


def digest(rows: list[Notification], user: User) -> Digest:
    """The day's digest for one person and channel: the held messages, oldest first, under one
    subject. A text message says only their first name, how many and a link to their messages."""
    rows = sorted(rows, key=lambda r: (r.due_at, r.id))
    channel = rows[0].channel
    key = f"digest:u{user.id}:{channel}:" + ",".join(str(r.id) for r in rows)
    first_name = (user.name.split() or [""])[0]
    link = external_url("notifications.mine")
    if channel == "sms":
        return Digest(channel, "Your daily digest", DIGEST_SMS.format(first_name=first_name, count=len(rows), link=link),
                      key[:200])
    subject, body = render("digest", first_name=first_name, account=external_url("auth.account"), organisation=current_app.config["ORGANISATION_NAME"],
                           messages=[(r.subject, _without_greeting(r.body)) for r in rows])
    return Digest(channel, subject, body, key[:200])
