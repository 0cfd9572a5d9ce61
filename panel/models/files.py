"""Files kept in the database (panel/storage.py's default store): uploaded PDFs, their
cleaned copies and finished packs, so that every app server sees the same files and a
database backup holds them all."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from panel.db import Base, UTCDateTime, utcnow


class StoredFile(Base):
    __tablename__ = "stored_files"

    # e.g. "uploads/<32 hex>.pdf", "uploads/panel-copies/<32 hex>.pdf", "packs/<cache key>.pdf"
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)  # bytea on PostgreSQL, BLOB on SQLite
    size: Mapped[int] = mapped_column(Integer, nullable=False)
    sha256: Mapped[str] = mapped_column(String(64), nullable=False)
    content_type: Mapped[str] = mapped_column(String(100), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False, default=utcnow, index=True)
