"""Pack render jobs (issue 14): a pack request records a job; a separate worker process
(`flask packs-worker`) claims and renders it. See panel/packs/jobs.py."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from panel.db import Base, UTCDateTime, utcnow


class PackJob(Base):
    """One render of one pack's inputs. ``key`` is the pack's cache key (a hash of its data,
    templates and options); ``active_key`` holds it only while the job is queued or running,
    and is unique, so the same inputs never render twice at once: a second request joins."""

    __tablename__ = "pack_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    # None: a person's own document, about no vacancy (a certificate of involvement: issue 17)
    vacancy_id: Mapped[int | None] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    large_print: Mapped[bool] = mapped_column(default=False)
    key: Mapped[str] = mapped_column(String(64), index=True)
    active_key: Mapped[str | None] = mapped_column(String(64), unique=True)
    status: Mapped[str] = mapped_column(String(10), default="queued", index=True)  # queued running done failed
    context: Mapped[str | None] = mapped_column(Text)  # the pack's plain data (JSON); cleared when finished
    claim_token: Mapped[str | None] = mapped_column(String(32))
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_total: Mapped[int] = mapped_column(Integer, default=0)
    parts_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_done: Mapped[int] = mapped_column(Integer, default=0)
    pages_estimate: Mapped[int] = mapped_column(Integer, default=0)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # Asked by meaning in pages and views (never a status string compared there).
    @property
    def waiting(self) -> bool:
        return self.status == "queued"

    @property
    def running(self) -> bool:
        return self.status == "running"

    @property
    def in_progress(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def ready(self) -> bool:
        return self.status == "done"

    @property
    def failed(self) -> bool:
        return self.status == "failed"

    @property
    def finished(self) -> bool:
        return self.status in ("done", "failed")


class PackRequest(Base):
    """Someone asked for a job's pack: their "your packs" list, and whether they have been
    told it is ready (or failed)."""

    __tablename__ = "pack_requests"
    __table_args__ = (UniqueConstraint("job_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("pack_jobs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    vacancy_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # what the person asked for, so the progress page can link the download
    panelist_user_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
