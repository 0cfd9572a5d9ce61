"""Accounts: creating users, signing in, lockout, single-use links, passwords."""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import secrets

import phonenumbers
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from panel import audit
from panel.db import utcnow
from panel.errors import ServiceError
from panel.mail import after_response, external_url
from panel.notifications import services as outbox
from panel.models import AuthToken, PasswordResetRequest, Role, SignInAttempt, User
from panel.passwords import hash_password, password_problem, verify_password

log = logging.getLogger("panel.auth")

DEVICE_COOKIE = "panel_device"
DEVICE_COOKIE_DAYS = 365
DEVICE_COOKIE_MAX_ACCOUNTS = 10  # a shared tablet on an interview day


def login_error() -> str:
    """The one message for every failed sign-in (wrong password, unknown address, slowed down),
    so it tells a stranger nothing about the account; true in every case."""
    cfg = current_app.config
    return (
        f"Enter a correct email address and password. After {cfg['LOGIN_MAX_ATTEMPTS']} wrong tries in a row, "
        f"you must wait before trying again on a device you have not signed in on before: "
        f"{cfg['LOGIN_BACKOFF_SECONDS']} seconds at first, then longer each time, up to "
        f"{cfg['LOGIN_LOCK_MINUTES']} minutes. To get in straight away, choose a new password with "
        "'Forgotten your password?'."
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


def account_key(email: str) -> str:
    """What the throttles remember about a typed address: a hash, whether or not it has an account."""
    return hashlib.sha256(normalise_email(email).encode()).hexdigest()


def backoff(failures: int) -> dt.timedelta:
    """How long to wait after this many failures in a row: nothing below LOGIN_MAX_ATTEMPTS, then
    LOGIN_BACKOFF_SECONDS, doubling with each further failure, up to LOGIN_LOCK_MINUTES."""
    cfg = current_app.config
    over = failures - cfg["LOGIN_MAX_ATTEMPTS"]
    if over < 0:
        return dt.timedelta(0)
    seconds = min(cfg["LOGIN_LOCK_MINUTES"] * 60, cfg["LOGIN_BACKOFF_SECONDS"] * 2 ** min(over, 20))
    return dt.timedelta(seconds=seconds)


def client_is_throttled(session: Session, client: str) -> bool:
    """Failed sign-ins to too many different accounts from this address lately (password
    spraying). Hammering one account counts once here: that is the pair's and the account's
    business, so it cannot hold back everyone behind a shared address. Only sign-ins from
    devices new to the account are held back (see sign_in)."""
    cfg = current_app.config
    since = utcnow() - dt.timedelta(minutes=cfg["LOGIN_LOCK_MINUTES"])
    accounts = session.scalar(select(func.count(func.distinct(SignInAttempt.account)))
                              .where(SignInAttempt.client == client[:64], SignInAttempt.at > since))
    return (accounts or 0) >= cfg["LOGIN_MAX_ATTEMPTS_PER_CLIENT"]


def pair_wait_until(session: Session, client: str, key: str) -> dt.datetime | None:
    """When this (address, account) pair may try again, if it must wait: the back-off after its
    failures in a row (forgotten on a successful sign-in, or after a day)."""
    now = utcnow()
    count, last = session.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.at))
        .where(SignInAttempt.client == client[:64], SignInAttempt.account == key,
               SignInAttempt.at > now - dt.timedelta(days=1))
    ).one()
    if not count or last is None:
        return None
    if last.tzinfo is None:  # max() comes back without the column type on some databases
        last = last.replace(tzinfo=dt.timezone.utc)
    until = last + backoff(count)
    return until if until > now else None


def record_failed_attempt(session: Session, client: str, key: str | None = None) -> None:
    session.add(SignInAttempt(client=client[:64], account=key, at=utcnow()))
    # keep the table small: forget attempts older than a day
    session.execute(SignInAttempt.__table__.delete().where(SignInAttempt.at < utcnow() - dt.timedelta(days=1)))


def device_client(cookie: str | None) -> str | None:
    """What the throttles call one browser's device cookie (a hash of it: the cookie is signed,
    so it cannot be made up, and it is new after each sign-in), or None without one."""
    return "device:" + hashlib.sha256(cookie.encode()).hexdigest()[:40] if cookie else None


def sign_in(session: Session, email: str, password: str, *, client: str,
            known_devices: set[int] | frozenset[int] = frozenset(), device: str | None = None) -> User | None:
    """The user if the email and password are right and the account is usable, else None.

    Failures are throttled per (address, account) pair and per account, with a wait that grows
    (backoff), never a flat block on everyone: a right password from a device that has signed in
    to this account before (known_devices, from the signed cookie) is always let in, so a
    stranger cannot keep a chair out on the interview day. Lots of failures from one address
    across accounts hold back new devices at that address only. A known device is known only
    until LOGIN_MAX_ATTEMPTS wrong passwords in a row come from it (``device``, its cookie:
    see device_client): then it waits like a new one, so someone at a shared computer the owner
    once used cannot guess the password without end.
    """
    client = (client or "unknown")[:64]
    key = account_key(email)
    user = find_user_by_email(session, email)
    known = user is not None and user.id in known_devices \
        and not (device is not None and pair_wait_until(session, device, key) is not None)
    held = None
    if not known:
        if client_is_throttled(session, client):
            held = "address"
        elif pair_wait_until(session, client, key) is not None:
            held = "address and account"
    found = authenticate(session, email, password, known_device=known, held=held is not None, user=user)
    if found is None:
        record_failed_attempt(session, client, key)
        if known and device is not None:
            record_failed_attempt(session, device, key)
        session.flush()
        if held is None and pair_wait_until(session, client, key) is not None:
            log.warning("sign-ins from %s to account %s held back after %s failures in a row",
                        client, key[:12], current_app.config["LOGIN_MAX_ATTEMPTS"])
        elif held is not None:
            log.info("sign-in from %s to account %s refused: %s throttled", client, key[:12], held)
        return None
    session.execute(SignInAttempt.__table__.delete()
                    .where(SignInAttempt.client.in_([client, device or client]), SignInAttempt.account == key))
    return found


def check_current_password(session: Session, user: User, password: str) -> bool | None:
    """Whether ``password`` is the signed-in user's own (asked before it is changed): None when
    it has been typed wrongly LOGIN_MAX_ATTEMPTS times in a row (the caller ends the session),
    so someone at a computer left signed in cannot guess it without end."""
    client, key = f"account:{user.id}", account_key(user.email)
    if pair_wait_until(session, client, key) is not None:
        verify_password(None, password)
        return None
    if verify_password(user.password_hash, password):
        session.execute(SignInAttempt.__table__.delete().where(SignInAttempt.client == client))
        return True
    record_failed_attempt(session, client, key)
    session.flush()
    if pair_wait_until(session, client, key) is not None:
        log.warning("account %s: current password typed wrongly %s times in a row; session ended",
                    user.id, current_app.config["LOGIN_MAX_ATTEMPTS"])
        audit.record(session, user, "sign_out", user, summary="Signed out after the current password was typed "
                     "wrongly too many times on the change-password page")
        return None
    return False


def authenticate(session: Session, email: str, password: str, *, known_device: bool = False,
                 held: bool = False, user: User | None = None) -> User | None:
    """The user if the email and password match and the account is usable, else None.

    Counts failures in a row on the account; from LOGIN_MAX_ATTEMPTS on, tries from devices new
    to the account must wait backoff(failures), and the owner is told by email (at most once per
    LOGIN_LOCK_MINUTES). A try that must wait is refused without looking at the password, so it
    does not count. The caller shows one generic message either way.
    """
    user = user if user is not None else find_user_by_email(session, email)
    now = utcnow()
    if user is None or not user.active or held:
        verify_password(None, password)  # same work, same time
        return None
    if user.locked_until is not None and user.locked_until > now and not known_device:
        verify_password(None, password)
        return None
    if not verify_password(user.password_hash, password):
        user.failed_logins = (user.failed_logins or 0) + 1
        if user.failed_logins >= current_app.config["LOGIN_MAX_ATTEMPTS"]:
            user.locked_until = now + backoff(user.failed_logins)
            _account_slowed(session, user, now)
        return None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    return user


def _account_slowed(session: Session, user: User, now: dt.datetime) -> None:
    """Log and audit every lockout; tell the owner by email, at most once per LOGIN_LOCK_MINUTES:
    the message is written to the outbox with the lock (sent by the notifications worker, never
    while the browser waits)."""
    wait = int((user.locked_until - now).total_seconds())
    summary = (f"Sign-ins from new devices held back for {wait} seconds after "
               f"{user.failed_logins} failed tries in a row")
    audit.record(session, None, "lock", user, summary=summary)
    log.warning("account %s locked for %s seconds after %s failed sign-ins in a row",
                user.id, wait, user.failed_logins)
    quiet = dt.timedelta(minutes=current_app.config["LOGIN_LOCK_MINUTES"])
    if user.lock_notified_at is not None and user.lock_notified_at > now - quiet:
        return
    user.lock_notified_at = now
    cfg = current_app.config
    outbox.to_account_holder(session, user=user, kind="sign_in_alert", key=f"sign_in_alert:u{user.id}:{now.isoformat()}",
                             context={"max_attempts": cfg["LOGIN_MAX_ATTEMPTS"], "lock_minutes": cfg["LOGIN_LOCK_MINUTES"],
                                      "forgot_link": external_url("auth.forgot_password")})


def known_device_ids(cookie: str | None) -> set[int]:
    """The accounts that have signed in on this browser before (from its signed cookie)."""
    if not cookie:
        return set()
    try:
        ids = _device_serializer().loads(cookie, max_age=DEVICE_COOKIE_DAYS * 86400)
    except (BadSignature, SignatureExpired):
        return set()
    if not isinstance(ids, list):
        return set()
    return {i for i in ids if isinstance(i, int)}


def device_cookie_value(user_id: int, known: set[int]) -> str:
    ids = [user_id] + sorted(i for i in known if i != user_id)
    return _device_serializer().dumps(ids[:DEVICE_COOKIE_MAX_ACCOUNTS])


def _device_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="panel-known-device")


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
    void_links(session, user)  # a link sent before this password change must not change it again
    # the owner has proved who they are: the (address, account) waits on the account end too
    session.execute(SignInAttempt.__table__.delete().where(SignInAttempt.account == account_key(user.email)))
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


def _password_fingerprint(user: User) -> str:
    """Changes whenever the password does (by any route), so a link stops working then."""
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, (user.password_hash or "").encode(), hashlib.sha256).hexdigest()[:24]


def void_links(session: Session, user: User) -> None:
    """Every unused invitation or reset link of this user stops working."""
    session.execute(
        update(AuthToken)
        .where(AuthToken.user_id == user.id, AuthToken.used_at.is_(None))
        .values(used_at=utcnow())
    )


def issue_link_token(session: Session, user: User, purpose: str) -> str:
    """A signed token for a single-use link. Earlier unused links (of any kind) stop working,
    and this one stops working if the password changes before it is used."""
    now = utcnow()
    void_links(session, user)
    raw = secrets.token_urlsafe(32)
    hours = current_app.config["INVITE_VALID_HOURS"]
    session.add(AuthToken(user_id=user.id, purpose=purpose, token_hash=_hash(raw),
                          created_at=now, expires_at=now + dt.timedelta(hours=hours)))
    session.flush()
    return _serializer().dumps({"t": raw, "p": purpose, "h": _password_fingerprint(user)})


def check_link_token(session: Session, signed: str) -> AuthToken | None:
    """The unused, unexpired token record behind a link, or None (also when the password has
    changed since the link was sent)."""
    max_age = current_app.config["INVITE_VALID_HOURS"] * 3600
    try:
        payload = _serializer().loads(signed, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("t"), str) or not isinstance(payload.get("h"), str):
        return None
    token = session.scalar(select(AuthToken).where(AuthToken.token_hash == _hash(payload["t"])))
    if token is None or token.used_at is not None or token.expires_at <= utcnow() or not token.user.active:
        return None
    if not hmac.compare_digest(payload["h"], _password_fingerprint(token.user)):
        return None
    return token


def use_link_token(session: Session, token: AuthToken, password: str) -> User:
    set_password(session, token.user, password)
    token.used_at = utcnow()
    return token.user


def _link_message(session: Session, user: User, kind: str, **context) -> None:
    """An invitation or password reset to the outbox, in this transaction. Its link is made when
    the worker sends it (panel/notifications/links.py): the outbox never holds a working link.
    Earlier unused links stop working now (and again when the new one is made)."""
    void_links(session, user)
    outbox.to_account_holder(session, user=user, kind=kind, key=f"{kind}:u{user.id}:{secrets.token_hex(8)}",
                             context={"hours": current_app.config["INVITE_VALID_HOURS"], **context})


def send_invitation(session: Session, actor: User, user: User) -> None:
    """Queue the invitation email (sent by the notifications worker within a minute or so)."""
    _link_message(session, user, "account_invitation", actor_name=actor.name)
    audit.record(session, actor, "invite", user, summary="Invitation queued to be emailed")


def send_password_reset(session: Session, user: User) -> None:
    _link_message(session, user, "password_reset")
    audit.record(session, None, "reset_requested", user, summary="Password reset link queued to be emailed")


def request_password_reset(session: Session, email: str) -> None:
    """A forgotten-password request. The request does the same work whatever the address (a
    row counting requests per address hash); looking the account up and sending the email
    happen after the answer has gone. At most RESET_MAX_PER_HOUR requests per address per hour
    lead to an email; the rest are logged and get the same answer. After the answer, only the
    message is written to the outbox (in its own transaction); the worker sends it."""
    key = account_key(email)
    now = utcnow()
    session.execute(PasswordResetRequest.__table__.delete()
                    .where(PasswordResetRequest.at < now - dt.timedelta(days=1)))
    recent = session.scalar(select(func.count(PasswordResetRequest.id))
                            .where(PasswordResetRequest.account == key,
                                   PasswordResetRequest.at > now - dt.timedelta(hours=1))) or 0
    session.add(PasswordResetRequest(account=key, at=now))
    if recent >= current_app.config["RESET_MAX_PER_HOUR"]:
        log.warning("password reset requests for address %s capped: %s in the last hour", key[:12], recent + 1)
        return
    address = normalise_email(email)
    after_response(lambda s: _reset_if_known(s, address), "password reset message")


def _reset_if_known(session: Session, address: str) -> None:
    user = find_user_by_email(session, address)
    if user is not None and user.active:
        send_password_reset(session, user)


def uk_mobile(text: str | None) -> str | None:
    """A UK mobile number in E.164 (+447...), None for nothing entered; AccountError otherwise."""
    text = (text or "").strip()
    if not text:
        return None
    message = "Enter a UK mobile phone number, starting 07 or +44 7"
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException as exc:
        raise AccountError(message) from exc
    if (not phonenumbers.is_valid_number(number) or number.country_code != 44
            or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE):
        raise AccountError(message)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
