"""Reads for the people pages (HR), each in a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from panel.db import db
from panel.models import PanelMember, User


def everyone() -> list[User]:
    """Every account, active first, with their panel memberships."""
    return list(db().scalars(select(User).options(selectinload(User.panel_memberships))
                             .order_by(User.active.desc(), User.name)))


def person(user_id: int) -> User | None:
    return db().get(User, user_id)


def memberships_of(user: User) -> list[PanelMember]:
    """The panels this person sits on, with their vacancies."""
    return list(db().scalars(select(PanelMember).where(PanelMember.user_id == user.id)
                             .options(selectinload(PanelMember.vacancy))))
