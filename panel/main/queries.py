"""Reads for the home pages and the audit log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from panel import permissions
from panel.converters import id_value
from panel.db import db
from panel.models import AuditEvent, Candidate, PanelMember, User, Vacancy
from panel.vacancies.queries import visible_vacancies

PAGE_SIZE = 50


def home_for(user) -> dict:
    """Each vacancy this user sees, with the next step at its stage (for HR setting a vacancy up:
    what the set-up part of its readiness check says is still to do)."""
    stmt = (
        visible_vacancies(user)
        .where(Vacancy.archived_at.is_(None))
        .options(selectinload(Vacancy.panel_members).selectinload(PanelMember.user), selectinload(Vacancy.criteria))
        .order_by(Vacancy.closing_date.is_(None), Vacancy.closing_date, Vacancy.id)
    )
    vacancies = list(db().scalars(stmt))
    items = []
    for v in vacancies:
        stage = v.stage
        if not permissions.is_hr(user):
            step = stage.next_step_panel
        elif stage.home_checklist and (problems := stage.home_checklist(v)):
            step = "To do: " + "; ".join(p[0].lower() + p[1:] for p in problems) + "."
        else:
            step = stage.next_step_hr
        member = permissions.panel_membership(user, v)
        items.append({"vacancy": v, "next_step": step, "panel_role": member.panel_role if member else None})
    return {"items": items, "is_hr": permissions.is_hr(user)}


@dataclass
class AuditFilters:
    """What HR filters the audit log by. Dates are UK dates, both ends included."""

    vacancy_id: int | None = None
    candidate_id: int | None = None
    actor_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    errors: dict[str, str] = field(default_factory=dict)

    def args(self) -> dict:
        """The filters as query-string arguments (for paging and the CSV link)."""
        return {k: v for k, v in {"vacancy": self.vacancy_id, "candidate": self.candidate_id,
                                  "person": self.actor_id,
                                  "from": self.date_from.isoformat() if self.date_from else None,
                                  "to": self.date_to.isoformat() if self.date_to else None}.items() if v}


def _parse_date(value: str | None, field_name: str, errors: dict) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors[field_name] = "Enter a real date, or leave it empty"
        return None


def _parse_id(value: str | None) -> int | None:
    try:
        return id_value(value or "")
    except ValueError:
        return None


def parse_audit_filters(args) -> AuditFilters:
    errors: dict[str, str] = {}
    filters = AuditFilters(vacancy_id=_parse_id(args.get("vacancy")), candidate_id=_parse_id(args.get("candidate")),
                           actor_id=_parse_id(args.get("person")),
                           date_from=_parse_date(args.get("from"), "from", errors),
                           date_to=_parse_date(args.get("to"), "to", errors), errors=errors)
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        errors["to"] = "The end date must be the same as or after the start date"
        filters.date_to = None
    return filters


def _london_midnight_utc(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo("Europe/London")).astimezone(dt.timezone.utc)


def _filtered(filters: AuditFilters):
    stmt = select(AuditEvent)
    if filters.vacancy_id:
        stmt = stmt.where(AuditEvent.vacancy_id == filters.vacancy_id)
    if filters.candidate_id:
        stmt = stmt.where(or_(AuditEvent.candidate_id == filters.candidate_id,
                              (AuditEvent.entity_type == "candidate") & (AuditEvent.entity_id == filters.candidate_id)))
    if filters.actor_id:
        stmt = stmt.where(AuditEvent.actor_id == filters.actor_id)
    if filters.date_from:
        stmt = stmt.where(AuditEvent.at >= _london_midnight_utc(filters.date_from))
    if filters.date_to:
        stmt = stmt.where(AuditEvent.at < _london_midnight_utc(filters.date_to + dt.timedelta(days=1)))
    return stmt.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audit_events(vacancy_id: int | None = None, page: int = 1, filters: AuditFilters | None = None):
    filters = filters or AuditFilters(vacancy_id=vacancy_id)
    stmt = _filtered(filters).options(selectinload(AuditEvent.actor))
    rows = list(db().scalars(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def audit_events_for_export(filters: AuditFilters) -> list[AuditEvent]:
    """Every matching event (no paging), with who did it: two queries."""
    return list(db().scalars(_filtered(filters).options(selectinload(AuditEvent.actor))))


def all_vacancy_choices():
    return list(db().execute(select(Vacancy.id, Vacancy.reference, Vacancy.title).order_by(Vacancy.reference)))


def candidate_choices(vacancy_id: int | None) -> list:
    """(id, label, name) of one vacancy's candidates, for the audit log filter."""
    if not vacancy_id:
        return []
    rows = db().execute(select(Candidate.id, Candidate.number, Candidate.first_name, Candidate.last_name)
                        .where(Candidate.vacancy_id == vacancy_id).order_by(Candidate.number))
    return [(r.id, f"Candidate {r.number:02d}", f"{r.first_name} {r.last_name}".strip()) for r in rows]


def person_choices() -> list:
    return list(db().execute(select(User.id, User.name, User.email).order_by(User.name, User.id)))


def reference_map(events: list[AuditEvent]) -> dict[int, str]:
    """{vacancy id: reference} for the vacancies these events name (one query)."""
    ids = {e.vacancy_id for e in events if e.vacancy_id}
    if not ids:
        return {}
    return dict(db().execute(select(Vacancy.id, Vacancy.reference).where(Vacancy.id.in_(ids))).all())
