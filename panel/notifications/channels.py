"""How a message leaves panel. A channel sends one outbox row and returns the provider's id for
it, or raises TemporaryFailure (try again later) or PermanentFailure (never going to work).

Email goes through GOV.UK Notify when PANEL_NOTIFY_API_KEY is set, else panel/mail.py (SMTP, or
the local outbox folder in development). An interview-day email carries its calendar file as an
attachment over SMTP, and as a signed link to it through Notify (NotifyChannels.email_body). Text messages ("sms") go only through Notify, to the
person's own mobile number. Which channels a person gets is their preference (services.enqueue).
"""
from __future__ import annotations

from typing import Protocol

import requests
from flask import current_app
from notifications_python_client import errors as notify_errors
from notifications_python_client.notifications import NotificationsAPIClient

from panel import mail
from panel.mail import external_url
from panel.models import Notification, User
from panel.notifications import calendar


class TemporaryFailure(Exception):
    """The provider could not take the message now (down, timed out): try again later."""


class PermanentFailure(Exception):
    """The message can never be sent as it is (address refused, no address)."""


class Channel(Protocol):
    name: str

    def send(self, notification: Notification, user: User) -> str:
        """Send the message; return the provider's id for it."""


class EmailChannel:
    """SMTP (or the local outbox folder), or GOV.UK Notify when PANEL_NOTIFY_API_KEY is set."""
    name = "email"

    def send(self, notification: Notification, user: User) -> str:
        if current_app.config.get("NOTIFY_API_KEY"):
            return NOTIFY.send_email(notification, user)
        if not user.email:
            raise PermanentFailure("This person has no email address")
        try:
            return mail.send_email(user.email, notification.subject, notification.body, notification.attachment)
        except mail.MailError as exc:
            if exc.permanent:
                raise PermanentFailure(str(exc)) from exc
            raise TemporaryFailure(str(exc)) from exc


class NotifyChannels:
    """GOV.UK Notify through its own client library: one generic template per channel whose
    personalisation is ((subject)) and ((body)). 4xx (the request will never be accepted: bad
    number, bad template, bad key) is permanent; 5xx, 429 and no connection are temporary."""

    def client(self) -> NotificationsAPIClient:
        cfg = current_app.config
        kwargs = {"base_url": cfg["NOTIFY_BASE_URL"]} if cfg.get("NOTIFY_BASE_URL") else {}
        return NotificationsAPIClient(cfg["NOTIFY_API_KEY"], **kwargs)

    def _call(self, send, **kwargs) -> str:
        try:
            response = send(**kwargs)
        except notify_errors.HTTPError as exc:
            status = exc.status_code
            if 400 <= status < 500 and status != 429:
                raise PermanentFailure(f"GOV.UK Notify refused the message: {exc}") from exc
            raise TemporaryFailure(f"GOV.UK Notify could not take the message now: {exc}") from exc
        except (requests.RequestException, notify_errors.InvalidResponse) as exc:
            raise TemporaryFailure(f"GOV.UK Notify could not be reached: {exc}") from exc
        return str(response.get("id", ""))

    def send_email(self, notification: Notification, user: User) -> str:
        if not user.email:
            raise PermanentFailure("This person has no email address")
        client = self.client()
        return self._call(client.send_email_notification, email_address=user.email,
                          template_id=current_app.config["NOTIFY_EMAIL_TEMPLATE_ID"],
                          personalisation={"subject": notification.subject, "body": self.email_body(notification)},
                          reference=notification.idempotency_key[:100])

    @staticmethod
    def email_body(notification: Notification) -> str:
        """The body, with a link to its calendar file when it has one. Notify sends no
        attachments, and its "send a file by email" gives a download page (after the person
        types their email address) that calendar programs never see as an invitation, for a
        list of file types without text/calendar: so the file is served by panel itself, from a
        signed link that needs no sign-in (panel/notifications/views.py calendar_file)."""
        if not notification.attachment or not getattr(notification, "id", None):
            return notification.body
        link = external_url("calendar_files.calendar_file", token=calendar.file_token(notification.id))
        cancel = "METHOD:CANCEL" in notification.attachment
        what = "remove it from your calendar" if cancel else "add it to your calendar (or update it there)"
        return f"{notification.body.rstrip()}\n\nTo {what}, open this calendar file: {link}\n"

    def send_sms(self, notification: Notification, user: User) -> str:
        if not current_app.config.get("NOTIFY_API_KEY"):
            raise PermanentFailure("Text messages need GOV.UK Notify (PANEL_NOTIFY_API_KEY is not set)")
        if not user.mobile:
            raise PermanentFailure("This person has no mobile number")
        client = self.client()
        return self._call(client.send_sms_notification, phone_number=user.mobile,
                          template_id=current_app.config["NOTIFY_SMS_TEMPLATE_ID"],
                          personalisation={"subject": notification.subject, "body": notification.body},
                          reference=notification.idempotency_key[:100])


NOTIFY = NotifyChannels()


class SmsChannel:
    name = "sms"

    def send(self, notification: Notification, user: User) -> str:
        return NOTIFY.send_sms(notification, user)


CHANNELS: dict[str, Channel] = {"email": EmailChannel(), "sms": SmsChannel()}
