"""Accounts: creating users, signing in, lockout, single-use links, passwords."""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets

from flask import current_app, url_for
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from panel import audit
from panel.db import utcnow
from panel.errors import ServiceError
from panel.mail import send_email
from panel.models import AuthToken, Role, SignInAttempt, User
from panel.passwords import hash_password, password_problem, verify_password

log = logging.getLogger("panel.auth")

GENERIC_LOGIN_ERROR = (
    "Enter a correct email address and password. After 5 tries in a row, "
    "you need to wait 15 minutes before trying again."
)


class AccountError(ServiceError):
    """A request about an account that cannot be carried out."""


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_user_by_email(session: Session, email: str) -> User | None:
    return session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_user(session: Session, actor: User | None, *, email: str, name: str, role: Role,
                password: str | None = None) -> User:
    email = normalise_email(email)
    if find_user_by_email(session, email) is not None:
        raise AccountError("Someone with this email address already has an account", field="email")
    user = User(email=email, name=name.strip(), role=role, active=True, session_version=1, failed_logins=0)
    if password is not None:
        problem = password_problem(password, email=email, name=name)
        if problem:
            raise AccountError(problem, field="password")
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()
    audit.record(session, actor, "create", user, summary=f"Account created ({role.value})",
                 changes=audit.diff({}, audit.snapshot(user, ["email", "name", "role", "active"])))
    return user


def client_is_throttled(session: Session, client: str) -> bool:
    """Too many failed sign-ins from this address lately (whatever the accounts)."""
    cfg = current_app.config
    since = utcnow() - dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    recent = session.scalar(select(func.count(SignInAttempt.id))
                            .where(SignInAttempt.client == client[:64], SignInAttempt.at > since))
    return (recent or 0) >= cfg["LOGIN_MAX_ATTEMPTS_PER_CLIENT"]


def record_failed_attempt(session: Session, client: str) -> None:
    session.add(SignInAttempt(client=client[:64]))
    # keep the table small: forget attempts older than a day
    session.execute(SignInAttempt.__table__.delete().where(SignInAttempt.at < utcnow() - dt.timedelta(days=1)))


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The user if the email and password match and the account is usable, else None.

    Counts failures and locks the account for LOGIN_LOCK_MINUTES after
    LOGIN_MAX_ATTEMPTS in a row. The caller shows one generic message either way.
    """
    cfg = current_app.config
    user = find_user_by_email(session, email)
    now = utcnow()
    if user is None or not user.active:
        verify_password(None, password)  # same work, same time
        return None
    if user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= cfg["LOGIN_MAX_ATTEMPTS"]:
            user.locked_until = now + dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
            user.failed_logins = 0
            audit.record(session, None, "lock", user, summary="Account locked after repeated failed sign-ins")
            log.warning("account %s locked after failed sign-ins", user.id)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def end_all_sessions(user: User) -> None:
    """Every existing session of this user stops working (the session version moves on)."""
    user.session_version = (user.session_version or 1) + 1


def set_password(session: Session, user: User, password: str, actor: User | None = None) -> None:
    problem = password_problem(password, email=user.email, name=user.name)
    if problem:
        raise AccountError(problem, field="password")
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    end_all_sessions(user)
    audit.record(session, actor or user, "password", user, summary="Password set")


def set_active(session: Session, actor: User, user: User, active: bool) -> None:
    before = audit.snapshot(user, ["active"])
    user.active = active
    if not active:
        end_all_sessions(user)
    audit.record(session, actor, "update", user, summary="Account deactivated" if not active else "Account reactivated",
                 changes=audit.diff(before, audit.snapshot(user, ["active"])))


# --- single-use links -------------------------------------------------------

def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="panel-auth-link")


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def issue_link_token(session: Session, user: User, purpose: str) -> str:
    """A signed token for a single-use link. Earlier unused links of the same kind stop working."""
    now = utcnow()
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.purpose == purpose, AuthToken.used_at.is_(None))
        .values(used_at=now)
    )
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["INVITE_VALID_HOURS"]
    session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_hash(raw),
                          created_at=now, expires_at=now + dt.timedelta(hours=hours)))
    session.flush()
    return _serializer().dumps({"t": raw, "p": purpose})


def check_link_token(session: Session, signed: str) -> AuthToken | None:
    """The unused, unexpired token record behind a link, or None."""
    max_age = current_app.config["INVITE_VALID_HOURS"] * 3600
    try:
        payload = _serializer().loads(signed, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), str):
        return None
    token = session.scalar(select(AuthToken).where(AuthToken.token_hash == _hash(payload["t"])))
    if token is None or token.used_at is not None or token.expires_at <= utcnow() or not token.user.active:
        return None
    return token


def use_link_token(session: Session, token: AuthToken, password: str) -> User:
    set_password(session, token.user, password)
    token.used_at = utcnow()
    return token.user


def send_invitation(session: Session, actor: User, user: User) -> None:
    signed = issue_link_token(session, user, "invite")
    link = url_for("auth.set_password", token=signed, _external=True)
    hours = current_app.config["INVITE_VALID_HOURS"]
    body = (
        f"Hello {user.name},\n\n"
        f"{actor.name} has invited you to use panel, the {current_app.config['ORGANISATION_NAME']} "
        "service for recruitment panels.\n\n"
        f"To start, choose a password using this link. It works once and for {hours} hours:\n\n{link}\n\n"
        "If you were not expecting this email, you can ignore it.\n"
    )
    send_email(user.email, "You have been invited to panel", body)
    audit.record(session, actor, "invite", user, summary="Invitation sent")


def send_password_reset(session: Session, user: User) -> None:
    signed = issue_link_token(session, user, "reset")
    link = url_for("auth.set_password", token=signed, _external=True)
    hours = current_app.config["INVITE_VALID_HOURS"]
    body = (
        f"Hello {user.name},\n\n"
        f"Someone asked to reset your panel password. To choose a new password, use this link. "
        f"It works once and for {hours} hours:\n\n{link}\n\n"
        "If you did not ask for this, you can ignore this email. Your password has not changed.\n"
    )
    send_email(user.email, "Reset your panel password", body)
    audit.record(session, None, "reset_requested", user, summary="Password reset link sent")
