"""The notifications worker: claims due messages, sends them, records what happened.

Claiming is safe with any number of workers on any number of hosts:
- PostgreSQL: ``SELECT ... FOR UPDATE SKIP LOCKED`` picks rows no other worker holds, and they
  are marked ``sending`` with this worker's claim token in the same transaction;
- SQLite: each row is taken by one atomic ``UPDATE ... WHERE id = ? AND status = 'queued'``;
  only the worker whose UPDATE changed the row (rowcount 1) sends it.
A claim is a lease (NOTIFY_LEASE_SECONDS): a worker that dies mid-send leaves its rows to be
taken over when the lease ends (the one case where a message can go twice: sent, then the worker
died before recording it). Every later write checks the claim token, so a worker whose lease
was taken over cannot overwrite the new owner's result.

A link that is a key (a booking, invitation or password reset link) is made just before its
message is sent and never stored (panel/notifications/links.py).

A message is re-checked just before it is sent: nothing goes to a deactivated person, and a
reminder is cancelled if its recipient has finished the work it is about (stepping aside from a
candidate counts as done) or the vacancy has moved on from the deadline it is about.

Someone who chose a daily digest has the messages that can wait held (``held_until``, the next
9am London); when due, a worker takes all of that person's held messages for a channel and sends
them as one message, recording the result on every row it carries (send_group).
"""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from panel.booking import messages as booking_messages
from panel.db import utcnow
from panel.models import Candidate, Notification, NotificationStatus, User, Vacancy
from panel.notifications import links, queries, summary
from panel.notifications.channels import CHANNELS, PermanentFailure, TemporaryFailure
from panel.notifications.services import DEADLINE_OF_REMINDER

log = logging.getLogger("panel.notifications")


@dataclass
class RunResult:
    sent: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    cancelled: list[int] = field(default_factory=list)


def _due(now: dt.datetime):
    """Rows a worker may take now: queued and due (and past any back-off and any hold for the
    person's daily digest), or claimed by a worker whose lease has run out."""
    return or_(
        (Notification.status == NotificationStatus.QUEUED) & (Notification.due_at <= now)
        & (or_(Notification.next_attempt_at.is_(None), Notification.next_attempt_at <= now))
        & (or_(Notification.held_until.is_(None), Notification.held_until <= now)),
        (Notification.status == NotificationStatus.SENDING) & (Notification.lease_until < now),
    )


def _taken(token: str, now: dt.datetime) -> dict:
    lease = now + dt.timedelta(seconds=int(current_app.config["NOTIFY_LEASE_SECONDS"]))
    return {"status": NotificationStatus.SENDING, "claimed_by": token, "lease_until": lease,
            "attempts": Notification.attempts + 1}


def _sessionmaker():
    return current_app.extensions["panel.sessionmaker"]


def claim(token: str, limit: int = 50, now: dt.datetime | None = None) -> list[int]:
    """Take up to ``limit`` due messages for this worker (``token``); their ids. Committed at once,
    so other workers see them taken."""
    now = now or utcnow()
    taken = _taken(token, now)
    with _sessionmaker()() as session:
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(select(Notification.id).where(_due(now)).order_by(Notification.due_at)
                                       .limit(limit).with_for_update(skip_locked=True)))
            if ids:
                session.execute(update(Notification).where(Notification.id.in_(ids)).values(**taken))
            session.commit()
            return ids
        candidates = list(session.scalars(select(Notification.id).where(_due(now))
                                          .order_by(Notification.due_at).limit(limit)))
        session.rollback()
        return [nid for nid in candidates if take(session, nid, taken, now)]


def take(session: Session, nid: int, taken: dict, now: dt.datetime) -> bool:
    """Claim one message seen as due (SQLite): one atomic UPDATE that changes the row only if it is
    still due, so of two workers that saw it, exactly one gets rowcount 1. Committed at once."""
    result = session.execute(update(Notification).where(Notification.id == nid, _due(now)).values(**taken))
    session.commit()
    return result.rowcount == 1


def claim_digest(token: str, user_id: int, channel: str, now: dt.datetime | None = None) -> list[int]:
    """Take every other due held message of this person and channel for the digest this worker is
    sending (one atomic UPDATE that changes only rows still due, so a row another worker holds is
    left to it); the ids this worker now holds for them. Committed at once."""
    now = now or utcnow()
    with _sessionmaker()() as session:
        session.execute(update(Notification).where(Notification.user_id == user_id, Notification.channel == channel,
                                                   Notification.held_until.is_not(None), _due(now))
                        .values(**_taken(token, now)).execution_options(synchronize_session=False))
        session.commit()
        return list(session.scalars(select(Notification.id).where(
            Notification.user_id == user_id, Notification.channel == channel, Notification.held_until.is_not(None),
            Notification.claimed_by == token, Notification.status == NotificationStatus.SENDING)))


def _finish(session: Session, nid: int, token: str, **values) -> bool:
    """Record a result for a message this worker still holds; False if its claim was lost."""
    result = session.execute(update(Notification).where(Notification.id == nid, Notification.claimed_by == token,
                                                        Notification.status == NotificationStatus.SENDING)
                             .values(lease_until=None, **values))
    session.commit()
    return result.rowcount == 1


def not_wanted_because(session: Session, row: Notification, user: User | None) -> str | None:
    """Why a claimed message should not be sent after all (None: send it)."""
    if row.candidate_id is not None:  # to a candidate (``user`` is the Candidate)
        if user is None or user.is_purged:
            return "The candidate's details have been deleted"
        if user.is_withdrawn:
            return "The candidate has withdrawn"

        return booking_messages.reminder_not_wanted(session, row)
    if user is None or not user.active:
        return "The person's account is not active"
    if row.kind == summary.KIND:  # worked out again from the work as it stands now
        return summary.refresh(session, row)
    field_name = DEADLINE_OF_REMINDER.get(row.kind)
    if field_name is not None:
        vacancy = session.get(Vacancy, row.vacancy_id)
        if vacancy is None or vacancy.stage.deadline != field_name:
            return "The vacancy has moved on from this deadline"
        if queries.OWED[row.kind](session, vacancy.id, user.id) == 0:
            return "They had already finished"
    return None


def backoff(attempts: int) -> dt.timedelta:
    base = int(current_app.config["NOTIFY_RETRY_SECONDS"])
    return dt.timedelta(seconds=base * 2 ** max(attempts - 1, 0))


def send_one(nid: int, token: str, result: RunResult) -> None:
    send_group([nid], token, result)


def send_group(ids: list[int], token: str, result: RunResult) -> None:
    """Send messages this worker holds: one message alone, or a person's held messages (same
    channel) together as their daily digest. Each row is re-checked first; each row's result is
    recorded under this worker's claim, so a digest carries every row it names exactly once."""
    with _sessionmaker()() as session:
        rows = [r for r in (session.get(Notification, nid) for nid in ids)
                if r is not None and r.claimed_by == token and r.status == NotificationStatus.SENDING]
        if not rows:
            return
        first = rows[0]  # a digest's rows are all one person's; a candidate's message is alone
        user = session.get(Candidate, first.candidate_id) if first.candidate_id is not None \
            else session.get(User, first.user_id)
        wanted = []
        for row in rows:
            reason = not_wanted_because(session, row, user)
            if reason is None:
                wanted.append(row)
            elif _finish(session, row.id, token, status=NotificationStatus.CANCELLED, last_error=reason):
                result.cancelled.append(row.id)
        if not wanted:
            return
        message = wanted[0] if len(wanted) == 1 else summary.digest(wanted, user)
        channel = CHANNELS.get(message.channel)
        try:
            if len(wanted) == 1 and links.has_link(message):  # a link that is a key: made now, never stored
                message = _with_link(session, message)
            if channel is None:
                raise PermanentFailure(f"No channel called {message.channel}")
            provider_id = channel.send(message, user)
        except PermanentFailure as exc:
            log.error("message %s could not be delivered: %s", [r.id for r in wanted], exc)
            _finish_all(session, wanted, token, result.failed, status=NotificationStatus.FAILED, last_error=str(exc)[:500])
            return
        except TemporaryFailure as exc:
            attempts = max(r.attempts for r in wanted)
            if attempts >= int(current_app.config["NOTIFY_MAX_ATTEMPTS"]):
                log.error("message %s given up after %s tries: %s", [r.id for r in wanted], attempts, exc)
                _finish_all(session, wanted, token, result.failed, status=NotificationStatus.FAILED,
                            last_error=str(exc)[:500])
            else:
                log.warning("message %s will be tried again: %s", [r.id for r in wanted], exc)
                _finish_all(session, wanted, token, result.retrying, status=NotificationStatus.QUEUED,
                            last_error=str(exc)[:500], next_attempt_at=utcnow() + backoff(attempts))
            return
        _finish_all(session, wanted, token, result.sent, status=NotificationStatus.SENT,
                    provider_id=(provider_id or "")[:255], sent_at=utcnow(), last_error="")


def _with_link(session: Session, row: Notification) -> links.Outgoing:
    """The message with its link made and committed (so the link in the email works even if
    this worker dies straight after sending it)."""
    try:
        message = links.personalised(session, row)
        session.commit()
    except Exception as exc:  # e.g. the database went away: the message waits for another try
        session.rollback()
        log.exception("the link for message %s could not be made", row.id)
        raise TemporaryFailure(f"The link in the message could not be made: {exc}") from exc
    return message


def _finish_all(session: Session, rows: list[Notification], token: str, into: list[int], **values) -> None:
    into.extend(r.id for r in rows if _finish(session, r.id, token, **values))


def run_once(token: str | None = None, limit: int = 50) -> RunResult:
    """Claim what is due now and send it: each message on its own, except the messages held for a
    person's daily digest, which go together (with any more of theirs due now). Returns what happened."""
    token = token or secrets.token_hex(8)
    result = RunResult()
    while True:
        ids = claim(token, limit)
        if not ids:
            return result
        with _sessionmaker()() as session:
            held = {nid: (user_id, channel) for nid, user_id, channel in session.execute(
                select(Notification.id, Notification.user_id, Notification.channel)
                .where(Notification.id.in_(ids), Notification.held_until.is_not(None)))}
        digests: dict[tuple[int, str], None] = {}
        for nid in ids:
            if nid in held:
                digests.setdefault(held[nid])
            else:
                send_group([nid], token, result)
        for user_id, channel in digests:
            send_group(claim_digest(token, user_id, channel), token, result)
        # fewer than asked for may only mean another worker took the rest of what this one saw:
        # look again until nothing is due (a sent, retried or cancelled message is no longer due)


def run_forever(poll_seconds: float | None = None) -> None:  # pragma: no cover - a loop around run_once
    token = secrets.token_hex(8)
    poll = float(poll_seconds or current_app.config["NOTIFY_POLL_SECONDS"])
    log.info("notifications worker %s started, looking every %s seconds", token, poll)
    while True:
        try:
            r = run_once(token)
            if r.sent or r.failed or r.retrying:
                log.info("sent %s, will retry %s, could not deliver %s", len(r.sent), len(r.retrying), len(r.failed))
        except Exception:  # the database went away for a moment: log it and look again later
            log.exception("the notifications worker failed; trying again")
        time.sleep(poll)
