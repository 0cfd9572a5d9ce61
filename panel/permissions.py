"""Every access rule, as named predicates. Nothing else in the app decides access.

Views call one of the ``require_*``/``get_*_or_404`` helpers at the top. Anything a
user may not see is a 404, so nobody can learn that a vacancy exists by its URL.
"""
from __future__ import annotations

from flask import abort
from sqlalchemy import Select, exists, select

from panel.db import db
from panel.models import PanelMember, PanelRole, Role, User, Vacancy, VacancyStatus


# --- who the user is --------------------------------------------------------

def is_signed_in(user) -> bool:
    return bool(user) and getattr(user, "is_authenticated", False)


def is_hr(user) -> bool:
    return is_signed_in(user) and user.role == Role.HR


def panel_membership(user, vacancy: Vacancy) -> PanelMember | None:
    if not is_signed_in(user):
        return None
    for member in vacancy.panel_members:
        if member.user_id == user.id:
            return member
    return None


def is_on_panel(user, vacancy: Vacancy) -> bool:
    return panel_membership(user, vacancy) is not None


def is_vacancy_chair(user, vacancy: Vacancy) -> bool:
    member = panel_membership(user, vacancy)
    return member is not None and member.panel_role == PanelRole.CHAIR


# --- what they may do -------------------------------------------------------

def can_manage_users(user) -> bool:
    return is_hr(user)


def can_create_vacancy(user) -> bool:
    return is_hr(user)


def can_view_vacancy(user, vacancy: Vacancy) -> bool:
    return is_hr(user) or is_on_panel(user, vacancy)


def can_edit_vacancy(user, vacancy: Vacancy) -> bool:
    """Details, person specification, panel and status: HR only."""
    return is_hr(user)


def can_view_audit_log(user) -> bool:
    return is_hr(user)


def can_see_candidate_identity(user, vacancy: Vacancy) -> bool:
    """Names and contact details: HR always; the panel once interviewing starts."""
    if is_hr(user):
        return True
    return can_view_vacancy(user, vacancy) and vacancy.status not in (VacancyStatus.DRAFT, VacancyStatus.SHORTLISTING)


def can_download_job_description(user, vacancy: Vacancy) -> bool:
    return can_view_vacancy(user, vacancy)


# --- queries and guards -----------------------------------------------------

def visible_vacancies(user) -> Select:
    """A SELECT of the vacancies this user may see."""
    stmt = select(Vacancy)
    if is_hr(user):
        return stmt
    if not is_signed_in(user):
        return stmt.where(False)
    return stmt.where(
        exists().where(PanelMember.vacancy_id == Vacancy.id, PanelMember.user_id == user.id)
    )


def get_vacancy_or_404(user, vacancy_id: int, predicate=can_view_vacancy) -> Vacancy:
    vacancy = db().get(Vacancy, vacancy_id)
    if vacancy is None or not predicate(user, vacancy):
        abort(404)
    return vacancy


def require(allowed: bool) -> None:
    """404 unless allowed (we do not reveal what exists)."""
    if not allowed:
        abort(404)


def get_user_or_404(user, user_id: int) -> User:
    require(can_manage_users(user))
    target = db().get(User, user_id)
    if target is None:
        abort(404)
    return target
