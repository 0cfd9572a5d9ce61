"""Data protection for the involvement record: the subject access export of one person's
involvement record, and its purge on the retention rule (run by `flask purge`).

Retention (PROFILE_RETENTION_DAYS, default 730): a person's involvement profile, what they
agreed to share, training records and shadowing sessions are deleted once that many days have
passed since they were last active: their last sign-in, their account's creation, the last
time they were added to a panel or their profile changed, whichever is latest. A deactivated
account counts from the same moment. The audit log keeps that things changed, never the values.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from panel.db import utcnow
from panel.involvement import records as involvement_records
from panel.models import (
    InvolvementProfile,
    PanelMember,
    ProfileConsent,
    ShadowingSession,
    TrainingRecord,
    User,
)
from panel.profiles import items, queries, services

FORMAT_VERSION = 1
TABLES = (InvolvementProfile, ProfileConsent, TrainingRecord, ShadowingSession)


def _iso(value):
    return value.isoformat() if value is not None else None


def export(session: Session, person: User) -> dict:
    """Everything the involvement record holds about ``person``, as plain data (6 queries)."""
    profile = queries.profile(session, person.id)
    consents = queries.consents(session, [person.id])[person.id]
    training = queries.training(session, [person.id])[person.id]
    shadowing = queries.shadowing(session, [person.id])[person.id]
    today = dt.date.today()
    return {
        "format_version": FORMAT_VERSION,
        "made_at": utcnow().isoformat(),
        "person": {"name": person.name, "email": person.email, "mobile": person.mobile,
                   "contact_preference": person.contact_preference, "large_print": bool(person.large_print),
                   "involvement_lead": bool(person.involvement_lead)},
        "profile": ({f: getattr(profile, f) for f in services.PROFILE_FIELDS} | {"updated_at": _iso(profile.updated_at)}
                    if profile is not None else None),
        "shared_with_the_chair": [{"item": k, "label": items.ITEMS[k].label, "agreed_at": _iso(c.given_at)}
                                  for k, c in sorted(consents.items()) if k in items.ITEMS],
        "training": [{"kind": t.kind.label, "completed_on": _iso(t.completed_on), "expires_on": _iso(t.expires_on),
                      "in_date": t.in_date(today), "recorded_by": t.recorded_by.name if t.recorded_by else None,
                      "recorded_at": _iso(t.recorded_at)} for t in training],
        "shadowing": [{"held_on": _iso(s.held_on), "chair": s.chair_name, "recorded_at": _iso(s.recorded_at)}
                      for s in shadowing],
        # check-ins, debriefs offered, concerns raised and hours (panel/involvement/records.py)
        "support_and_recognition": involvement_records.export_for(session, person),
    }


@dataclass
class InvolvementPurge:
    user_ids: list[int] = field(default_factory=list)
    dry_run: bool = True

    def lines(self) -> list[str]:
        n = len(self.user_ids)
        if not n:
            return ["Involvement records: nothing is due for purging."]
        people = f"{n} {'person' if n == 1 else 'people'}"
        verb = "Would delete" if self.dry_run else "Deleted"
        return [f"Involvement records: {verb.lower()} the profiles, training and shadowing records of {people}."]


def due(session: Session, now: dt.datetime) -> list[int]:
    """The people whose involvement records are past the retention period at ``now``."""
    days = int(current_app.config["PROFILE_RETENTION_DAYS"])
    cutoff = now - dt.timedelta(days=days)
    holders = set()
    for table in TABLES:
        holders.update(session.scalars(select(table.user_id).distinct()))
    if not holders:
        return []
    added = dict(session.execute(select(PanelMember.user_id, func.max(PanelMember.added_at))
                                 .where(PanelMember.user_id.in_(holders)).group_by(PanelMember.user_id)).all())
    changed = dict(session.execute(select(InvolvementProfile.user_id, InvolvementProfile.updated_at)
                                   .where(InvolvementProfile.user_id.in_(holders))).all())
    out = []
    for user in session.scalars(select(User).where(User.id.in_(holders)).order_by(User.id)):
        moments = [m for m in (user.last_login_at, user.created_at, added.get(user.id), changed.get(user.id)) if m]
        if max(moments) < cutoff:
            out.append(user.id)
    return out


def purge(session: Session, now: dt.datetime | None = None, dry_run: bool = False) -> InvolvementPurge:
    now = now or utcnow()
    result = InvolvementPurge(due(session, now), dry_run)
    if dry_run or not result.user_ids:
        return result
    for table in TABLES:
        session.execute(delete(table).where(table.user_id.in_(result.user_ids)),
                        execution_options={"synchronize_session": False})
    session.flush()
    return result
