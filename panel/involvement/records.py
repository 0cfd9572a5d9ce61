"""The involvement's records under data protection: a person's subject access export, and the
retention purge (INVOLVEMENT_RETENTION_DAYS, README).

What is kept about a person's involvement: their check-in answers, the concerns they raised,
the debriefs offered to them, corrected hours, and (derived, not stored) their activities. The
purge deletes check-ins, concerns and debrief offers older than the retention period (counted
from when they were made). Corrected hours stay as long as the work they correct is recorded.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from panel import audit
from panel.db import utcnow
from panel.involvement import queries
from panel.models import CheckIn, Concern, DebriefOffer, User, Vacancy

FORMAT_VERSION = 1


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_for(session: Session, person: User) -> dict[str, Any]:
    """Everything the involvement holds about this person, as plain data. Five queries."""
    titles = {}
    check_ins = list(session.scalars(select(CheckIn).where(CheckIn.user_id == person.id).order_by(CheckIn.id)))
    offers = list(session.scalars(select(DebriefOffer).where(DebriefOffer.user_id == person.id).order_by(DebriefOffer.id)))
    concerns = list(session.scalars(select(Concern).where(Concern.raised_by_id == person.id).order_by(Concern.id)))
    ids = {c.vacancy_id for c in check_ins} | {o.vacancy_id for o in offers} | {c.vacancy_id for c in concerns if c.vacancy_id}
    if ids:
        titles = dict(session.execute(select(Vacancy.id, Vacancy.title).where(Vacancy.id.in_(sorted(ids)))).all())
    entries = queries.involvement_of(session, person.id)
    return {
        "format_version": FORMAT_VERSION,
        "exported_at": utcnow().isoformat(),
        "person": {"id": person.id, "name": person.name, "email": person.email},
        "activities": [{"key": e.key, "activity": e.activity.label, "vacancy": e.activity.vacancy_title,
                        "role": e.role, "date": e.activity.on.isoformat(), "hours": str(e.hours),
                        "estimated_hours": str(e.estimated), "hours_corrected": e.corrected} for e in entries],
        "check_ins": [{"vacancy": titles.get(c.vacancy_id, ""), "invited_at": _iso(c.invited_at),
                       "answered_at": _iso(c.answered_at), "how_it_went": c.how_it_went,
                       "wants_call": c.wants_call, "anything_troubling": c.troubles,
                       "call_made_at": _iso(c.call_done_at)} for c in check_ins],
        "debriefs_offered": [{"vacancy": titles.get(o.vacancy_id, ""), "offered_at": _iso(o.offered_at)}
                             for o in offers],
        "concerns_raised": [{"vacancy": titles.get(c.vacancy_id, "") if c.vacancy_id else "", "text": c.text,
                             "wants_reply": c.wants_reply, "raised_at": _iso(c.created_at)} for c in concerns],
    }


def retention_days() -> int:
    return int(current_app.config["INVOLVEMENT_RETENTION_DAYS"])


def purge(session: Session, now: dt.datetime | None = None) -> dict[str, int]:
    """Delete check-ins, debrief offers and concerns older than INVOLVEMENT_RETENTION_DAYS.
    Flushes; audit-logged with counts only."""
    now = now or utcnow()
    before = now - dt.timedelta(days=retention_days())
    counts = {
        "check-ins": session.execute(delete(CheckIn).where(CheckIn.invited_at < before)
                                     .execution_options(synchronize_session=False)).rowcount or 0,
        "debrief offers": session.execute(delete(DebriefOffer).where(DebriefOffer.offered_at < before)
                                          .execution_options(synchronize_session=False)).rowcount or 0,
        "concerns": session.execute(delete(Concern).where(Concern.created_at < before)
                                    .execution_options(synchronize_session=False)).rowcount or 0,
    }
    if any(counts.values()):
        audit.record(session, None, "purge", entity_type="involvement",
                     summary=f"Retention purge of involvement records older than {retention_days()} days",
                     changes=counts)
    session.flush()
    return counts
