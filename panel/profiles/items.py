"""The items of an involvement profile, in words, and the one sentence a chair reads.

"Zoë Ashworth needs step-free access and a break every hour": what to arrange, never why.
"""
from __future__ import annotations

from dataclasses import dataclass

from panel import permissions


@dataclass(frozen=True)
class Item:
    key: str
    label: str       # on the profile form and page
    arrange: str     # what the chair arranges ("step-free access")
    hint: str = ""


ITEMS: dict[str, Item] = {i.key: i for i in (
    Item("step_free", "Step-free access", "step-free access", "No steps or stairs to the room, or a lift."),
    Item("hearing_loop", "A hearing loop", "a hearing loop in the room"),
    Item("bsl_interpreter", "A British Sign Language (BSL) interpreter", "a British Sign Language interpreter"),
    Item("breaks", "Regular breaks", "regular breaks"),
    Item("quiet_room", "A quiet room to take time out", "a quiet room to take time out"),
    Item("remote", "To take part by video instead of in the room", "to take part by video"),
    Item("other_needs", "Something else", "something else (see below)"),
    Item("easy_read", "Easy read papers", "easy read papers"),
    Item("large_print", "Large print papers and packs", "large print papers"),
)}
assert tuple(ITEMS) == permissions.SHAREABLE_ITEMS

ACCESS_NEEDS = ("step_free", "hearing_loop", "bsl_interpreter", "breaks", "quiet_room", "remote")
FORMATS = ("easy_read", "large_print")


def needed(profile, user) -> list[str]:
    """The shareable items this person has asked for (``profile`` may be None)."""
    keys = []
    for key in ITEMS:
        if key == "large_print":
            if user.large_print:
                keys.append(key)
        elif key == "other_needs":
            if profile is not None and profile.other_needs.strip():
                keys.append(key)
        elif profile is not None and getattr(profile, key):
            keys.append(key)
    return keys


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def arrangement(name: str, profile, keys: list[str]) -> dict | None:
    """What the chair reads for one person: {"name", "sentence", "other"} or None (nothing)."""
    if not keys:
        return None
    parts = []
    for key in keys:
        if key == "breaks" and profile is not None and profile.break_every.strip():
            parts.append(f"a break {profile.break_every.strip()}")
        elif key != "other_needs":
            parts.append(ITEMS[key].arrange)
    other = profile.other_needs.strip() if "other_needs" in keys and profile is not None else ""
    sentence = f"{name} needs {_join(parts)}." if parts else f"{name} has asked for something to be arranged."
    return {"name": name, "sentence": sentence, "other": other}
