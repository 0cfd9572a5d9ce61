"""The permission matrix: every route, as every kind of user, with the expected status.

Roles: anon, hr, chair (chair on vacancy A's panel), panelist (patient panelist on A's
panel), other (patient panelist on vacancy B's panel only). URLs are written with
{a} and {b} for the vacancies' ids and {a_c1} for vacancy A's first criterion, etc.
Other areas add their rows to ROUTES (or a ROUTES list in their own test module using
the same check() helper).
"""
from __future__ import annotations

import pytest

from tests.conftest import login

ROLES = ["anon", "hr", "chair", "panelist", "other"]

LOGIN = 302  # anonymous users are sent to sign in


def row(method, url, anon=LOGIN, hr=200, chair=200, panelist=200, other=404):
    return (method, url, {"anon": anon, "hr": hr, "chair": chair, "panelist": panelist, "other": other})


ROUTES = [
    row("GET", "/", anon=302, other=200),
    row("GET", "/healthz", anon=200, other=200),
    row("GET", "/login", anon=200, hr=302, chair=302, panelist=302, other=302),
    row("GET", "/forgot-password", anon=200, other=200),
    row("GET", "/accessibility", anon=200, other=200),
    row("GET", "/privacy", anon=200, other=200),
    row("GET", "/account", other=200),
    row("POST", "/logout", anon=302, hr=302, chair=302, panelist=302, other=302),
    row("POST", "/session/extend", other=200),
    row("GET", "/set-password/not-a-real-token", anon=404, hr=404, chair=404, panelist=404, other=404),
    # an interview-day calendar file by the signed link in a Notify email: a made-up link is 404 to everyone
    row("GET", "/calendar/not-a-real-token/invitation.ics", anon=404, hr=404, chair=404, panelist=404, other=404),
    row("GET", "/account/password", other=200),
    row("GET", "/account/messages", other=200),
    row("GET", "/audit", chair=404, panelist=404, other=404),
    row("GET", "/audit?vacancy={a}", chair=404, panelist=404, other=404),
    row("GET", "/people", chair=404, panelist=404, other=404),
    row("GET", "/people/invite", chair=404, panelist=404, other=404),
    row("GET", "/people/invite?vacancy={a}", chair=404, panelist=404, other=404),
    row("GET", "/people/{panelist_id}", chair=404, panelist=404, other=404),
    row("POST", "/people/{panelist_id}/resend", hr=302, chair=404, panelist=404, other=404),
    row("POST", "/people/{spare_id}/active", hr=302, chair=404, panelist=404, other=404),
    row("GET", "/vacancies", other=200),
    row("GET", "/vacancies/new", chair=404, panelist=404, other=404),
    row("GET", "/vacancies/{a}"),
    row("GET", "/vacancies/{b}", chair=404, panelist=404, other=200),
    row("GET", "/vacancies/999999", hr=404, chair=404, panelist=404, other=404),
    row("GET", "/vacancies/{a}/edit", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/deadlines", panelist=404),  # HR sets, the vacancy's chair extends
    row("POST", "/vacancies/{a}/deadlines", hr=302, chair=302, panelist=404),  # nothing typed: nothing changed
    row("GET", "/vacancies/{b}/deadlines", chair=404, panelist=404, other=404),  # a panelist is no chair
    row("GET", "/vacancies/{a}/messages", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/messages/preview", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/job-description", hr=404, chair=404, panelist=404),  # none uploaded
    row("GET", "/vacancies/{a}/status", chair=404, panelist=404),
    row("POST", "/vacancies/{a}/archive", hr=302, chair=404, panelist=404),
    row("GET", "/vacancies/{a}/criteria"),
    row("GET", "/vacancies/{b}/criteria", chair=404, panelist=404, other=200),
    row("GET", "/vacancies/{a}/criteria/new", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/criteria/{a_c1}/edit", chair=404, panelist=404),
    row("GET", "/vacancies/{b}/criteria/{a_c1}/edit", hr=404, chair=404, panelist=404),  # criterion of another vacancy
    row("POST", "/vacancies/{a}/criteria/{a_c1}/move", hr=302, chair=404, panelist=404),
    row("GET", "/vacancies/{a}/criteria/{a_c1}/delete", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/criteria/copy", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/panel"),
    row("POST", "/vacancies/{a}/panel", hr=400, chair=404, panelist=404),  # empty: errors shown (400)
    row("GET", "/vacancies/{a}/panel/{a_m1}/remove", chair=404, panelist=404),
    row("GET", "/vacancies/{b}/panel/{a_m1}/remove", hr=404, chair=404, panelist=404),  # member of another panel
]


def url_values(world) -> dict:
    a, b = world["a"], world["b"]
    return {
        "a": a.id, "b": b.id,
        "a_c1": a.criteria[0].id,
        "a_m1": a.panel_members[0].id,
        "panelist_id": world["panelist"].id,
        "other_id": world["other"].id,
        "spare_id": world["spare"].id,
    }


def check(as_user, world, method, url, expected):
    values = url_values(world)
    path = url.format(**values)
    for role in ROLES:
        client = as_user(None if role == "anon" else world[role])
        if method == "GET":
            response = client.get(path)
        else:
            response = client.post_form(path, {})
        assert response.status_code == expected[role], f"{method} {path} as {role}: {response.status_code}, expected {expected[role]}"


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_permission_matrix(as_user, world, method, url, expected):
    check(as_user, world, method, url, expected)


def test_every_route_is_in_a_matrix(app):
    """A new route without a row in some permission matrix fails this test."""
    import importlib
    import pkgutil

    import tests

    covered = set()
    for mod in pkgutil.iter_modules(tests.__path__):
        if mod.name.startswith("test_"):
            module = importlib.import_module(f"tests.{mod.name}")
            for entry in getattr(module, "ROUTES", []):
                covered.add(entry[1].split("?")[0])
    adapter = app.url_map.bind("localhost")
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        pattern = rule.rule
        if not any(_matches(pattern, url) for url in covered):
            missing.append(pattern)
    assert not missing, f"routes missing from every permission matrix: {missing}"


def _matches(rule: str, url: str) -> bool:
    import re

    regex = "^" + re.sub(r"<[^>]+>", r"[^/]+", rule) + "$"
    return re.match(regex, re.sub(r"\{[^}]+\}", "1", url)) is not None
