"""The permission matrix for the question bank, interview plan, scale, timetable and invitations.

Same roles and format as tests/test_permissions.py (its row() and check() are reused).
Extra placeholders: {bq} an approved bank question, {bq_a} the panelist's proposal for A,
{bq_b} other's proposal for B, {pq} A's plan question, {slot} A's slot, {b_slot} B's slot,
{a1}/{a3} A's shortlisted / not shortlisted candidates, {b1} B's candidate.
Vacancy A is at the draft stage, so the panel does not see candidates' names.
"""
from __future__ import annotations

import re

import pytest

from tests.test_permissions import check, row

NONE = dict(hr=404, chair=404, panelist=404, other=404)
EDIT = dict(panelist=404, other=404)        # HR and A's chair
HR_ONLY = dict(chair=404, panelist=404, other=404)
REFUSED = dict(hr=400, chair=400, panelist=404, other=404)  # an empty form: errors shown (400)

ROUTES = [
    # question bank
    row("GET", "/questions", other=200),
    row("GET", "/questions?q=support&category=experience&tag=values", other=200),
    row("GET", "/questions?show=waiting", other=200),
    row("GET", "/questions/propose", other=200),
    row("POST", "/questions/propose", other=200),  # empty: the form comes back with errors
    row("GET", "/questions/{bq}", other=200),
    row("GET", "/questions/{bq_a}", other=404),                                  # proposal for A: proposer, HR, A's chair
    row("GET", "/questions/{bq_b}", chair=404, panelist=404, other=200),         # proposal for B: never A's panel
    row("GET", "/questions/999999", **NONE),
    row("GET", "/questions/{bq_a}/edit", other=404),
    row("GET", "/questions/{bq_b}/edit", chair=404, panelist=404, other=200),
    row("GET", "/questions/{bq}/edit", panelist=404, other=404),
    row("GET", "/questions/{bq_a}/review", panelist=404, other=404),
    row("GET", "/questions/{bq_b}/review", chair=404, panelist=404, other=404),
    row("GET", "/questions/{bq}/review", hr=302, chair=302, panelist=404, other=404),  # already approved
    row("POST", "/questions/{bq_a}/review", panelist=404, other=404),  # empty: errors shown
    # the interview plan
    row("GET", "/vacancies/{a}/plan"),
    row("GET", "/vacancies/{b}/plan", chair=404, panelist=404, other=200),
    row("GET", "/vacancies/999999/plan", **NONE),
    row("GET", "/vacancies/{a}/plan/bank", **EDIT),
    row("GET", "/vacancies/{a}/plan/bank?q=support", **EDIT),
    row("GET", "/vacancies/{a}/plan/questions/new", **EDIT),
    row("GET", "/vacancies/{a}/plan/questions/new?from={bq}", **EDIT),
    row("GET", "/vacancies/{a}/plan/questions/new?from={bq_a}", **NONE),          # not approved yet
    row("POST", "/vacancies/{a}/plan/questions/new", **REFUSED),
    row("GET", "/vacancies/{a}/plan/questions/{pq}/edit", **EDIT),
    row("GET", "/vacancies/{b}/plan/questions/{pq}/edit", hr=404, chair=404, panelist=404, other=404),
    row("POST", "/vacancies/{a}/plan/questions/{pq}/move", hr=302, chair=302, panelist=404, other=404),
    row("GET", "/vacancies/{a}/plan/questions/{pq}/delete", **EDIT),
    row("GET", "/vacancies/{a}/plan/scale"),
    row("POST", "/vacancies/{a}/plan/scale", **REFUSED),
    # the timetable
    row("GET", "/vacancies/{a}/timetable"),
    row("GET", "/vacancies/{b}/timetable", chair=404, panelist=404, other=200),
    row("GET", "/vacancies/{a}/timetable/day", **EDIT),
    row("POST", "/vacancies/{a}/timetable/day", **REFUSED),
    row("GET", "/vacancies/{a}/timetable/generate", **EDIT),
    row("GET", "/vacancies/{a}/timetable/slots/new", **EDIT),
    row("GET", "/vacancies/{a}/timetable/slots/{slot}/edit", **EDIT),
    row("GET", "/vacancies/{a}/timetable/slots/{b_slot}/edit", **NONE),             # slot of another vacancy
    row("GET", "/vacancies/{a}/timetable/slots/{slot}/delete", **EDIT),
    # invitations to candidates: HR only
    row("GET", "/vacancies/{a}/invitations", **HR_ONLY),
    row("GET", "/vacancies/{a}/invitations/template", **HR_ONLY),
    row("GET", "/vacancies/{a}/invitations/{a1}", **HR_ONLY),
    row("GET", "/vacancies/{a}/invitations/{a3}", **NONE),                         # not shortlisted
    row("GET", "/vacancies/{a}/invitations/{b1}", **NONE),                         # candidate of another vacancy
    row("POST", "/vacancies/{a}/invitations/send-all", hr=302, chair=404, panelist=404, other=404),
    row("POST", "/vacancies/{a}/invitations/booking-cutoff", hr=400, chair=404, panelist=404, other=404),  # empty
    # a candidate's booking pages: the secret link is the permission (no sign-in); a made-up one is 404 for all
    row("GET", "/book/not-a-real-token", anon=404, **NONE),
    row("POST", "/book/not-a-real-token", anon=404, **NONE),
    row("GET", "/book/not-a-real-token/cannot-come", anon=404, **NONE),
    row("POST", "/book/not-a-real-token/cannot-come", anon=404, **NONE),
    # outcome letters: HR, once shortlisting is over (A is at the draft stage: nobody yet)
    row("GET", "/vacancies/{a}/candidates/letters", **NONE),
    row("POST", "/vacancies/{a}/candidates/letters/send", **NONE),
    row("POST", "/vacancies/{a}/candidates/{a1}/letter", **NONE),
]


def plan_values(plan_world) -> dict:
    return {
        "bq": plan_world["bank_approved"].id, "bq_a": plan_world["bank_proposed_a"].id,
        "bq_b": plan_world["bank_proposed_b"].id, "pq": plan_world["plan_question"].id,
        "slot": plan_world["slot"].id, "b_slot": plan_world["b_slot"].id,
        "a1": plan_world["a1"].id, "a3": plan_world["a3"].id, "b1": plan_world["b1"].id,
    }


def fill(url: str, values: dict) -> str:
    """Fill this module's placeholders; leave {a}, {b}... for test_permissions.check()."""
    return re.sub(r"\{(\w+)\}", lambda m: str(values[m.group(1)]) if m.group(1) in values else m.group(0), url)


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_plan_permission_matrix(as_user, plan_world, method, url, expected):
    check(as_user, plan_world, method, fill(url, plan_values(plan_world)), expected)
