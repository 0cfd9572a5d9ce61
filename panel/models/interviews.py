"""Interview plan: the shared question bank, a vacancy's planned questions and scale,
the interview day's timetable, and invitations sent to candidates."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow
from panel.models.candidates import Candidate
from panel.models.notifications import Notification
from panel.models.users import User
from panel.models.vacancies import Criterion, CriterionCategory, PanelMember, Vacancy

DEFAULT_SCALE = [
    (0, "No evidence", "The answer gives no evidence of the criterion."),
    (1, "Limited", "Some evidence, but with important gaps."),
    (2, "Adequate", "Meets the criterion: the main points a good answer includes."),
    (3, "Good", "Clear evidence, with relevant examples."),
    (4, "Excellent", "Strong, well-reflected evidence that goes beyond what the role needs."),
]


class QuestionStatus(str, enum.Enum):
    PROPOSED = "proposed"
    APPROVED = "approved"
    REJECTED = "rejected"

    @property
    def label(self) -> str:
        return {"proposed": "Waiting for approval", "approved": "Approved", "rejected": "Not approved"}[self.value]

    # what templates, views and rules ask (``question.status.approved``), never the stored value
    @property
    def waiting_for_review(self) -> bool:
        return self is QuestionStatus.PROPOSED

    @property
    def approved(self) -> bool:
        """In the bank for everyone: it can be added to any interview plan."""
        return self is QuestionStatus.APPROVED

    @property
    def rejected(self) -> bool:
        return self is QuestionStatus.REJECTED


class BankQuestion(Base):
    """A question in the shared bank. Proposed by any panel member; HR or a chair approves."""

    __tablename__ = "bank_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(1000))
    category: Mapped[CriterionCategory] = mapped_column(enum_column(CriterionCategory))
    tags: Mapped[str] = mapped_column(String(300), default="")  # comma-separated, lower case
    guidance: Mapped[str] = mapped_column(Text, default="")  # "a good answer may include", one point a line
    follow_ups: Mapped[str] = mapped_column(Text, default="")  # one prompt a line
    content_note: Mapped[str] = mapped_column(String(500), default="")
    review_note: Mapped[str] = mapped_column(String(500), default="", server_default="")  # why it was not approved
    status: Mapped[QuestionStatus] = mapped_column(enum_column(QuestionStatus), default=QuestionStatus.PROPOSED, index=True)
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    proposed_for_vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="SET NULL"))
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class PlanQuestion(Base):
    """A question in one vacancy's interview plan (copied from the bank or written new)."""

    __tablename__ = "plan_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    bank_question_id: Mapped[int | None] = mapped_column(ForeignKey("bank_questions.id", ondelete="SET NULL"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(1000))
    guidance: Mapped[str] = mapped_column(Text, default="")
    follow_ups: Mapped[str] = mapped_column(Text, default="")
    content_note: Mapped[str] = mapped_column(String(500), default="")
    minutes: Mapped[int] = mapped_column(Integer, default=5)
    asker_id: Mapped[int | None] = mapped_column(ForeignKey("panel_members.id", ondelete="SET NULL"))

    vacancy: Mapped[Vacancy] = relationship()
    asker: Mapped[PanelMember | None] = relationship()
    criteria_links: Mapped[list["PlanQuestionCriterion"]] = relationship(back_populates="plan_question",
                                                                         cascade="all, delete-orphan")


class PlanQuestionCriterion(Base):
    __tablename__ = "plan_question_criteria"
    __table_args__ = (UniqueConstraint("plan_question_id", "criterion_id", name="uq_plan_question_criteria_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_question_id: Mapped[int] = mapped_column(ForeignKey("plan_questions.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(ForeignKey("criteria.id", ondelete="CASCADE"), index=True)

    plan_question: Mapped[PlanQuestion] = relationship(back_populates="criteria_links")
    criterion: Mapped[Criterion] = relationship()


class ScaleLevel(Base):
    """One point of a vacancy's interview scoring scale (defaults: DEFAULT_SCALE)."""

    __tablename__ = "scale_levels"
    __table_args__ = (UniqueConstraint("vacancy_id", "score", name="uq_scale_levels_vacancy_score"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(60))
    descriptor: Mapped[str] = mapped_column(String(300), default="")


class InterviewDay(Base):
    """The settings the timetable is generated from (one per vacancy)."""

    __tablename__ = "interview_days"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), unique=True)
    starts_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    slot_minutes: Mapped[int] = mapped_column(Integer, default=45)
    gap_minutes: Mapped[int] = mapped_column(Integer, default=15)
    breaks: Mapped[str] = mapped_column(String(300), default="")  # e.g. "12:30-13:15", London times
    default_location: Mapped[str] = mapped_column(String(300), default="")
    # candidates book, change or cancel through their link until this many hours before the day (HR sets it)
    booking_cutoff_hours: Mapped[int] = mapped_column(Integer, default=48, server_default="48")


class InterviewSlot(Base):
    __tablename__ = "interview_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="SET NULL"), index=True)
    starts_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(String(500), default="")  # room or video link

    candidate: Mapped[Candidate | None] = relationship()


class CandidateInvitation(Base):
    """An interview invitation email to a candidate (candidates have no accounts). Since the
    outbox (panel/notifications) sends it, whether it went is its notification's status; the
    stored ``status`` only says so for invitations sent before that (pending, sent, failed)."""

    __tablename__ = "candidate_invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default="pending")  # queued (see notification), or old: pending, sent, failed
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    sent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # the outbox row that sends it (its booking link is made only then: panel/notifications/links.py)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="SET NULL"))

    candidate: Mapped[Candidate] = relationship()
    notification: Mapped[Notification | None] = relationship()

    # what pages ask, never the stored value
    @property
    def was_sent(self) -> bool:
        if self.notification is not None:
            return self.notification.was_sent
        return self.status == "sent"

    @property
    def waiting(self) -> bool:
        """Written to the outbox and not sent yet (the worker sends it within a minute or so)."""
        return self.notification is not None and self.notification.waiting

    @property
    def failed(self) -> bool:
        """The email could not be delivered: kept to try again."""
        if self.notification is not None:
            return self.notification.undelivered
        return self.status == "failed"

    @property
    def withdrawn(self) -> bool:
        """Not sent after all (a newer invitation replaced it, or the candidate withdrew)."""
        return self.notification is not None and self.notification.withdrawn

    @property
    def counts_as_invited(self) -> bool:
        """Sent, or on its way: sending every invitation still to send leaves this candidate out."""
        return self.was_sent or self.waiting

    @property
    def delivered_at(self) -> dt.datetime | None:
        return self.notification.sent_at if self.notification is not None else self.sent_at

    @property
    def problem(self) -> str:
        return self.notification.last_error if self.notification is not None else self.error


class InvitationTemplate(Base):
    """The editable wording of a vacancy's interview invitation, with {placeholders}."""

    __tablename__ = "invitation_templates"

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), unique=True)
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class BookingStatus(str, enum.Enum):
    """Where a candidate's answer to their interview invitation stands."""

    WAITING = "waiting"    # invited; no answer yet
    BOOKED = "booked"      # chose (or confirmed) a slot
    DECLINED = "declined"  # will not come to the interview
    ASKED = "asked"        # asked for a different time, with a message

    @property
    def label(self) -> str:
        return {"waiting": "No answer yet", "booked": "Booked", "declined": "Declined the interview",
                "asked": "Asked for a different time"}[self.value]

    # what templates ask (``booking.status.declined``), never the stored value
    @property
    def declined(self) -> bool:
        return self is BookingStatus.DECLINED

    @property
    def asked_other_time(self) -> bool:
        return self is BookingStatus.ASKED

    @property
    def cannot_come(self) -> bool:
        """Declined, or asked for another time: not coming at the time they had."""
        return self in (BookingStatus.DECLINED, BookingStatus.ASKED)


# what a candidate can say they need to take part (code, plain words); the codes are stored
ADJUSTMENTS = [
    ("step_free", "Step-free access (no stairs)"),
    ("quiet_room", "A quiet room to wait in"),
    ("extra_time", "Extra time to answer"),
    ("written_questions", "The questions in writing as well"),
    ("bsl", "A British Sign Language (BSL) interpreter"),
    ("video", "A video interview instead of coming in"),
]
ADJUSTMENT_LABELS = dict(ADJUSTMENTS)


def adjustment_lines(codes: str | None, other: str | None) -> list[str]:
    """What a candidate asked for, in plain words (stored codes, comma-separated), their own words last."""
    lines = [ADJUSTMENT_LABELS[code] for code in (codes or "").split(",") if code in ADJUSTMENT_LABELS]
    if (other or "").strip():
        lines.append(other.strip())
    return lines


class InterviewBooking(Base):
    """A candidate's own booking of their interview, through the link in their invitation
    (candidates have no accounts): the link (only a hash of it is kept), their answer, the slot
    they booked and the adjustments they asked for. One per candidate, purged with them.

    ``slot_id`` is UNIQUE: of two candidates racing for the last free slot, the database lets
    exactly one booking hold it."""

    __tablename__ = "interview_bookings"

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), unique=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)  # SHA-256 of the link's secret
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus), default=BookingStatus.WAITING)
    slot_id: Mapped[int | None] = mapped_column(ForeignKey("interview_slots.id", ondelete="SET NULL"), unique=True)
    message: Mapped[str] = mapped_column(Text, default="")  # why another time, or why not coming
    adjustments: Mapped[str] = mapped_column(String(300), default="")  # codes of ADJUSTMENTS, comma-separated
    adjustments_other: Mapped[str] = mapped_column(Text, default="")  # in their own words
    changes: Mapped[int] = mapped_column(Integer, default=0)  # answers given: the confirmation and reminder keys
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    candidate: Mapped[Candidate] = relationship()
    slot: Mapped[InterviewSlot | None] = relationship()

    @property
    def adjustment_codes(self) -> list[str]:
        return [code for code in (self.adjustments or "").split(",") if code in ADJUSTMENT_LABELS]

    @property
    def adjustment_lines(self) -> list[str]:
        """What they asked for, in plain words, their own words last."""
        return adjustment_lines(self.adjustments, self.adjustments_other)

    @property
    def booked_slot(self) -> InterviewSlot | None:
        """The slot they booked, while it is still theirs on the timetable."""
        if self.status == BookingStatus.BOOKED and self.slot is not None and self.slot.candidate_id == self.candidate_id:
            return self.slot
        return None


class BookingRequest(Base):
    """A request to the candidates' booking pages, kept briefly to throttle one address."""

    __tablename__ = "booking_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
