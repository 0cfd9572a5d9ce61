"""URL converters: every `<int:...>` in a route is a database id, so a number no id can be
is refused (404) before any query is made."""
from __future__ import annotations

from werkzeug.routing import IntegerConverter

BIGINT_MAX = 2**63 - 1  # the largest id either database can hold (SQLite INTEGER, PostgreSQL bigint)


class IdConverter(IntegerConverter):
    """`<int:...>` capped at 2**63 - 1: a larger id is a 404, not a database overflow (a 500)."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = None, max: int = BIGINT_MAX,
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max if max < BIGINT_MAX else BIGINT_MAX,
                         signed=signed)


def init_app(app) -> None:
    """Make IdConverter the app's `int` converter. Call it before any route is registered."""
    app.url_map.converters["int"] = IdConverter
