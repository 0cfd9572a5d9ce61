"""How a message leaves panel. A channel sends one outbox row and returns the provider's id for
it, or raises TemporaryFailure (try again later) or PermanentFailure (never going to work).

Email goes through panel/mail.py (SMTP, or the local outbox folder in development). GOV.UK Notify
(email and text messages, ``notifications-python-client``) is the next channel: a class with the
same ``send`` registered in CHANNELS under "notify_email" / "notify_sms", chosen per person by
their preferences; the worker needs no change.
"""
from __future__ import annotations

from typing import Protocol

from panel import mail
from panel.models import Notification, User


class TemporaryFailure(Exception):
    """The provider could not take the message now (down, timed out): try again later."""


class PermanentFailure(Exception):
    """The message can never be sent as it is (address refused, no address)."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification, user: User) -> str:
        """Send the message; return the provider's id for it."""


class EmailChannel:
    name = "email"

    def send(self, notification: Notification, user: User) -> str:
        if not user.email:
            raise PermanentFailure("This person has no email address")
        try:
            return mail.send_email(user.email, notification.subject, notification.body, notification.attachment)
        except mail.MailError as exc:
            if exc.permanent:
                raise PermanentFailure(str(exc)) from exc
            raise TemporaryFailure(str(exc)) from exc


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}
