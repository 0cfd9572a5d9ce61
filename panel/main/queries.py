"""Reads for the home pages and the audit log."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from panel import permissions
from panel.db import db
from panel.models import AuditEvent, PanelMember, Vacancy, VacancyStatus

PAGE_SIZE = 50

NEXT_STEP_HR = {
    VacancyStatus.DRAFT: "Finish the person specification and the panel, then start shortlisting.",
    VacancyStatus.SHORTLISTING: "Panel members are scoring applications. Move to interviewing when the chair has decided the shortlist.",
    VacancyStatus.INTERVIEWING: "Interviews are being planned and held.",
    VacancyStatus.DECISIONS: "The chair is recording the outcomes.",
    VacancyStatus.CLOSED: "Nothing to do.",
}

NEXT_STEP_PANEL = {
    VacancyStatus.DRAFT: "Nothing to do yet. HR is still setting this job up.",
    VacancyStatus.SHORTLISTING: "Read and score the anonymised applications.",
    VacancyStatus.INTERVIEWING: "Read the interview plan and get ready for the interviews.",
    VacancyStatus.DECISIONS: "The chair is recording the outcomes with the panel.",
    VacancyStatus.CLOSED: "Finished. Thank you for taking part.",
}


def home_for(user) -> dict:
    stmt = (
        permissions.visible_vacancies(user)
        .where(Vacancy.archived_at.is_(None))
        .options(selectinload(Vacancy.panel_members).selectinload(PanelMember.user), selectinload(Vacancy.criteria))
        .order_by(Vacancy.closing_date.is_(None), Vacancy.closing_date, Vacancy.id)
    )
    vacancies = list(db().scalars(stmt))
    items = []
    for v in vacancies:
        if permissions.is_hr(user):
            step = NEXT_STEP_HR[v.status]
            if v.status == VacancyStatus.DRAFT:
                missing = []
                if not v.criteria:
                    missing.append("add criteria to the person specification")
                if not any(m.panel_role.value == "chair" for m in v.panel_members):
                    missing.append("add a chair to the panel")
                if len(v.panel_members) < 2:
                    missing.append("add at least two shortlisters to the panel")
                if missing:
                    step = "To do: " + "; ".join(missing) + "."
        else:
            step = NEXT_STEP_PANEL[v.status]
        member = permissions.panel_membership(user, v)
        items.append({"vacancy": v, "next_step": step, "panel_role": member.panel_role if member else None})
    return {"items": items, "is_hr": permissions.is_hr(user)}


def audit_events(vacancy_id: int | None = None, page: int = 1):
    stmt = select(AuditEvent).options(selectinload(AuditEvent.actor)).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if vacancy_id:
        stmt = stmt.where(AuditEvent.vacancy_id == vacancy_id)
    rows = list(db().scalars(stmt.offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)))
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


def all_vacancy_choices():
    return list(db().execute(select(Vacancy.id, Vacancy.reference, Vacancy.title).order_by(Vacancy.reference)))
