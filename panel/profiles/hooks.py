"""Columns of the involvement lead's home page that come from the check-ins after interview
days (panel/involvement/). Each takes the session and the people on the page and returns, per
user id, the words to show (a missing id shows "Not recorded" / "No")."""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from panel.involvement import queries as involvement_queries


def debrief_column(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Each person's latest check-in after an interview day: answered, or not yet. Never what
    was said (panel/involvement/queries.debrief_status)."""
    status = involvement_queries.debrief_status(session, user_ids)
    return {uid: ("Check-in not answered yet" if s == involvement_queries.WAITING_FOR_REPLY else "Check-in answered")
            for uid, s in status.items()}


def waiting_for_reply_column(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """Each person waiting for the involvement lead: they asked for a call at a check-in and
    the call is not yet recorded as made."""
    status = involvement_queries.debrief_status(session, user_ids)
    return {uid: "Asked for a call" for uid, s in status.items() if s == involvement_queries.CALL_REQUESTED}
