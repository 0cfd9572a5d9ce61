"""Route-wide security tests (issue 7, ASVS V4 and V50): built from app.url_map, so a new
route is covered the day it is added.

- CSRF: every rule that accepts POST, posted without a token as HR, as a chair and
  anonymously, is refused with 400 and changes no table.
- No state change on GET: every GET rule, on every vacancy, as HR and as the chair,
  leaves every table's row count as it was (the audit log aside: downloads are logged; and
  the pack jobs a pack link records).
- Objects of another vacancy: every rule under /vacancies/<vacancy_id>/ with a child id,
  given the child of another vacancy, is 404 for HR, the chair (who sits on both
  panels) and a patient panelist, and changes nothing.
"""
from __future__ import annotations

import pytest

from tests.test_security_world import app_rules, fill, rich, rule_params, table_counts, values_for_rule  # noqa: F401

CSRF_MESSAGE = "Your form had expired or was not sent from this site"
CHILDREN = {"candidate_id", "criterion_id", "member_id", "question_id", "slot_id", "user_id"}


def _url(rich, rule, vacancy_id=None):
    vacancy_id = vacancy_id or rich.spwp.id
    url = fill(rule, values_for_rule(rich, rule, vacancy_id))
    if url is None:  # a kind of object this vacancy lacks: try the others
        for other in rich.values:
            url = url or fill(rule, values_for_rule(rich, rule, other))
    assert url is not None, f"no objects to fill {rule.rule}"
    return url


def test_every_post_route_needs_a_csrf_token(app, as_user, rich, session):
    rules = app_rules(app, "POST")
    assert len(rules) >= 40, "the url_map lost its POST routes?"
    clients = {"hr": as_user(rich.hr), "chair": as_user(rich.chair), "anonymous": as_user(None)}
    before = table_counts(session)
    failures = []
    for rule in rules:
        url = _url(rich, rule)
        for who, client in clients.items():
            for kwargs in ({"data": {}}, {"json": {"score": 1}}):
                response = client.post(url, **kwargs)
                if response.status_code != 400 or CSRF_MESSAGE not in response.get_data(as_text=True) and not response.is_json:
                    failures.append(f"POST {url} as {who}: {response.status_code}")
    assert not failures, failures
    assert table_counts(session) == before


def test_a_token_from_another_session_is_refused(app, as_user, rich, session):
    hr, chair = as_user(rich.hr), as_user(rich.chair)
    stolen = chair.csrf_token()
    before = table_counts(session)
    response = hr.post(f"/vacancies/{rich.spwp.id}/archive", data={"csrf_token": stolen})
    assert response.status_code == 400
    assert table_counts(session) == before


@pytest.mark.parametrize("who", ["hr", "chair"])
def test_no_get_route_changes_the_database(app, as_user, rich, session, who):
    client = as_user(getattr(rich, who))
    before = table_counts(session)
    visited = 0
    problems = []
    for rule in app_rules(app, "GET"):
        vacancies = list(rich.values) if "vacancy_id" in rule_params(rule) else [None]
        for vacancy_id in vacancies:
            url = fill(rule, values_for_rule(rich, rule, vacancy_id)) if vacancy_id else _url(rich, rule)
            if url is None:
                continue
            response = client.get(url)
            visited += 1
            if response.status_code >= 500:
                problems.append(f"GET {url}: {response.status_code}")
    after = table_counts(session)
    # the audit log, and pack requests: a pack link records a render job and who asked for it
    # (panel/packs/jobs.py), as a download is logged; nothing people entered changes
    for log in ("audit_events", "pack_jobs", "pack_requests"):
        before.pop(log), after.pop(log)
    assert not problems, problems
    assert after == before, {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert visited > 100


def _cross_cases(app, rich):
    """(rule, url) pairs: the vacancy in the URL is one vacancy, every child id is another's."""
    pairs = [(rich.pwp.id, rich.spwp.id), (rich.spwp.id, rich.pwp.id), (rich.spwp.id, rich.hit.id),
             (rich.hit.id, rich.spwp.id)]
    seen = set()
    for method in ("GET", "POST"):
        for rule in app_rules(app, method):
            params = set(rule_params(rule))
            if "vacancy_id" not in params or not params & CHILDREN:
                continue
            for here, there in pairs:
                values = dict(rich.values[there])
                values["vacancy_id"] = here
                if values.get("user_id") in {rich.values[here]["user_id"], rich.chair.id}:
                    values["user_id"] = rich.p3.id if here != rich.hit.id else rich.panelist.id
                url = fill(rule, values)
                own = fill(rule, rich.values[there])
                if url and (method, url) not in seen:
                    seen.add((method, url))
                    yield method, rule, url, own


def test_children_of_another_vacancy_are_404_for_everyone(app, as_user, rich, session):
    clients = {"hr": as_user(rich.hr), "chair": as_user(rich.chair), "panelist": as_user(rich.panelist)}
    tokens = {who: c.csrf_token() for who, c in clients.items()}
    before = table_counts(session)
    failures, tried, rules, found = [], 0, set(), set()
    for method, rule, url, own in _cross_cases(app, rich):
        rules.add(rule.rule)
        # the control: the same objects under their own vacancy are found by someone
        if method == "GET" and own and any(c.get(own).status_code != 404 for c in clients.values()):
            found.add(rule.rule)
        for who, client in clients.items():
            if method == "GET":
                response = client.get(url)
            else:
                response = client.post(url, data={"csrf_token": tokens[who]})
            tried += 1
            if response.status_code != 404:
                failures.append(f"{method} {url} ({rule.endpoint}) as {who}: {response.status_code}")
    assert not failures, "\n".join(failures)
    after = table_counts(session)
    for log in ("audit_events", "pack_jobs", "pack_requests"):  # the controls ask for their own packs
        before.pop(log), after.pop(log)
    assert after == before
    assert len(rules) >= 30 and tried > 200, (len(rules), tried)
    get_rules = {r.rule for m, r, _u, _o in _cross_cases(app, rich) if m == "GET"}
    assert len(found) >= 0.8 * len(get_rules), sorted(get_rules - found)
