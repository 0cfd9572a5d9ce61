"""Columns of the involvement lead's home page that another area fills (issue 17, item 6:
support, debrief and check-ins live in panel/involvement/).

Each hook takes the session and the people on the page and returns, per user id, the words to
show (a missing id shows "Not recorded"). They return nothing until that area replaces them;
the page and its tests already read them.
"""
from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session


def debrief_column(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """HOOK (panel/involvement/): whether each person has been offered and had a debrief after
    their last interview day, e.g. {7: "Debrief offered 3 March"}. Never what was said."""
    return {}


def waiting_for_reply_column(session: Session, user_ids: Iterable[int]) -> dict[int, str]:
    """HOOK (panel/involvement/): each person who is waiting for a reply from the involvement
    lead (asked for a call at a check-in, raised a concern), e.g. {7: "Asked for a call"}."""
    return {}
