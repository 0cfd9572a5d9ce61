"""The involvement itself (issue 17): support for a vacancy's panel, the private check-in after
an interview day, concerns about the process, and corrections to the hours of an activity
(the activities are derived from the work: panel/involvement/activities.py).

Privacy: a CheckIn's answers are read only by the involvement lead (and HR until that role
exists: permissions.can_manage_involvement) and by the person who gave them; the chair's
record that a debrief was offered is a separate row (DebriefOffer) that holds nothing said.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, utcnow
from panel.models.users import User


class SupportContact(Base):
    """Who a vacancy's panel members can call for support (HR sets it)."""

    __tablename__ = "support_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str] = mapped_column(String(40), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AskingPreference(Base):
    """A panel member would rather not ask a question that carries a content note, on this
    vacancy's interview day (the chair sees it when choosing who asks each question)."""

    __tablename__ = "asking_preferences"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", name="uq_asking_preferences_vacancy_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    avoid_content_notes: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# where a check-in is (CheckIn.status_text), for the lead's pages
CHECK_IN_DONE = "check-in done"
WAITING_FOR_REPLY = "waiting for a reply"
CALL_REQUESTED = "call requested"


class CheckIn(Base):
    """After the interview day, a patient panelist's short private check-in. Written (invited)
    when the vacancy moves on from interviewing; answered by the person. The answers are the
    involvement lead's to read, never the chair's or the panel's."""

    __tablename__ = "check_ins"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", name="uq_check_ins_vacancy_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    invited_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    how_it_went: Mapped[str] = mapped_column(String(20), default="")  # well, mixed, hard (CHECK_IN_FEELINGS)
    wants_call: Mapped[bool] = mapped_column(Boolean, default=False)
    troubles: Mapped[str] = mapped_column(Text, default="")
    call_done_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def answered(self) -> bool:
        return self.answered_at is not None

    @property
    def call_requested(self) -> bool:
        """Answered asking for a call that is not yet recorded as made."""
        return self.answered and self.wants_call and self.call_done_at is None

    @property
    def status_text(self) -> str:
        """Where the check-in is, in words: WAITING_FOR_REPLY, CALL_REQUESTED or CHECK_IN_DONE."""
        if not self.answered:
            return WAITING_FOR_REPLY
        return CALL_REQUESTED if self.call_requested else CHECK_IN_DONE


class DebriefOffer(Base):
    """The chair offered a patient panelist a debrief after the interview day: that it was
    offered, never what was said."""

    __tablename__ = "debrief_offers"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", name="uq_debrief_offers_vacancy_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    offered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class Concern(Base):
    """"Raise a concern about this process": for the involvement lead. The audit log records
    that a concern was raised, never its words."""

    __tablename__ = "concerns"

    id: Mapped[int] = mapped_column(primary_key=True)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    wants_reply: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    raised_by: Mapped[User | None] = relationship()


class HoursCorrection(Base):
    """HR's (or the involvement lead's) corrected hours for one of a person's activities,
    by the activity's stable key ("interview_day:12")."""

    __tablename__ = "hours_corrections"
    __table_args__ = (UniqueConstraint("user_id", "activity_key", name="uq_hours_corrections_user_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    activity_key: Mapped[str] = mapped_column(String(40))
    hours: Mapped[Decimal] = mapped_column(Numeric(6, 2))
    corrected_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
