"""One function that records who changed what. Never store passwords or tokens."""
from __future__ import annotations

import datetime as dt
import enum
import hashlib
from typing import Any, Iterable

from sqlalchemy.orm import Session

from panel.models import AuditEvent, User

SECRET_FIELDS = {"password", "password_hash", "token", "token_hash", "secret"}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def digest(text: str | None) -> str | None:
    """A long text (a supporting statement, evidence) as the audit log keeps it: its SHA-256 and
    its length, never the text itself, which the record it belongs to holds. Two versions of a
    text have the same digest only if they are the same, so a diff still shows what changed.
    An empty text stays empty."""
    if not text:
        return text
    return f"sha256:{hashlib.sha256(text.encode('utf-8')).hexdigest()} ({len(text)} characters)"


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    """The plain values of some fields of an object, for a before/after diff."""
    return {f: _plain(getattr(obj, f)) for f in fields if f not in SECRET_FIELDS}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """{field: {"before": x, "after": y}} for the fields that changed."""
    return {
        k: {"before": before.get(k), "after": after.get(k)}
        for k in sorted(set(before) | set(after))
        if before.get(k) != after.get(k) and k not in SECRET_FIELDS
    }


def record(
    session: Session,
    actor: User | None,
    action: str,
    entity: Any = None,
    *,
    entity_type: str | None = None,
    entity_id: int | None = None,
    vacancy_id: int | None = None,
    candidate_id: int | None = None,
    summary: str = "",
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session (the request's commit writes it)."""
    if entity is not None:
        entity_type = entity_type or type(entity).__name__.lower()
        entity_id = entity_id if entity_id is not None else getattr(entity, "id", None)
    if changes:
        changes = {k: v for k, v in changes.items() if k not in SECRET_FIELDS}
    actor_id = getattr(actor, "id", None) if actor is not None and getattr(actor, "is_authenticated", False) else None
    event = AuditEvent(
        actor_id=actor_id,
        action=action,
        entity_type=entity_type or "",
        entity_id=entity_id,
        vacancy_id=vacancy_id,
        candidate_id=candidate_id,
        summary=summary[:300],
        changes=changes or None,
    )
    session.add(event)
    return event
