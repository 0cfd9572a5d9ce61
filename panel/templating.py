"""Jinja filters and globals shared by every page."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from flask_login import current_user

LONDON = ZoneInfo("Europe/London")


def london(value: dt.datetime | None, fmt: str = "datetime") -> str:
    """A UTC datetime shown in Europe/London, the way people write it: 3 March 2026 at 2:05pm."""
    if value is None:
        return ""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.timezone.utc)
    local = value.astimezone(LONDON)
    date_part = f"{local.day} {local:%B %Y}"
    if fmt == "date":
        return date_part
    hour = local.hour % 12 or 12
    time_part = f"{hour}:{local:%M}{'am' if local.hour < 12 else 'pm'}"
    if fmt == "time":
        return time_part
    return f"{date_part} at {time_part}"


def long_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return f"{value.day} {value:%B %Y}"


def navigation_items() -> list[dict]:
    from panel import permissions

    if not current_user.is_authenticated:
        return []
    path = request.path
    items = [{"href": url_for("main.home"), "text": "Home", "current": path == "/"}]
    items.append({"href": url_for("vacancies.index"), "text": "Vacancies", "active": path.startswith("/vacancies")})
    if permissions.can_view_question_bank(current_user):
        items.append({"href": url_for("questions.index"), "text": "Question bank", "active": path.startswith("/questions")})
    if permissions.can_manage_users(current_user):
        items.append({"href": url_for("people.index"), "text": "People", "active": path.startswith("/people")})
    if permissions.can_view_audit_log(current_user):
        items.append({"href": url_for("main.audit_log"), "text": "Audit log", "active": path.startswith("/audit")})
    return items


def init_app(app: Flask) -> None:
    app.jinja_env.filters["london"] = london
    app.jinja_env.filters["long_date"] = long_date

    @app.context_processor
    def _globals():
        return {
            "navigation_items": navigation_items,
            "organisation_name": app.config["ORGANISATION_NAME"],
            "session_idle_seconds": app.config["SESSION_IDLE_MINUTES"] * 60,
            "session_warning_seconds": app.config["SESSION_WARNING_MINUTES"] * 60,
        }
