"""The work behind the involvement record. Services flush; the request commits.

The audit log says which fields of a profile changed and when consent was given or withdrawn,
never the values: access needs are health-adjacent and the audit log outlives the profile.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from panel import audit, permissions
from panel.db import utcnow
from panel.errors import ServiceError
from panel.models import InvolvementProfile, ProfileConsent, ShadowingSession, TrainingKind, TrainingRecord, User
from panel.profiles import items, queries

PROFILE_FIELDS = ["phone", "postal_address", "contact_by_phone", "contact_by_post", "easy_read", "step_free",
                  "hearing_loop", "bsl_interpreter", "breaks", "break_every", "quiet_room", "remote",
                  "other_needs", "preferred_sites", "travel", "availability"]
TEXT_FIELDS = {"phone", "postal_address", "break_every", "other_needs", "preferred_sites", "travel", "availability"}


class ProfileError(ServiceError):
    """Refused by the involvement services."""


def profile_form_data(user: User, profile: InvolvementProfile | None, consented: set[str]) -> dict:
    data = {f: getattr(profile, f) for f in PROFILE_FIELDS} if profile is not None else {}
    data["large_print"] = bool(user.large_print)
    data["preferred_sites"] = [s for s in (data.get("preferred_sites") or "").split(",") if s]
    data["needs"] = [k for k in items.ACCESS_NEEDS if data.get(k)]
    data["share"] = sorted(consented)
    return data


def save_profile(session: Session, user: User, data: dict, share: set[str]) -> list[str]:
    """Save the person's own profile (``data``: PROFILE_FIELDS plus large_print) and what they
    agree to share with their chair (``share``: item keys; each newly agreed item is recorded
    with today's date, each withdrawn one deleted). Returns the names of what changed."""
    unknown = set(share) - set(permissions.SHAREABLE_ITEMS)
    if unknown:
        raise ProfileError("Choose what to share from the list", field="share")
    profile = queries.profile(session, user.id)
    if profile is None:
        profile = InvolvementProfile(user_id=user.id, **{f: "" if f in TEXT_FIELDS else False for f in PROFILE_FIELDS})
        session.add(profile)
    before = audit.snapshot(profile, PROFILE_FIELDS) | {"large_print": bool(user.large_print)}
    for f in PROFILE_FIELDS:
        if f in data:
            value = data[f]
            setattr(profile, f, (value or "").strip() if f in TEXT_FIELDS else bool(value))
    user.large_print = bool(data.get("large_print", user.large_print))
    session.flush()
    after = audit.snapshot(profile, PROFILE_FIELDS) | {"large_print": bool(user.large_print)}
    changed = sorted(k for k in after if before.get(k) != after[k])
    had = {c.item: c for c in queries.consents(session, [user.id])[user.id].values()}
    given = sorted(set(share) - set(had))
    withdrawn = sorted(set(had) - set(share))
    now = utcnow()
    for key in given:
        session.add(ProfileConsent(user_id=user.id, item=key, given_at=now))
    for key in withdrawn:
        session.delete(had[key])
    session.flush()
    if changed or given or withdrawn:
        changes = {}
        if changed:
            changes["fields changed"] = {"before": None, "after": changed}
        if given:
            changes["shared with the chair"] = {"before": None, "after": given}
        if withdrawn:
            changes["no longer shared"] = {"before": withdrawn, "after": None}
        audit.record(session, user, "update", profile, summary="Involvement profile changed", changes=changes)
    return changed + [f"share {k}" for k in given] + [f"stop sharing {k}" for k in withdrawn]


def record_training(session: Session, actor: User, person: User, kind: TrainingKind, completed_on: dt.date,
                    expires_on: dt.date | None) -> TrainingRecord:
    if not permissions.can_record_training(actor):
        raise ProfileError("Only HR and the involvement lead record training")
    if completed_on > dt.date.today():
        raise ProfileError("The date the training was done must be today or in the past", field="completed_on")
    if expires_on is not None and expires_on <= completed_on:
        raise ProfileError("The expiry date must be after the date the training was done", field="expires_on")
    row = TrainingRecord(user_id=person.id, kind=kind, completed_on=completed_on, expires_on=expires_on,
                         recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", row, summary=f"{kind.label} training recorded for {person.name}",
                 changes={"kind": {"before": None, "after": kind.value},
                          "completed_on": {"before": None, "after": completed_on.isoformat()},
                          "expires_on": {"before": None, "after": expires_on.isoformat() if expires_on else None}})
    return row


def record_shadowing(session: Session, actor: User, person: User, held_on: dt.date, chair_name: str,
                     vacancy_id: int | None = None) -> ShadowingSession:
    if not permissions.can_record_training(actor):
        raise ProfileError("Only HR and the involvement lead record shadowing")
    if held_on > dt.date.today():
        raise ProfileError("The date must be today or in the past", field="held_on")
    row = ShadowingSession(user_id=person.id, held_on=held_on, chair_name=(chair_name or "").strip(),
                           vacancy_id=vacancy_id, recorded_by_id=actor.id)
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", row, summary=f"Shadowing session recorded for {person.name}",
                 changes={"held_on": {"before": None, "after": held_on.isoformat()}})
    return row


def set_involvement_lead(session: Session, actor: User, person: User, lead: bool) -> None:
    """HR names (or stops naming) the involvement lead."""
    if not permissions.is_hr(actor):
        raise ProfileError("Only HR can name the involvement lead")
    before = bool(person.involvement_lead)
    person.involvement_lead = bool(lead)
    if before != person.involvement_lead:
        audit.record(session, actor, "update", person,
                     summary=f"{person.name} {'is now' if lead else 'is no longer'} the involvement lead",
                     changes={"involvement_lead": {"before": before, "after": person.involvement_lead}})
