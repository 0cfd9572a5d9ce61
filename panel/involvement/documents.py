"""A person's certificate of involvement and draft reference letter: plain data for the pack
pipeline (panel/packs: a render job, the WeasyPrint templates templates/packs/certificate.html
and reference.html, the progress page). They hold the person's name, their roles, the jobs they
helped recruit to (titles only), dates and hours: never a candidate's name, label or score."""
from __future__ import annotations

import datetime as dt

from flask import current_app

from panel.involvement import queries
from panel.involvement.activities import INTERVIEW_DAY, QUESTIONS, SHORTLISTING
from panel.models import User
from panel.templating import long_date
from panel.uploads import safe_download_name

HEADINGS = {"certificate": "Certificate of involvement", "reference": "Draft reference letter"}
KINDS = tuple(HEADINGS)


def hours_text(value) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return f"{text} hour" + ("" if text == "1" else "s")


def build(session, person: User, kind: str, *, today: dt.date | None = None) -> dict:
    """The document's plain data (JSON-able: it is the render job's input and cache key)."""
    if kind not in KINDS:
        raise LookupError(kind)
    entries = queries.involvement_of(session, person.id)
    total = queries.total_hours(entries)
    vacancies = sorted({e.activity.vacancy_title for e in entries if e.activity.vacancy_title})
    roles = sorted({e.role for e in entries if e.role})
    counts = {k: sum(e.activity.count for e in entries if e.activity.kind == k)
              for k in (SHORTLISTING, INTERVIEW_DAY, QUESTIONS)}
    days = sum(1 for e in entries if e.activity.kind == INTERVIEW_DAY)
    dates = [e.activity.on for e in entries]
    return {
        "kind": kind,
        "heading": HEADINGS[kind],
        "large_print": bool(person.large_print),
        "lang": "en-GB",
        "organisation": current_app.config["ORGANISATION_NAME"],
        "person": person.name,
        "issued": long_date(today or dt.date.today()),
        "from": long_date(min(dates)) if dates else "",
        "to": long_date(max(dates)) if dates else "",
        "total_hours": hours_text(total),
        "roles": roles,
        "vacancies": vacancies,
        "applications_read": counts[SHORTLISTING],
        "interview_days": days,
        "questions_proposed": counts[QUESTIONS],
        "rows": [{"label": e.activity.label, "title": e.activity.vacancy_title, "role": e.role,
                  "on": long_date(e.activity.on), "hours": hours_text(e.hours)} for e in entries],
    }


def download_name(pack: dict) -> str:
    return safe_download_name(f"{pack['person']} {pack['heading'].lower()}", "document")
