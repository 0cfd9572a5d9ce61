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
from tests.snapshots import snapshotted

A = "/vacancies/{a}/packs"
B = "/vacancies/{b}/packs"
NONE = dict(hr=404, chair=404, panelist=404, other=404)

# A pack request answers 303 (to its job's progress page: the pack is being made) where it
# would otherwise give the PDF; only the person who asked may see a job's page.
ASKED = dict(hr=303, chair=303, panelist=303)

ROUTES = [
    row("GET", A),
    row("GET", B, chair=404, panelist=404, other=200),
    row("GET", "/vacancies/999999/packs", **NONE),
    row("GET", A + "/panel.pdf", hr=303, chair=303, panelist=404),
    row("GET", B + "/panel.pdf", hr=409, chair=404, panelist=404, other=404),  # no plan; "other" is not B's chair
    row("GET", A + "/panelist/{panelist_id}.pdf", **ASKED),  # their own
    row("GET", A + "/panelist/{chair_id}.pdf", hr=303, chair=303, panelist=404),  # someone else's
    row("GET", A + "/panelist/{other_id}.pdf", **NONE),  # not on A's panel
    row("GET", "/vacancies/{b}/packs/panelist/{panelist_id}.pdf", **NONE),  # not on B's panel
    row("GET", B + "/panelist/{other_id}.pdf", hr=409, chair=404, panelist=404, other=409),  # own, no plan yet
    row("GET", A + "/shortlisting.pdf", **NONE),  # shortlisting is over
    row("GET", B + "/shortlisting.pdf", hr=303, chair=404, panelist=404, other=303),
    row("GET", A + "/results.pdf", hr=303, chair=303, panelist=404),
    row("GET", B + "/results.pdf", hr=409, chair=404, panelist=404, other=404),  # not signed off
    # the print-size form saves the preference (a download takes no POST: test_packs.py)
    row("POST", A + "/print-size", hr=303, chair=303, panelist=303),
    row("POST", B + "/print-size", hr=303, chair=404, panelist=404, other=303),
    # the chair's panel pack job (packs_world): their page only; under another vacancy, nobody's
    row("GET", A + "/jobs/{job_id}", hr=404, panelist=404),
    row("GET", A + "/jobs/{job_id}/status", hr=404, panelist=404),
    row("GET", B + "/jobs/{job_id}", **NONE),
    row("GET", B + "/jobs/{job_id}/status", **NONE),
]


@pytest.fixture()
@snapshotted
def packs_world(app, world, session):
    a, b = world["a"], world["b"]
    questions, candidates = ready_for_interviews(session, a, questions=2, candidates=2)
    score_everyone(session, a, candidates, questions, [world["chair"], world["panelist"]], sign_off_by=world["chair"])
    b.status = VacancyStatus.SHORTLISTING
    session.commit()
    add_pack_candidates(session, b, 1, outcome=None, slots=False)
    return {"chair_id": world["chair"].id, "job_id": ask_for_pack(app, a.id, world["chair"].id)}


def ask_for_pack(app, vacancy_id, user_id, kind="panel") -> int:
    """A pack job that this person asked for (through the service, as the download link does)."""
    from panel.db import db
    from panel.models import User
    from panel.packs import context as pack_context
    from panel.packs import jobs

    with app.app_context():
        vacancy = pack_context.load_vacancy(vacancy_id)
        job = jobs.start_or_join(db(), db().get(User, user_id), vacancy, pack_context.build(kind, vacancy))
        db().commit()
        return job.id


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
