"""A person's involvement record (issue 17): their involvement profile (how to reach them, formats,
access needs, where and when they can help), what they agreed to share, their training and
shadowing, and the reasons HR gave for running a panel that breaks a composition rule.

Access needs are health-adjacent: only what has to be arranged is asked (never a reason or a
diagnosis), the person edits it, HR and the involvement lead read it, and the chair of their
panel reads an item only when the person agreed to share it (ProfileConsent, one row per item
with its date). panel/profiles/ holds the work; panel/permissions.py the rules.
"""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow
from panel.models.users import User


class InvolvementProfile(Base):
    """One per person. Email, mobile, how to be told about panels and large print stay on User
    (the account page and the packs read them there); this holds the rest."""

    __tablename__ = "involvement_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    # how to contact me, beyond email and text (User.email, User.mobile, User.contact_preference)
    phone: Mapped[str] = mapped_column(String(40), default="")      # for a call
    postal_address: Mapped[str] = mapped_column(Text, default="")   # for letters
    contact_by_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_by_post: Mapped[bool] = mapped_column(Boolean, default=False)
    easy_read: Mapped[bool] = mapped_column(Boolean, default=False)
    # access needs: what to arrange, never why
    step_free: Mapped[bool] = mapped_column(Boolean, default=False)
    hearing_loop: Mapped[bool] = mapped_column(Boolean, default=False)
    bsl_interpreter: Mapped[bool] = mapped_column(Boolean, default=False)
    breaks: Mapped[bool] = mapped_column(Boolean, default=False)
    break_every: Mapped[str] = mapped_column(String(60), default="")  # e.g. "every hour"
    quiet_room: Mapped[bool] = mapped_column(Boolean, default=False)
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    other_needs: Mapped[str] = mapped_column(Text, default="")
    # where and when
    preferred_sites: Mapped[str] = mapped_column(String(500), default="")  # comma-separated site names
    travel: Mapped[str] = mapped_column(String(200), default="")
    availability: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship()


class ProfileConsent(Base):
    """The person agreed, on ``given_at``, that the chair of a panel they sit on may see this
    item of their profile (for the interview day). Withdrawing deletes the row (audit-logged)."""

    __tablename__ = "profile_consents"
    __table_args__ = (UniqueConstraint("user_id", "item", name="uq_profile_consents_user_item"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    item: Mapped[str] = mapped_column(String(40))
    given_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class TrainingKind(str, enum.Enum):
    RECRUITMENT = "recruitment"
    EQUALITY = "equality"
    CONFIDENTIALITY = "confidentiality"
    CHAIRING = "chairing"

    @property
    def label(self) -> str:
        return {"recruitment": "Recruitment and selection", "equality": "Equality and unconscious bias",
                "confidentiality": "Confidentiality", "chairing": "Chairing a panel"}[self.value]


class TrainingRecord(Base):
    __tablename__ = "training_records"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[TrainingKind] = mapped_column(enum_column(TrainingKind))
    completed_on: Mapped[dt.date] = mapped_column(Date)
    expires_on: Mapped[dt.date | None] = mapped_column(Date)  # None: does not expire
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])

    def in_date(self, today: dt.date) -> bool:
        return self.expires_on is None or self.expires_on >= today


class ShadowingSession(Base):
    """A would-be lay chair sat beside a chair on a panel (the step before chairing)."""

    __tablename__ = "shadowing_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    held_on: Mapped[dt.date] = mapped_column(Date)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="SET NULL"))
    chair_name: Mapped[str] = mapped_column(String(120), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class PanelRuleOverride(Base):
    """HR went ahead with a panel that breaks a composition rule (panel/profiles/composition.py),
    with a reason. Shown on the vacancy; it stands for that rule on that vacancy."""

    __tablename__ = "panel_rule_overrides"
    __table_args__ = (UniqueConstraint("vacancy_id", "rule", name="uq_panel_rule_overrides_vacancy_rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    rule: Mapped[str] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(Text)
    at_status: Mapped[str] = mapped_column(String(20))  # the stage the vacancy was at
    by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    by: Mapped[User | None] = relationship()
