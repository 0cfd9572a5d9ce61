"""The one CSV writer for every download (audit log, shortlisting, interview scores).

Every cell is neutralised against CSV injection (OWASP): text a spreadsheet would run as a
formula (starting with = + - @, a tab or a carriage return) gets a leading single quote.
Files start with a byte-order mark so Excel reads them as UTF-8, and lines end in CRLF.
"""
from __future__ import annotations

import csv
import io
from typing import Iterable

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    """A cell value that spreadsheets show as text, never run."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(rows: Iterable[Iterable]) -> str:
    """The rows (the header first) as the text of a CSV file, every cell neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    for row in rows:
        writer.writerow([neutralise(v) for v in row])
    return "\ufeff" + out.getvalue()
