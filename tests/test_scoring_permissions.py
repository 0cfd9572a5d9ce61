"""The permission matrix for the interview scoring routes (issue 5).

Same roles and helpers as tests/test_permissions.py, with vacancy A moved to the
interviewing stage: a plan question {q1}, shortlisted candidates {c1} and {c2}, a
reserve candidate {c_res}; vacancy B (draft) has a question {qb}. The chair has
submitted their scores for {c1} (so may see its results) but not for {c2}; the
panelist has submitted nothing.
"""
from __future__ import annotations

import pytest

from panel.models import ShortlistOutcome, VacancyStatus
from tests.test_permissions import LOGIN, check, row
from tests.builders_plugin import add_candidates, add_plan, builder, score_and_submit

V = "/vacancies/{a}"

ROUTES = [
    row("GET", V + "/interviews"),
    row("GET", "/vacancies/{b}/interviews", chair=404, panelist=404, other=200),  # draft: "not started" page
    row("GET", V + "/interviews/{c1}/score", hr=404),
    row("POST", V + "/interviews/{c1}/score", hr=404, chair=302, panelist=302),
    row("GET", V + "/interviews/{c_res}/score", hr=404, chair=404, panelist=404),  # not shortlisted
    row("GET", "/vacancies/{b}/interviews/{c1}/score", hr=404, chair=404, panelist=404),  # candidate of another vacancy
    row("POST", V + "/interviews/{c1}/score/{q1}", hr=404, chair=409, panelist=200),  # chair: already submitted
    row("POST", V + "/interviews/{c1}/score/{qb}", hr=404, chair=404, panelist=404),  # question of another vacancy
    row("GET", V + "/interviews/{c1}/submit", hr=404, chair=302),
    row("POST", V + "/interviews/{c1}/submit", hr=404, chair=302, panelist=400),  # panelist: no scores, not confirmed
    row("GET", V + "/interviews/{c1}/paper/{panelist_id}", panelist=404),
    row("GET", V + "/interviews/{c2}/paper/{panelist_id}", chair=302, panelist=404),  # chair must submit their own first
    row("GET", V + "/interviews/{c1}/paper/{other_id}", hr=404, chair=404, panelist=404),  # not on this panel
    row("POST", V + "/interviews/{c1}/paper/{panelist_id}/score/{q1}", panelist=404),
    row("GET", V + "/interviews/{c1}/paper/{panelist_id}/submit", panelist=404),
    row("GET", V + "/results"),
    row("GET", "/vacancies/{b}/results", hr=404, chair=404, panelist=404, other=404),  # draft
    row("GET", V + "/results/{c1}", panelist=404),
    row("GET", V + "/results/{c2}", chair=404, panelist=404),
    row("GET", V + "/results/{c1}/moderate/{q1}", hr=404, panelist=404),
    row("POST", V + "/results/{c1}/moderate/{q1}", hr=404, chair=400, panelist=404),
    row("GET", V + "/results/{c1}/outcome", hr=404, panelist=404),
    row("POST", V + "/results/{c1}/outcome", hr=404, chair=400, panelist=404),
    row("GET", V + "/results/{c2}/outcome", hr=404, chair=404, panelist=404),
    row("GET", V + "/results/sign-off", hr=404, panelist=404),
    row("POST", V + "/results/sign-off", hr=404, chair=400, panelist=404),
    row("GET", V + "/results/reopen", hr=302, chair=404, panelist=404),  # nothing signed off yet
    row("GET", V + "/feedback", panelist=404),
    row("GET", V + "/feedback/{c1}", panelist=404),
    row("POST", V + "/feedback/{c1}", hr=404, chair=400, panelist=404),
    row("GET", V + "/feedback/{c2}", chair=404, panelist=404),
    row("POST", V + "/feedback/{c1}/send", hr=302, chair=404, panelist=404),
    row("GET", V + "/feedback/{c1}/download", panelist=404),
    row("GET", V + "/interviews/export.csv", panelist=404),
    row("GET", "/vacancies/{b}/interviews/export.csv", hr=404, chair=404, panelist=404, other=404),
    row("GET", "/vacancies/interviews-offline.js", anon=200, other=200),
    row("GET", "/vacancies/interviews-offline-key", other=200),
]


@pytest.fixture()
def interviewing(world, session):
    a, b = world["a"], world["b"]
    a.status = VacancyStatus.INTERVIEWING
    session.commit()
    q1 = add_plan(session, a, 1)[0]
    qb = add_plan(session, b, 1)[0]
    c1, c2 = add_candidates(session, a, 2)
    c_res = add_candidates(session, a, 1, ShortlistOutcome.RESERVE, start=3)[0]
    builder(session).reveal_answers(a)  # nobody knows a candidate (issue 17)
    session.commit()
    score_and_submit(session, c1, world["chair"], [q1], [3])
    return {"q1": q1.id, "qb": qb.id, "c1": c1.id, "c2": c2.id, "c_res": c_res.id}


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_scoring_permission_matrix(as_user, world, interviewing, method, url, expected):
    for key, value in interviewing.items():
        url = url.replace("{" + key + "}", str(value))
    check(as_user, world, method, url, expected)


def test_anonymous_is_sent_to_sign_in():
    assert all(expected["anon"] == LOGIN for _m, u, expected in ROUTES if "offline" not in u)
