"""Permission matrix for the records routes (subject access exports, audit log filters and CSV)."""
from __future__ import annotations

import pytest

from panel.models import Candidate
from tests.test_permissions import check, row

ROUTES = [
    row("GET", "/vacancies/{a}/candidates/{a_cand}/subject-access.json", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/candidates/{a_cand}/subject-access.pdf", chair=404, panelist=404),
    row("GET", "/vacancies/{b}/candidates/{a_cand}/subject-access.json", hr=404, chair=404, panelist=404),  # another vacancy's candidate
    row("GET", "/vacancies/{a}/candidates/999999/subject-access.pdf", hr=404, chair=404, panelist=404),
    row("GET", "/audit?vacancy={a}&candidate={a_cand}&person={panelist_id}&from=2026-01-01&to=2026-12-31",
        chair=404, panelist=404, other=404),
    row("GET", "/audit/export.csv", chair=404, panelist=404, other=404),
    row("GET", "/audit/export.csv?vacancy={a}&from=2026-01-01", chair=404, panelist=404, other=404),
    row("POST", "/audit", hr=405, chair=405, panelist=405, other=405, anon=405),
    row("POST", "/audit/export.csv", hr=405, chair=405, panelist=405, other=405, anon=405),
]


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_records_permission_matrix(as_user, world, session, method, url, expected):
    candidate = Candidate(vacancy_id=world["a"].id, number=1, first_name="Alex", last_name="Smith",
                          email="alex@candidates.example")
    session.add(candidate)
    session.commit()
    check(as_user, world, method, url.replace("{a_cand}", str(candidate.id)), expected)
