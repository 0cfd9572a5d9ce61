from __future__ import annotations

import datetime as dt
import enum
from sqlalchemy import Boolean, ForeignKey, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from panel.db import Base, UTCDateTime, enum_column, utcnow


class Role(str, enum.Enum):
    HR = "hr"
    CHAIR = "chair"
    PANELIST = "panelist"

    @property
    def label(self) -> str:
        return {"hr": "HR and recruitment", "chair": "Panel chair", "panelist": "Patient panelist (voice2change)"}[self.value]


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # when the owner was last told by email that sign-ins to the account are slowed down
    lock_notified_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    large_print: Mapped[bool] = mapped_column(Boolean, default=False)  # edited on the involvement profile
    # the involvement lead (issue 17): runs the involvement with HR (permissions.can_manage_involvement)
    involvement_lead: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # a UK mobile in E.164 (+447...), for text messages; how the person wants to be told
    mobile: Mapped[str | None] = mapped_column(String(20))
    contact_preference: Mapped[str] = mapped_column(String(20), default="email", server_default="email")
    # how often messages that can wait reach them: "immediate" (as things happen) or "daily" (one
    # digest a day); essential ones (panel_added, interview day) always go at once
    message_frequency: Mapped[str] = mapped_column(String(20), default="immediate", server_default="immediate")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    panel_memberships: Mapped[list["PanelMember"]] = relationship(back_populates="user")

    # Flask-Login protocol. The id carries the session version, so bumping the
    # version (sign-out, deactivation, password change) ends every session.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return bool(self.active)

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    @property
    def is_hr(self) -> bool:
        return self.role == Role.HR

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"


class AuthToken(Base):
    """A single-use link token (invitation or password reset). Only its hash is stored."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))  # "invite" or "reset"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()


class SignInAttempt(Base):
    """A failed sign-in, kept for a day to throttle guessing by (client address, account)."""

    __tablename__ = "sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)  # the client IP address
    # SHA-256 of the normalised email address typed (whether or not it has an account)
    account: Mapped[str | None] = mapped_column(String(64), index=True)


class PasswordResetRequest(Base):
    """A forgotten-password request, kept for a day to cap requests per address. Recorded the
    same way whether or not the address has an account; only a hash of the address is kept."""

    __tablename__ = "password_reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    account: Mapped[str] = mapped_column(String(64), index=True)
