"""Issue 12, items 9 and 10: ids beyond 64 bits are a 404 on every route (never a 500), and
/healthz tells the truth about whether the database accepts a write; a save blocked by a
lock gives up within the configured time with the friendly 503 page."""
from __future__ import annotations

import pytest

from panel.converters import ID_MAX
from tests.conftest import Client, login
from tests.test_shortlisting_fixtures import sl  # noqa: F401

HUGE = [ID_MAX + 1, 2**63 - 1, 2**63, 2**64, 10**25, int("9" * 40)]


def _int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if rule.rule.find(f"<int:{name}>") >= 0]
        if ints:
            yield rule, ints


def _methods(rule):
    return sorted(rule.methods - {"HEAD", "OPTIONS"})


def _request(client: Client, method: str, path: str, token: str | None):
    if method == "GET":
        return client.get(path)
    return client.open(path, method=method, data={"csrf_token": token} if token else {})


def test_the_cap_is_what_the_id_columns_hold():
    """Every id column is Integer (32-bit on PostgreSQL): if one becomes BigInteger, raise ID_MAX."""
    from sqlalchemy import BigInteger, Integer

    from panel.db import Base

    for table in Base.metadata.tables.values():
        for column in table.primary_key.columns:
            assert isinstance(column.type, Integer) and not isinstance(column.type, BigInteger), column
    assert ID_MAX == 2**31 - 1


def test_every_int_route_is_found_by_the_test(app):
    rules = list(_int_rules(app))
    assert len(rules) > 60  # every <int:...> route of every area
    assert {"vacancy_id", "candidate_id", "user_id", "question_id", "slot_id", "criterion_id", "member_id"} <= \
        {name for _rule, ints in rules for name in ints}


@pytest.mark.parametrize("who", ["hr", "anon"])
def test_ids_beyond_64_bits_are_404_on_every_route(app, sl, who):  # noqa: F811
    client = app.test_client()
    token = None
    if who == "hr":
        assert login(client, sl.hr).status_code == 302
        token = client.csrf_token()
    real = {"vacancy_id": sl.v.id, "candidate_id": sl.candidates[0].id, "user_id": sl.panelist.id,
            "criterion_id": sl.criteria[0].id}
    failures = []
    for rule, ints in _int_rules(app):
        for huge in HUGE:
            # every id huge at once, then each one huge with the others real (past the vacancy check)
            variants = [dict.fromkeys(ints, huge)] + [
                {name: (huge if name == which else real.get(name, 1)) for name in ints} for which in ints]
            for values in variants:
                path = rule.rule
                for name, value in values.items():
                    path = path.replace(f"<int:{name}>", str(value))
                for method in _methods(rule):
                    response = _request(client, method, path, token)
                    if response.status_code != 404:
                        failures.append((method, path, response.status_code))
    assert not failures, failures[:20]


def test_the_largest_id_is_looked_up_and_not_found(app, sl):  # noqa: F811
    """ID_MAX passes the converter and reaches the database: still a 404 (or a redirect or a
    refusal), never a 500, on SQLite and PostgreSQL alike."""
    client = app.test_client()
    assert login(client, sl.hr).status_code == 302
    token = client.csrf_token()
    failures = []
    for rule, ints in _int_rules(app):
        for which in ints:
            values = {name: (ID_MAX if name == which else (sl.v.id if name == "vacancy_id" else ID_MAX))
                      for name in ints}
            path = rule.rule
            for name, value in values.items():
                path = path.replace(f"<int:{name}>", str(value))
            for method in _methods(rule):
                response = _request(client, method, path, token)
                if response.status_code >= 500:
                    failures.append((method, path, response.status_code))
    assert not failures, failures[:20]


QUERY_IDS = ["/audit?vacancy={n}", "/audit?candidate={n}", "/audit?person={n}", "/audit?page={n}",
             "/audit/export.csv?vacancy={n}", "/audit/export.csv?candidate={n}", "/people/invite?vacancy={n}",
             "/vacancies/{v}/plan/questions/new?from={n}", "/questions/propose?vacancy={n}"]


def test_ids_in_query_strings_beyond_what_an_id_can_be_are_ignored_or_404(app, sl):  # noqa: F811
    client = app.test_client()
    assert login(client, sl.hr).status_code == 302
    failures = []
    for template in QUERY_IDS:
        for n in [ID_MAX + 1, 2**63, 10**25]:
            path = template.format(n=n, v=sl.v.id)
            status = client.get(path).status_code
            if status not in (200, 404):
                failures.append((path, status))
    assert not failures, failures


def test_no_view_reads_an_id_from_a_query_string_with_a_bare_int():
    """`type=int` lets any number through to the database; ids go through panel.converters.id_value."""
    from pathlib import Path

    import panel

    offenders = [str(p) for p in Path(panel.__file__).parent.rglob("*.py") if "type=int)" in p.read_text()]
    assert not offenders, offenders
