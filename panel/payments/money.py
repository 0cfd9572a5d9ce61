"""Money arithmetic in one place: integer pence, rounded half up to the penny, shown as £12.50,
and the UK tax year (6 April to 5 April)."""
from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, InvalidOperation

HOUR, HALF_DAY, SESSION = "hour", "half_day", "session"
UNITS = {HOUR: "per hour", HALF_DAY: "per half day", SESSION: "per session"}
HALF_DAY_HOURS = Decimal(4)  # up to four hours is a half day; longer, two (a whole day)

_POUNDS_RE = re.compile(r"^£?\s*(\d{1,7})(?:\.(\d{1,2}))?$")


def half_up(value: Decimal) -> int:
    """A Decimal amount of pence, rounded half up to a whole penny."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def money(pence: int | None) -> str:
    """£12.50 (and -£3.00); the Jinja filter ``money``."""
    pence = pence or 0
    sign = "-" if pence < 0 else ""
    pounds, p = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{p:02d}"


def pounds(pence: int | None) -> str:
    """12.50: the plain figure payroll systems read (no £, no thousands comma)."""
    pence = pence or 0
    sign = "-" if pence < 0 else ""
    whole, p = divmod(abs(pence), 100)
    return f"{sign}{whole}.{p:02d}"


def parse_pounds(text: str | None) -> int:
    """Pence from what a person typed ("12.5", "£12.50", "3"); "" is 0. ValueError for anything
    else (negative amounts, letters, more than two decimals)."""
    text = (text or "").strip().replace(",", "")
    if not text:
        return 0
    match = _POUNDS_RE.match(text)
    if not match:
        raise ValueError(text)
    return int(match.group(1)) * 100 + int((match.group(2) or "0").ljust(2, "0"))


def parse_tenths(text: str | None) -> int:
    """Tenths of a mile (or of anything) from "12", "12.5"; ValueError otherwise or if negative."""
    text = (text or "").strip()
    if not text:
        return 0
    try:
        value = Decimal(text)
        if not value.is_finite() or value < 0 or value != value.quantize(Decimal("0.1")):
            raise ValueError(text)
    except InvalidOperation:  # not a number, or too many digits to be tenths ("1e400", 100 nines)
        raise ValueError(text) from None
    return int(value * 10)


def units_of(unit: str, hours: Decimal) -> Decimal:
    """How many of the rate's units the hours make: hours, half days (started), or one session."""
    if unit == HOUR:
        return hours
    if unit == HALF_DAY:
        return max(Decimal(1), (hours / HALF_DAY_HOURS).to_integral_value(rounding=ROUND_CEILING))
    return Decimal(1)


def fee(rate_pence: int, unit: str, hours: Decimal) -> int:
    return half_up(Decimal(rate_pence) * units_of(unit, hours))


def mileage(tenth_miles: int, pence_per_mile: int) -> int:
    return half_up(Decimal(tenth_miles) * Decimal(pence_per_mile) / 10)


def tax_year_start(day: dt.date) -> int:
    """The calendar year a UK tax year starts in: 6 April 2026 to 5 April 2027 is 2026."""
    return day.year if (day.month, day.day) >= (4, 6) else day.year - 1


def tax_year_label(start: int) -> str:
    return f"{start}-{str(start + 1)[-2:]}"
