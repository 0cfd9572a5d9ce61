"""Sharing the reading (issue 14): which panel members read which applications.

A vacancy whose ``shortlist_readers`` is None is read by everyone on its panel (the
behaviour before allocation existed). Once HR or the chair shares the applications out,
``shortlist_readers`` is k and each candidate has a ShortlistAllocation row per reader.
A panel member who stops reading (ShortlistReaderRelease) gets no new allocations."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from panel.db import Base, UTCDateTime, utcnow


class ShortlistAllocation(Base):
    """This panel member reads and scores this candidate's application."""

    __tablename__ = "shortlist_allocations"
    __table_args__ = (UniqueConstraint("candidate_id", "user_id", name="uq_shortlist_allocations_candidate_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    candidate_id: Mapped[int] = mapped_column(ForeignKey("candidates.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    allocated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShortlistReaderRelease(Base):
    """This panel member has stopped reading applications for the vacancy (they dropped out):
    their unscored allocations went to others and they get no new ones."""

    __tablename__ = "shortlist_reader_releases"
    __table_args__ = (UniqueConstraint("vacancy_id", "user_id", name="uq_shortlist_reader_releases_vacancy_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vacancy_id: Mapped[int] = mapped_column(ForeignKey("vacancies.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
