"""The audit log as CSV (panel.csvexport neutralises cells a spreadsheet would run as a formula)."""
from __future__ import annotations

import json

from panel.csvexport import to_csv as write_csv
from panel.templating import london

HEADER = ["When (UK time)", "Who", "Action", "What", "Record number", "Vacancy", "Candidate record number",
          "Summary", "Changes"]


def to_csv(events, references: dict[int, str], hidden: dict[int, str] | None = None) -> str:
    """``hidden``: {event id: placeholder} for entries whose values the reader may not see
    (panel/records/secrecy.py); the placeholder stands in the Changes column."""
    hidden = hidden or {}
    rows = [HEADER]
    for e in events:
        candidate_id = e.candidate_id or (e.entity_id if e.entity_type == "candidate" else None)
        rows.append([
            london(e.at), e.actor.name if e.actor else "the system", e.action, e.entity_type, e.entity_id,
            references.get(e.vacancy_id, e.vacancy_id) if e.vacancy_id else "", candidate_id, e.summary,
            f"({hidden[e.id]})" if e.id in hidden else
            json.dumps(e.changes, ensure_ascii=False, sort_keys=True) if e.changes else ""])
    return write_csv(rows)
