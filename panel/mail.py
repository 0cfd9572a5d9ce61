"""Email: over SMTP when configured, otherwise into instance/outbox/ as .eml files."""
from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Callable

from flask import after_this_request, current_app, has_request_context

from panel.db import session_scope

log = logging.getLogger("panel.mail")


class MailError(Exception):
    """The message could not be sent. ``permanent``: the server refused the recipient, so trying
    again will not help."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


def one_line(text: str) -> str:
    """A header value on one line. A typed subject (or a vacancy title in one) can hold line
    breaks when a script posts the form; the email library refuses those (a 500 while sending),
    and they must never start a header of their own (Bcc: ...)."""
    return " ".join((text or "").split())


def external_url(endpoint: str, **values) -> str:
    """The full address of a page, for a link sent out (email, document). Built from the
    configuration (SERVER_NAME, PREFERRED_URL_SCHEME) and never from the request: its Host and
    X-Forwarded-Host headers are whatever the sender typed, so a link built from them could
    send a password reset to someone else's site. Every emailed link goes through here."""
    cfg = current_app.config
    server = cfg.get("SERVER_NAME")
    if not server:  # only debug and test runs start without it (panel/config.py)
        if not (current_app.debug or current_app.testing):
            raise RuntimeError("PANEL_SERVER_NAME is not set: emailed links cannot be built")
        server = "localhost"
    adapter = current_app.url_map.bind(server, script_name=cfg.get("APPLICATION_ROOT") or "/",
                                       url_scheme=cfg.get("PREFERRED_URL_SCHEME") or "https")
    return adapter.build(endpoint, values, force_external=True)


def after_response(job: Callable, what: str) -> None:
    """Run job(session) once the answer has gone to the browser, in its own app context and
    database session (committed if it succeeds). For work whose cost would tell a stranger
    something: a password reset looks the account up and writes its message to the outbox only
    after the answer, so the answer is the same whether or not the address has an account. No
    job sends email itself: every message is sent by the notifications worker from the outbox.
    Outside a request (command line) the job runs at once."""

    app = current_app._get_current_object()

    def run() -> None:
        try:
            with app.app_context(), session_scope() as session:
                job(session)
        except Exception:  # the answer has gone: log it, never raise into the server
            log.exception("%s failed after the response", what)

    if not has_request_context():
        run()
        return

    @after_this_request
    def _register(response):
        response.call_on_close(run)
        return response


def build_message(to: str, subject: str, body: str, calendar: str | None = None) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="panel")
    msg.set_content(body)
    if calendar:  # an invitation: text/calendar with its METHOD, which calendar programs act on
        method = "CANCEL" if "METHOD:CANCEL" in calendar else "REQUEST"
        msg.add_attachment(calendar.encode(), maintype="text", subtype="calendar", filename="invitation.ics",
                           params={"method": method, "charset": "utf-8"})
    return msg


def send_email(to: str, subject: str, body: str, calendar: str | None = None) -> str:
    """Send (or write to the outbox folder) one email, with a calendar invitation if given; returns
    its Message-ID. Only the notifications worker calls this (panel/notifications/channels.py):
    everything else writes a message to the outbox table with its event."""
    msg = build_message(to, subject, body, calendar)
    cfg = current_app.config
    if cfg.get("SMTP_HOST"):
        try:
            with smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], timeout=cfg["SMTP_TIMEOUT"]) as smtp:
                if cfg["SMTP_STARTTLS"]:
                    smtp.starttls(context=ssl.create_default_context())
                if cfg.get("SMTP_USERNAME"):
                    smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"])
                smtp.send_message(msg)
        except (OSError, smtplib.SMTPException) as exc:
            log.error("email to %s failed: %s", _mask(to), exc)
            raise MailError(str(exc), permanent=isinstance(exc, smtplib.SMTPRecipientsRefused)) from exc
        log.info("email sent over SMTP to %s: %s", _mask(to), subject)
        return msg["Message-ID"]
    outbox = Path(cfg["OUTBOX_FOLDER"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{uuid.uuid4().hex[:8]}.eml"
    try:
        path.write_bytes(bytes(msg))
    except OSError as exc:
        log.error("could not write email to outbox: %s", exc)
        raise MailError(str(exc)) from exc
    log.info("email to %s written to %s (no SMTP server configured)", _mask(to), path)
    return msg["Message-ID"]


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
