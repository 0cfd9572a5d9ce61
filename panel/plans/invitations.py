"""Interview invitations to candidates, as pure functions: the template's placeholders,
filling them in, and describing the panel by role only.

Patient panelists are never named to candidates. The panel is described by role, and
``named_panel_members`` finds a panel member's name in a message so it can be refused.
"""
from __future__ import annotations

import re
from typing import Iterable, Mapping

PLACEHOLDER_RE = re.compile(r"\{([a-z_]+)\}")

PLACEHOLDERS = {
    "first_name": "the candidate's first name",
    "candidate_name": "the candidate's full name",
    "job_title": "the job title",
    "reference": "the vacancy reference",
    "date": "the date of their interview, like Tuesday 3 March 2026",
    "time": "the time their interview starts, like 9:30am",
    "end_time": "the time their interview ends",
    "place": "the room or video link of their slot",
    "panel": "who is on the panel, by role only (nobody is named)",
    "organisation": "the name of the service",
    "booking_link": "the candidate's own link to confirm or change their time, decline, and tell us about adjustments "
                    "(made when the invitation is sent, and added at the end if the message leaves it out)",
}

# the link stays a placeholder until the moment of sending: only a hash of it is ever stored
LINK_PLACEHOLDER = "{booking_link}"

DEFAULT_SUBJECT = "Invitation to interview: {job_title} ({reference})"

DEFAULT_BODY = """Dear {first_name},

Thank you for applying for the {job_title} post ({reference}). We are pleased to invite you to an interview.

Date: {date}
Time: {time} to {end_time}
Place: {place}

{panel}

Please confirm your interview, choose another free time, or tell us you cannot come, with your own link:
{booking_link}

The same page asks whether you need anything to take part (for example step-free access, extra time or a BSL interpreter). You can change your booking there until shortly before the day.

With best wishes,
Recruitment team, {organisation}"""


def unknown_placeholders(text: str) -> list[str]:
    found = []
    for name in PLACEHOLDER_RE.findall(text or ""):
        if name not in PLACEHOLDERS and name not in found:
            found.append(name)
    return found


def fill(text: str, values: Mapping[str, str]) -> str:
    """Replace {placeholders} with values; anything unknown is left as typed."""
    return PLACEHOLDER_RE.sub(lambda m: str(values.get(m.group(1), m.group(0))), text or "")


def _count(n: int, one: str, many: str) -> str:
    words = {1: "one", 2: "two", 3: "three", 4: "four", 5: "five", 6: "six"}
    return f"{words.get(n, str(n))} {one if n == 1 else many}"


def with_booking_link(body: str, link: str) -> str:
    """The message as sent: the placeholder replaced by the candidate's link, or the link added
    at the end when the message leaves it out."""
    if LINK_PLACEHOLDER in body:
        return body.replace(LINK_PLACEHOLDER, link)
    return f"{body.rstrip()}\n\nConfirm or change your interview time, or tell us about adjustments you need:\n{link}\n"


def panel_by_role(roles: Iterable[str]) -> str:
    """A sentence about the panel's make-up that names nobody.
    ``roles`` are panel role values: "chair", "staff", "patient"."""
    roles = list(roles)
    chairs = roles.count("chair")
    staff = roles.count("staff")
    patients = roles.count("patient")
    parts = []
    if chairs:
        parts.append("the chair of the panel, who is a member of staff" if chairs == 1
                     else _count(chairs, "chair", "chairs"))
    if staff:
        parts.append(_count(staff, "other member of staff", "other members of staff") if chairs
                     else _count(staff, "member of staff", "members of staff"))
    if patients:
        parts.append(_count(patients, "person who has used our service and now helps us recruit staff (a patient panel member)",
                            "people who have used our service and now help us recruit staff (patient panel members)"))
    if not parts:
        return "You will meet an interview panel."
    if len(parts) == 1:
        listed = parts[0]
    else:
        listed = ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"Your interview panel will be {listed}."


def named_panel_members(text: str, names: Iterable[str]) -> list[str]:
    """The panel members' names (full names) that appear in a message, ignoring case and spacing."""
    flat = " ".join((text or "").lower().split())
    found = []
    for name in names:
        key = " ".join((name or "").lower().split())
        if key and key in flat and name not in found:
            found.append(name)
    return found
