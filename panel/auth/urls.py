"""Where to send someone after signing in: only a path on this site."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote, urlsplit

from flask import url_for

# What a browser drops from a URL before reading it: ASCII tab and line breaks anywhere, and
# control characters and spaces at either end. Stripping every ASCII control character and
# space anywhere covers both (a space has no business in a path we made: they are encoded).
_DROPPED = re.compile(r"[\x00-\x20\x7f]")
# The characters a path and query we built ourselves may hold; anything else is %-encoded
_SAFE = "/?&=#%:@!$'()*+,;~-._[]"


def _unsafe(path: str) -> bool:
    """True if a browser could read this as another site (or as no path at all)."""
    if not path.startswith("/") or path.startswith("//") or "\\" in path:
        return True
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zs", "Zl", "Zp") for ch in path):
        return True
    parts = urlsplit(path)
    return bool(parts.scheme or parts.netloc)


def safe_next(target: str | None, home: str | None = None, within: str = "/") -> str:
    """The target if it is a path on this site once read the way a browser reads it (and under
    ``within``), else ``home`` (the home page unless given). Refuses //host, /\\host, \\\\host,
    schemes (javascript:, https:), and the same hidden by tabs, line breaks, other control
    characters or %-encoding (up to three layers). What it answers is %-encoded, so it never
    holds a line break (a 500 in a Location header, or a header of the attacker's)."""
    home = home or url_for("main.home")
    found = _safe_path(target)
    return found if found is not None and found.startswith(within) else home


def _safe_path(target: str | None) -> str | None:
    """The target, %-encoded, if it is a path on this site; None otherwise."""
    if not target or not isinstance(target, str) or len(target) > 2000:
        return None
    cleaned = _DROPPED.sub("", target)
    layer = cleaned
    for _ in range(4):
        if _unsafe(_DROPPED.sub("", layer)):
            return None
        decoded = unquote(layer)
        if decoded == layer:
            break
        layer = decoded
    else:
        return None  # still encoded after three layers: nothing we made
    return quote(cleaned, safe=_SAFE)
