"""Reads for the involvement record (a fixed number of queries per page)."""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from panel.models import (
    InterviewDay,
    InvolvementProfile,
    PanelMember,
    PanelRole,
    PanelRuleOverride,
    ProfileConsent,
    Role,
    ShadowingSession,
    TrainingKind,
    TrainingRecord,
    User,
    Vacancy,
)
from panel.plans.timetable import to_london


def profile(session: Session, user_id: int) -> InvolvementProfile | None:
    return session.scalar(select(InvolvementProfile).where(InvolvementProfile.user_id == user_id))


def profiles(session: Session, user_ids: Iterable[int]) -> dict[int, InvolvementProfile]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    return {p.user_id: p for p in session.scalars(select(InvolvementProfile).where(InvolvementProfile.user_id.in_(ids)))}


def consents(session: Session, user_ids: Iterable[int]) -> dict[int, dict[str, ProfileConsent]]:
    ids = list(set(user_ids))
    out: dict[int, dict[str, ProfileConsent]] = {i: {} for i in ids}
    if ids:
        for c in session.scalars(select(ProfileConsent).where(ProfileConsent.user_id.in_(ids))):
            out[c.user_id][c.item] = c
    return out


def training(session: Session, user_ids: Iterable[int]) -> dict[int, list[TrainingRecord]]:
    ids = list(set(user_ids))
    out: dict[int, list[TrainingRecord]] = {i: [] for i in ids}
    if ids:
        for t in session.scalars(select(TrainingRecord).where(TrainingRecord.user_id.in_(ids))
                                 .options(selectinload(TrainingRecord.recorded_by))
                                 .order_by(TrainingRecord.completed_on.desc(), TrainingRecord.id.desc())):
            out[t.user_id].append(t)
    return out


def in_date_training(records: dict[int, list[TrainingRecord]], today: dt.date) -> dict[int, set[TrainingKind]]:
    """Per person, the kinds of training they hold in date today (expired training does not count)."""
    return {uid: {t.kind for t in rows if t.in_date(today)} for uid, rows in records.items()}


def shadowing(session: Session, user_ids: Iterable[int]) -> dict[int, list[ShadowingSession]]:
    ids = list(set(user_ids))
    out: dict[int, list[ShadowingSession]] = {i: [] for i in ids}
    if ids:
        for s in session.scalars(select(ShadowingSession).where(ShadowingSession.user_id.in_(ids))
                                 .order_by(ShadowingSession.held_on.desc())):
            out[s.user_id].append(s)
    return out


def overrides(session: Session, vacancy_id: int) -> dict[str, PanelRuleOverride]:
    return {o.rule: o for o in session.scalars(
        select(PanelRuleOverride).where(PanelRuleOverride.vacancy_id == vacancy_id)
        .options(selectinload(PanelRuleOverride.by)).order_by(PanelRuleOverride.at))}


def interview_date(session: Session, vacancy: Vacancy) -> dt.date | None:
    """The interview day's date (UK time) from the timetable, else the vacancy's interview date."""
    starts = session.scalar(select(InterviewDay.starts_at).where(InterviewDay.vacancy_id == vacancy.id))
    return to_london(starts).date() if starts is not None else vacancy.interview_date


def panelists(session: Session) -> list[User]:
    """Everyone with an active account who is not HR (the people whose involvement is run here)."""
    return list(session.scalars(select(User).where(User.active.is_(True), User.role != Role.HR)
                                .order_by(User.name, User.id)))


def panels_sat(session: Session, user_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per person: how many panels they have been on (any role), and how many they chaired."""
    ids = list(set(user_ids))
    out = {i: (0, 0) for i in ids}
    if ids:
        for uid, role in session.execute(select(PanelMember.user_id, PanelMember.panel_role)
                                         .where(PanelMember.user_id.in_(ids))):
            sat, chaired = out[uid]
            out[uid] = (sat + 1, chaired + (role == PanelRole.CHAIR))
    return out
