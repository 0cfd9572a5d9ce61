"""URL converters: every `<int:...>` in a route is a database id, so a number no id can be
is refused (404) before any query is made."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

# The largest id the id columns hold: they are Integer, 32-bit on PostgreSQL (SQLite's are 64-bit).
# A larger number sent to the database is an overflow error there, so it must never get that far.
ID_MAX = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:...>` capped at ID_MAX: a larger id is a 404, not a database overflow (a 500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int = ID_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max if max < ID_MAX else ID_MAX, signed=signed)


def init_app(app) -> None:
    """Make IdConverter the app's `int` converter. Call it before any route is registered."""
    app.url_map.converters["int"] = IdConverter


def id_value(text: str) -> int:
    """An id typed in a query string (`request.args.get("vacancy", type=id_value)`): a ValueError,
    so no value, for anything that is not 1 to ID_MAX."""
    number = int(text)
    if not 1 <= number <= ID_MAX:
        raise ValueError(f"not an id: {text!r}")
    return number


def posted_number(value, default: int | None = None) -> int | None:
    """A whole number a page posted back (a version it was given, an id it chose): ``default``
    for anything that is not 0 to ID_MAX (text, a float, infinity, a huge number, a list).
    The columns hold no more than ID_MAX, and a larger number sent to the database is an
    overflow error there (a 500), so it must never get that far."""
    if isinstance(value, bool):
        return default
    try:
        number = int(value) if isinstance(value, int) else int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return number if 0 <= number <= ID_MAX else default
