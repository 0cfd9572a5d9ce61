"""The notifications outbox: every message to a person is first a row here, written in the same
transaction as the event that causes it, then sent by the worker (panel/notifications/worker.py)."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow
from panel.models.candidates import Candidate
from panel.models.users import User


class NotificationStatus(str, enum.Enum):
    QUEUED = "queued"        # waiting for its due time (or its next attempt)
    SENDING = "sending"      # claimed by a worker until lease_until
    SENT = "sent"
    FAILED = "failed"        # given up: HR sees it on the vacancy page
    CANCELLED = "cancelled"  # no longer wanted (a reminder re-planned, work finished, account closed)

    @property
    def label(self) -> str:
        return {"queued": "Waiting to be sent", "sending": "Being sent", "sent": "Sent",
                "failed": "Could not be delivered", "cancelled": "Not sent (no longer needed)"}[self.value]


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_due_at", "status", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # event + recipient + deadline/version: the same message is never written (so never sent) twice
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    # to a person with an account, or (user_id empty) to a candidate: booking confirmations,
    # interview reminders and outcome letters (they have no accounts)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int | None] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(20), default="email")
    kind: Mapped[str] = mapped_column(String(40))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # a calendar file (iCalendar text) sent with the message, for interview days
    attachment: Mapped[str | None] = mapped_column(Text)
    due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    status: Mapped[NotificationStatus] = mapped_column(enum_column(NotificationStatus),
                                                       default=NotificationStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # held for the person's daily digest (they chose "one daily digest"): not sent before this
    # moment, and then together with their other held messages in one email or text
    held_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    provider_id: Mapped[str | None] = mapped_column(String(255))
    last_error: Mapped[str] = mapped_column(String(500), default="")
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User | None] = relationship()
    candidate: Mapped[Candidate | None] = relationship()

    @property
    def gone_out(self) -> bool:
        """Sent, or being sent (its calendar file may already be in the person's inbox)."""
        return self.status in (NotificationStatus.SENT, NotificationStatus.SENDING)

    @property
    def was_sent(self) -> bool:
        return self.status == NotificationStatus.SENT

    @property
    def waiting(self) -> bool:
        """Written, not sent yet (the worker sends it when it is due, or is sending it now)."""
        return self.status in (NotificationStatus.QUEUED, NotificationStatus.SENDING)

    @property
    def undelivered(self) -> bool:
        """Given up: it could not be delivered (``last_error`` says why)."""
        return self.status == NotificationStatus.FAILED

    @property
    def withdrawn(self) -> bool:
        """Not sent after all: no longer needed (``last_error`` says why)."""
        return self.status == NotificationStatus.CANCELLED

    @property
    def to_candidate(self) -> bool:
        return self.candidate_id is not None
