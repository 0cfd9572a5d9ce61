"""The permission matrix for the pack routes (issue 6).

Same roles and helpers as tests/test_permissions.py. Vacancy A is at the interviewing
stage with a plan, shortlisted candidates and signed-off results (its chair is {chair_id});
vacancy B is in shortlisting with one application ("other" is on B's panel). 409 is the
"this pack cannot be made yet" page, shown only to people who may have the pack.
"""
from __future__ import annotations

import pytest

from panel.models import VacancyStatus
from tests.builders_plugin import add_pack_candidates, ready_for_interviews, score_everyone
from tests.test_permissions import LOGIN, check, row

A = "/vacancies/{a}/packs"
B = "/vacancies/{b}/packs"
NONE = dict(hr=404, chair=404, panelist=404, other=404)

ROUTES = [
    row("GET", A),
    row("GET", B, chair=404, panelist=404, other=200),
    row("GET", "/vacancies/999999/packs", **NONE),
    row("GET", A + "/panel.pdf", panelist=404),
    row("GET", B + "/panel.pdf", hr=409, chair=404, panelist=404, other=404),  # no plan; "other" is not B's chair
    row("GET", A + "/panelist/{panelist_id}.pdf"),  # their own
    row("GET", A + "/panelist/{chair_id}.pdf", panelist=404),  # someone else's
    row("GET", A + "/panelist/{other_id}.pdf", **NONE),  # not on A's panel
    row("GET", "/vacancies/{b}/packs/panelist/{panelist_id}.pdf", **NONE),  # not on B's panel
    row("GET", B + "/panelist/{other_id}.pdf", hr=409, chair=404, panelist=404, other=409),  # own, no plan yet
    row("GET", A + "/shortlisting.pdf", **NONE),  # shortlisting is over
    row("GET", B + "/shortlisting.pdf", chair=404, panelist=404, other=200),
    row("GET", A + "/results.pdf", panelist=404),
    row("GET", B + "/results.pdf", hr=409, chair=404, panelist=404, other=404),  # not signed off
    # the print-size form saves the preference (a download takes no POST: test_packs.py)
    row("POST", A + "/print-size", hr=303, chair=303, panelist=303),
    row("POST", B + "/print-size", hr=303, chair=404, panelist=404, other=303),
]


@pytest.fixture()
def packs_world(world, session):
    a, b = world["a"], world["b"]
    questions, candidates = ready_for_interviews(session, a, questions=2, candidates=2)
    score_everyone(session, a, candidates, questions, [world["chair"], world["panelist"]], sign_off_by=world["chair"])
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    add_pack_candidates(session, b, 1, outcome=None, slots=False)
    return {"chair_id": world["chair"].id}


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_packs_permission_matrix(as_user, world, packs_world, method, url, expected):
    for key, value in packs_world.items():
        url = url.replace("{" + key + "}", str(value))
    check(as_user, world, method, url, expected)


def test_anonymous_is_sent_to_sign_in():
    assert all(expected["anon"] == LOGIN for _m, _u, expected in ROUTES)


def test_results_pack_is_not_available_after_reopening(as_user, world, packs_world, session):
    from panel.db import utcnow
    from panel.models import InterviewSignOff

    signoff = session.query(InterviewSignOff).one()
    signoff.signed_off_at = None
    signoff.reopened_at = utcnow()
    signoff.reopen_reason = "A score was entered against the wrong candidate"
    session.commit()
    url = f"/vacancies/{world['a'].id}/packs/results.pdf"
    assert as_user(world["hr"]).get(url).status_code == 409
    assert as_user(world["panelist"]).get(url).status_code == 404
