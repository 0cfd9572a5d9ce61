"""Links that are keys: a candidate's booking link, an account invitation and a password reset.
Whoever holds one can act as the person it was sent to, so it is never stored in the outbox: the
row keeps a placeholder, and the worker makes the link just before the message leaves
(``personalised``), commits what makes the link work (a hash of it, never the link) and sends
the message with the link filled in. Anyone reading the outbox (HR's views, a person's own
messages page, a database dump) sees the placeholder only.

A message sent again (a retry, or a worker taking over an expired claim) gets a new link, and
the new link replaces the old one: at most one link of a person works at a time.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy.orm import Session

from panel.auth import services as accounts
from panel.booking import services as booking
from panel.mail import external_url
from panel.models import Candidate, Notification, User
from panel.plans import invitations

# in the kinds below, what the stored body says where the link goes when it is sent
ACCOUNT_LINK = "{personal_link}"
SHOWN_INSTEAD = "(a personal link, made when the email was sent and not kept here)"


@dataclass
class Outgoing:
    """A message as it leaves: the outbox row's fields, with the link filled in (what a channel
    needs to send it). Not a database row: nothing here is written back."""
    id: int
    channel: str
    kind: str
    subject: str
    body: str
    idempotency_key: str
    attachment: str | None = None


def _booking_link(session: Session, row: Notification) -> str:
    return invitations.with_booking_link(row.body, booking.new_link(session, session.get(Candidate, row.candidate_id)))


def _account_link(purpose: str) -> Callable[[Session, Notification], str]:
    def make(session: Session, row: Notification) -> str:
        signed = accounts.issue_link_token(session, session.get(User, row.user_id), purpose)
        return row.body.replace(ACCOUNT_LINK, external_url("auth.set_password", token=signed))
    return make


# kind -> the body as sent, its link made now (flushed to ``session``, not committed)
MAKERS: dict[str, Callable[[Session, Notification], str]] = {
    "candidate_invitation": _booking_link,
    "account_invitation": _account_link("invite"),
    "password_reset": _account_link("reset"),
}
PLACEHOLDERS = {"candidate_invitation": "{booking_link}", "account_invitation": ACCOUNT_LINK,
                "password_reset": ACCOUNT_LINK}


def has_link(row: Notification) -> bool:
    return row.kind in MAKERS


def personalised(session: Session, row: Notification) -> Outgoing:
    """The message to send, with a new link made (and flushed: the caller commits it before
    sending, so the link in the email works even if the worker dies straight after)."""
    return Outgoing(id=row.id, channel=row.channel, kind=row.kind, subject=row.subject, body=MAKERS[row.kind](session, row),
                    idempotency_key=row.idempotency_key, attachment=row.attachment)


def shown(kind: str, body: str) -> str:
    """A stored body as the app shows it: the link's placeholder in words."""
    placeholder = PLACEHOLDERS.get(kind)
    return body.replace(placeholder, SHOWN_INSTEAD) if placeholder else body
