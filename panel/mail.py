"""Email: over SMTP when configured, otherwise into instance/outbox/ as .eml files."""
from __future__ import annotations

import logging
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from flask import current_app

log = logging.getLogger("panel.mail")


class MailError(Exception):
    """The message could not be sent."""


def one_line(text: str) -> str:
    """A header value on one line. A typed subject (or a vacancy title in one) can hold line
    breaks when a script posts the form; the email library refuses those (a 500 while sending),
    and they must never start a header of their own (Bcc: ...)."""
    return " ".join((text or "").split())


def build_message(to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = current_app.config["MAIL_FROM"]
    msg["To"] = one_line(to)
    msg["Subject"] = one_line(subject)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="panel")
    msg.set_content(body)
    return msg


def send_email(to: str, subject: str, body: str) -> None:
    msg = build_message(to, subject, body)
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
            raise MailError(str(exc)) from exc
        log.info("email sent over SMTP to %s: %s", _mask(to), subject)
        return
    outbox = Path(cfg["OUTBOX_FOLDER"])
    outbox.mkdir(parents=True, exist_ok=True)
    path = outbox / f"{formatdate(usegmt=True)[5:25].replace(' ', '-').replace(':', '')}-{uuid.uuid4().hex[:8]}.eml"
    try:
        path.write_bytes(bytes(msg))
    except OSError as exc:
        log.error("could not write email to outbox: %s", exc)
        raise MailError(str(exc)) from exc
    log.info("email to %s written to %s (no SMTP server configured)", _mask(to), path)


def _mask(address: str) -> str:
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
