"""What the chair arranges for the interview day: one sentence per panel member who asked for
something and agreed to share it ("Zoë Ashworth needs step-free access and a break every hour").
Read by the timetable page and the chair's panel pack; nothing else of a profile leaves it."""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from panel import permissions
from panel.deadlines import london_today
from panel.models import Vacancy
from panel.profiles import items, queries


def for_panel(session: Session, vacancy: Vacancy) -> list[dict]:
    """The shared arrangements of everyone on the panel (3 queries), in panel order."""
    ids = [m.user_id for m in vacancy.panel_members]
    profiles = queries.profiles(session, ids)
    consents = queries.consents(session, ids)
    out = []
    for m in vacancy.panel_members:
        profile = profiles.get(m.user_id)
        keys = [k for k in items.needed(profile, m.user) if k in consents.get(m.user_id, {})]
        row = items.arrangement(m.user.name, profile, keys)
        if row is not None:
            out.append(row)
    return out


def visible(session: Session, user, vacancy: Vacancy, today: dt.date | None = None) -> list[dict] | None:
    """The arrangements ``user`` may read on this vacancy's timetable, or None when they may not
    (not the chair or HR, or the interview day is over or not set)."""
    today = today or london_today()
    if not permissions.can_see_arrangements(user, vacancy, queries.interview_date(session, vacancy), today):
        return None
    return for_panel(session, vacancy)
