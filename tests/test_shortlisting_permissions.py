"""The permission matrix for candidates and shortlisting: every route, as every kind of user.

Vacancy A is in shortlisting with two candidates (the first has an application PDF, and the
panelist has answered "No, I do not know this person" for them); vacancy C is at interviewing
with the same chair and panelist; vacancy B is another panel's. URLs use {a_cand1}, {a_cand2},
{c} and {c_cand1} besides the values of tests/test_permissions.py.
"""
from __future__ import annotations

import pytest

from panel.models import VacancyStatus
from tests.conftest import make_vacancy
from tests.test_permissions import check, row, url_values
from tests.builders_plugin import add_candidate, builder, store_pdf
from tests.snapshots import snapshotted

HR_ONLY = dict(chair=404, panelist=404, other=404)

ROUTES = [
    # candidates (HR; the panel only once names are revealed at interviewing)
    row("GET", "/vacancies/{a}/candidates", **HR_ONLY),
    row("GET", "/vacancies/{c}/candidates"),
    row("GET", "/vacancies/{a}/candidates/new", **HR_ONLY),
    row("POST", "/vacancies/{a}/candidates/new", **HR_ONLY),
    row("GET", "/vacancies/{c}/candidates/new", hr=404, chair=404, panelist=404),
    row("GET", "/vacancies/{a}/candidates/import", **HR_ONLY),
    row("POST", "/vacancies/{a}/candidates/import", **HR_ONLY),
    # the columns page of an uploaded file: only its uploader's (a name never given out is 404 to all)
    row("GET", "/vacancies/{a}/candidates/import/" + "0" * 32, hr=404, chair=404, panelist=404),
    row("POST", "/vacancies/{a}/candidates/import/" + "0" * 32, hr=404, chair=404, panelist=404),
    row("GET", "/vacancies/{a}/candidates/import/not-a-token", hr=404, chair=404, panelist=404),
    # the identity check (HR)
    row("GET", "/vacancies/{a}/candidates/identity-check", **HR_ONLY),
    row("POST", "/vacancies/{a}/candidates/identity-check/run", hr=302, chair=404, panelist=404),
    row("POST", "/vacancies/{a}/candidates/{a_cand1}/identity-check/999999/remove", hr=404, chair=404, panelist=404),
    row("POST", "/vacancies/{a}/candidates/{a_cand1}/identity-check/999999/fine", hr=404, chair=404, panelist=404),
    row("GET", "/vacancies/{a}/candidates/{a_cand1}", **HR_ONLY),
    row("GET", "/vacancies/{c}/candidates/{c_cand1}"),
    row("GET", "/vacancies/{b}/candidates/{a_cand1}", hr=404, chair=404, panelist=404),  # another vacancy's
    row("GET", "/vacancies/{a}/candidates/{a_cand1}/edit", **HR_ONLY),
    row("POST", "/vacancies/{a}/candidates/{a_cand1}/edit", **HR_ONLY),
    row("GET", "/vacancies/{a}/candidates/{a_cand1}/application", **HR_ONLY),
    row("POST", "/vacancies/{a}/candidates/{a_cand1}/application", **HR_ONLY),
    row("GET", "/vacancies/{a}/candidates/{a_cand1}/application.pdf"),
    row("GET", "/vacancies/{a}/candidates/{a_cand2}/application.pdf", hr=404, chair=404, panelist=404),  # none
    row("GET", "/vacancies/{b}/candidates/{a_cand1}/application.pdf", hr=404, chair=404, panelist=404),
    row("GET", "/vacancies/{a}/candidates/{a_cand1}/withdraw", **HR_ONLY),
    row("POST", "/vacancies/{a}/candidates/{a_cand1}/withdraw", hr=302, chair=404, panelist=404),
    row("POST", "/vacancies/{a}/candidates/{a_cand1}/reinstate", hr=302, chair=404, panelist=404),
    # shortlisting (the panel scores; HR and the chair follow progress; the chair moderates)
    row("GET", "/vacancies/{a}/shortlisting"),
    row("GET", "/vacancies/{b}/shortlisting", chair=404, panelist=404, other=200),
    row("GET", "/vacancies/{a}/shortlisting/candidates/{a_cand1}", hr=404),
    row("GET", "/vacancies/{b}/shortlisting/candidates/{a_cand1}", hr=404, chair=404, panelist=404),
    row("POST", "/vacancies/{a}/shortlisting/candidates/{a_cand1}/conflict", hr=404, chair=400, panelist=400),  # no answer chosen
    row("POST", "/vacancies/{a}/shortlisting/candidates/{a_cand1}/scores", hr=404, chair=409, panelist=302),
    row("POST", "/vacancies/{a}/shortlisting/candidates/{a_cand1}/scores/{a_c1}", hr=404, chair=409, panelist=400),  # no JSON
    row("GET", "/vacancies/{a}/shortlisting/candidates/{a_cand1}/submit", hr=404, chair=409),
    row("POST", "/vacancies/{a}/shortlisting/candidates/{a_cand1}/submit", hr=404, chair=409, panelist=400),
    row("GET", "/vacancies/{a}/shortlisting/progress", panelist=404),
    # one criterion at a time (issue 19): the panel's own pages, as a candidate's page
    row("GET", "/vacancies/{a}/shortlisting/criteria/{a_c1}", hr=404),
    row("GET", "/vacancies/{a}/shortlisting/criteria/{a_c1}?page=2", hr=404, chair=404, panelist=404),  # no such page
    row("GET", "/vacancies/{c}/shortlisting/criteria/{a_c1}", hr=404, chair=404, panelist=404),  # another vacancy's
    row("GET", "/vacancies/{b}/shortlisting/criteria/{a_c1}", hr=404, chair=404, panelist=404, other=404),
    row("POST", "/vacancies/{a}/shortlisting/criteria/{a_c1}/scores", hr=404, chair=302, panelist=302),  # nothing to save
    row("POST", "/vacancies/{a}/shortlisting/review-mode", hr=404, chair=400, panelist=400),  # no way chosen
    # sharing the reading: HR and the chair, until shortlisting ends
    row("GET", "/vacancies/{a}/shortlisting/allocation", panelist=404),
    row("POST", "/vacancies/{a}/shortlisting/allocation", hr=400, chair=400, panelist=404),  # no number given
    row("POST", "/vacancies/{a}/shortlisting/allocation/release", hr=400, chair=400, panelist=404),  # nobody chosen
    row("POST", "/vacancies/{a}/shortlisting/allocation/resume", hr=400, chair=400, panelist=404),  # nobody chosen
    row("GET", "/vacancies/{c}/shortlisting/allocation", hr=404, chair=404, panelist=404),  # interviewing
    row("GET", "/vacancies/{a}/shortlisting/moderation", hr=404, panelist=404),
    row("GET", "/vacancies/{c}/shortlisting/moderation", panelist=404),
    row("GET", "/vacancies/{a}/shortlisting/moderation/{a_cand1}", hr=404, panelist=404),
    row("POST", "/vacancies/{a}/shortlisting/moderation/{a_cand1}", hr=404, chair=400, panelist=404),  # no decision chosen
    row("POST", "/vacancies/{c}/shortlisting/moderation/{c_cand1}", hr=404, chair=404, panelist=404),  # locked
    row("GET", "/vacancies/{a}/shortlisting/export.csv", hr=404, panelist=404),
    row("GET", "/vacancies/{c}/shortlisting/export.csv", panelist=404),
]


@pytest.fixture()
@snapshotted
def world(world, app, session):
    """The permission-test world, with vacancy A in shortlisting and candidates added."""
    a = world["a"]
    build = builder(session)
    build.jump_to(a, VacancyStatus.SHORTLISTING, actor=world["hr"])
    build.commit()
    cand1 = add_candidate(session, a, 1, "Aoife", "O'Connor", "aoife@example.net", "07700 900101")
    cand1.application_file = store_pdf(app)
    build.declare(cand1, world["panelist"], knows=False)
    build.commit()
    cand2 = add_candidate(session, a, 2, "José", "Martínez", "jose@example.net")
    c = make_vacancy(session, "C-1", status=VacancyStatus.INTERVIEWING,
                     panel=[(world["chair"], "chair"), (world["panelist"], "patient")])
    c_cand1 = add_candidate(session, c, 1, "مريم", "الحسن", "maryam@example.net")
    world.update({"c": c, "a_cand1": cand1, "a_cand2": cand2, "c_cand1": c_cand1})
    return world


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_shortlisting_permission_matrix(as_user, world, method, url, expected):
    values = url_values(world) | {"c": world["c"].id, "a_cand1": world["a_cand1"].id,
                                  "a_cand2": world["a_cand2"].id, "c_cand1": world["c_cand1"].id}
    check(as_user, world, method, url.format(**values), expected)
