"""Calendar invitations for interview days, built with icalendar.

One UID per person and day (``interview-day-<day id>-<user id>@panel``), so a person's calendar
keeps one event that later messages update: SEQUENCE goes up with every change, METHOD:REQUEST
sends or updates it, METHOD:CANCEL removes it. Times are Europe/London, with its VTIMEZONE.
"""
from __future__ import annotations

import datetime as dt
import hashlib

from flask import current_app
from icalendar import Calendar, Event, vCalAddress, vText
from itsdangerous import BadSignature, URLSafeSerializer

from panel.deadlines import LONDON
from panel.db import utcnow


FILE_SALT = "panel.calendar-file"


def file_token(notification_id: int) -> str:
    """The secret part of a link to one message's calendar file (signed with the app's secret
    key): for GOV.UK Notify emails, which cannot carry a calendar file as an attachment."""
    return URLSafeSerializer(current_app.secret_key, salt=FILE_SALT).dumps(notification_id)


def notification_id_from(token: str) -> int | None:
    """The message a link names, or None for a link that was not made by panel."""
    try:
        value = URLSafeSerializer(current_app.secret_key, salt=FILE_SALT).loads(token)
    except BadSignature:
        return None
    return value if isinstance(value, int) else None


def uid(day_id: int, user_id: int) -> str:
    return f"interview-day-{day_id}-{user_id}@panel"


def fingerprint(starts_at: dt.datetime, ends_at: dt.datetime, location: str) -> str:
    """A short hash of what the invitation says: a change to any of it is an update."""
    text = f"{starts_at.isoformat()}|{ends_at.isoformat()}|{location}"
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def invitation(*, day_id: int, user, organiser: str, sequence: int, starts_at: dt.datetime, ends_at: dt.datetime,
               summary: str, location: str, description: str, cancel: bool = False, event_uid: str | None = None,
               attendee_name: str | None = None) -> str:
    """The iCalendar text. ``user``: the attendee (anything with id and email); ``event_uid`` and
    ``attendee_name`` for someone who is not a user (a candidate's own interview)."""
    cal = Calendar()
    cal.add("prodid", "-//panel//NHS recruitment panels//EN")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", event_uid or uid(day_id, user.id))
    event.add("sequence", sequence)
    event.add("dtstamp", utcnow())
    event.add("dtstart", starts_at.astimezone(LONDON))
    event.add("dtend", ends_at.astimezone(LONDON))
    event.add("summary", summary)
    if location:
        event.add("location", location)
    event.add("description", description)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    event.add("transp", "OPAQUE")
    event["organizer"] = vCalAddress(f"mailto:{organiser}")
    attendee = vCalAddress(f"mailto:{user.email}")
    attendee.params["cn"] = vText(attendee_name or user.name)
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["partstat"] = vText("NEEDS-ACTION")
    attendee.params["rsvp"] = vText("FALSE")
    event.add("attendee", attendee, encode=0)
    cal.add_component(event)
    # the Europe/London VTIMEZONE, with the clock changes around the day
    cal.add_missing_timezones(first_date=starts_at.date() - dt.timedelta(days=366),
                              last_date=ends_at.date() + dt.timedelta(days=366))
    return cal.to_ical().decode()
