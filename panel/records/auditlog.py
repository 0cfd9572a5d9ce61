"""The audit log as CSV. Cells that a spreadsheet would run as a formula are neutralised."""
from __future__ import annotations

import csv
import io
import json

from panel.templating import london

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER = ["When (UK time)", "Who", "Action", "What", "Record number", "Vacancy", "Candidate record number",
          "Summary", "Changes"]


def neutralise(value) -> str:
    """A cell value that spreadsheets show as text, never run (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def to_csv(events, references: dict[int, str], hidden: dict[int, str] | None = None) -> str:
    """``hidden``: {event id: placeholder} for entries whose values the reader may not see
    (panel/records/secrecy.py); the placeholder stands in the Changes column."""
    hidden = hidden or {}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(HEADER)
    for e in events:
        candidate_id = e.candidate_id or (e.entity_id if e.entity_type == "candidate" else None)
        writer.writerow([neutralise(v) for v in (
            london(e.at), e.actor.name if e.actor else "the system", e.action, e.entity_type, e.entity_id,
            references.get(e.vacancy_id, e.vacancy_id) if e.vacancy_id else "", candidate_id, e.summary,
            f"({hidden[e.id]})" if e.id in hidden else
            json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else "")])
    return "\ufeff" + out.getvalue()
