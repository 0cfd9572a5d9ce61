"""Reads for the vacancy pages, each in a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import Select, exists, select
from sqlalchemy.orm import selectinload

from panel import permissions
from panel.db import db
from panel.models import PanelMember, User, Vacancy, VacancyStatus


def visible_vacancies(user) -> Select:
    """A SELECT of the vacancies this user may see (the SQL twin of permissions.can_view_vacancy)."""
    stmt = select(Vacancy)
    if permissions.is_hr(user):
        return stmt
    if not permissions.is_signed_in(user):
        return stmt.where(False)
    return stmt.where(
        exists().where(PanelMember.vacancy_id == Vacancy.id, PanelMember.user_id == user.id)
    )


def list_vacancies(user, status: str | None = None, site: str | None = None, archived: bool = False) -> list[Vacancy]:
    stmt = visible_vacancies(user).options(selectinload(Vacancy.panel_members))
    if archived:
        stmt = stmt.where(Vacancy.archived_at.is_not(None))
    else:
        stmt = stmt.where(Vacancy.archived_at.is_(None))
    if status:
        try:
            stmt = stmt.where(Vacancy.status == VacancyStatus(status))
        except ValueError:
            return []
    if site:
        stmt = stmt.where(Vacancy.site == site)
    return list(db().scalars(stmt.order_by(Vacancy.created_at.desc(), Vacancy.id.desc())))


def vacancy_with_everything(vacancy_id: int) -> Vacancy | None:
    stmt = (
        select(Vacancy)
        .where(Vacancy.id == vacancy_id)
        .options(selectinload(Vacancy.criteria), selectinload(Vacancy.panel_members).selectinload(PanelMember.user))
    )
    return db().scalar(stmt)


def people_to_add(vacancy: Vacancy) -> list[User]:
    on_panel = {m.user_id for m in vacancy.panel_members}
    users = db().scalars(select(User).where(User.active.is_(True)).order_by(User.name))
    return [u for u in users if u.id not in on_panel]


def other_vacancies_with_criteria(vacancy: Vacancy) -> list[Vacancy]:
    stmt = (
        select(Vacancy)
        .where(Vacancy.id != vacancy.id, Vacancy.criteria.any())
        .order_by(Vacancy.created_at.desc())
    )
    return list(db().scalars(stmt))
