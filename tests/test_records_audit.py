"""Who saw what: views and downloads are recorded; HR filters the audit log and exports it
as CSV; nothing in the app can change or delete audit entries."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from sqlalchemy import select

from panel.models import AuditEvent
from panel.csvexport import neutralise
from tests.builders_plugin import closed_world
from tests.conftest import count_queries
from tests.builders_plugin import fetch_pack
from tests.snapshots import snapshotted

UTC = dt.timezone.utc


@pytest.fixture()
@snapshotted
def rw(app, session, world):
    return closed_world(app, session, world)


def events(session, **where):
    session.expire_all()
    return list(session.scalars(select(AuditEvent).filter_by(**where).order_by(AuditEvent.id)))


def test_viewing_a_candidates_personal_details_is_recorded(rw, as_user, session):
    a, a2 = rw["a"], rw["a2"]
    assert as_user(rw["hr"]).get(f"/vacancies/{a.id}/candidates/{a2.id}").status_code == 200
    assert as_user(rw["chair"]).get(f"/vacancies/{a.id}/candidates/{a2.id}").status_code == 200
    seen = events(session, action="view")
    assert [(e.actor_id, e.candidate_id, e.vacancy_id) for e in seen] == [
        (rw["hr"].id, a2.id, a.id), (rw["chair"].id, a2.id, a.id)]
    assert seen[0].summary == "Candidate 02's personal details viewed"
    # refused: nothing recorded
    as_user(rw["other"]).get(f"/vacancies/{a.id}/candidates/{a2.id}")
    assert len(events(session, action="view")) == 2


def test_downloads_are_recorded(rw, as_user, session):
    a, a2 = rw["a"], rw["a2"]
    hr = as_user(rw["hr"])
    assert hr.get(f"/vacancies/{a.id}/candidates/{a2.id}/application.pdf").status_code == 200
    assert hr.get(f"/vacancies/{a.id}/shortlisting/export.csv").status_code == 200
    assert hr.get(f"/vacancies/{a.id}/interviews/export.csv").status_code == 200
    assert hr.get(f"/vacancies/{a.id}/feedback/{a2.id}/download").status_code == 200
    downloads = events(session, action="download")
    summaries = [e.summary for e in downloads]
    assert summaries == ["Application PDF of Candidate 02 downloaded (as uploaded)",
                         "Shortlisting export (CSV) for A-1 downloaded",
                         "Interview scores export (CSV) for A-1 downloaded",
                         "Feedback for Candidate 02 downloaded"]
    assert all(e.actor_id == rw["hr"].id and e.vacancy_id == a.id for e in downloads)
    assert downloads[0].candidate_id == a2.id and downloads[3].candidate_id == a2.id


def test_pack_downloads_are_recorded(rw, as_user, session):
    response = fetch_pack(as_user(rw["hr"]), f"/vacancies/{rw['a'].id}/packs/panel.pdf")
    assert response.status_code == 200
    assert [(e.entity_type, e.actor_id) for e in events(session, action="download")] == [("pack", rw["hr"].id)]


def _add(session, **kw):
    session.add(AuditEvent(entity_type=kw.pop("entity_type", "candidate"), summary=kw.pop("summary", "x"), **kw))


def test_filters_by_vacancy_candidate_person_and_date(rw, as_user, session):
    a, b, a1, a2 = rw["a"], rw["b"], rw["a1"], rw["a2"]
    hr, chair = rw["hr"], rw["chair"]
    _add(session, action="view", actor_id=hr.id, vacancy_id=a.id, candidate_id=a1.id, entity_id=a1.id,
         summary="E1 hr viewed a1 in March", at=dt.datetime(2026, 3, 10, 10, tzinfo=UTC))
    _add(session, action="view", actor_id=chair.id, vacancy_id=a.id, candidate_id=a2.id, entity_id=a2.id,
         summary="E2 chair viewed a2 in March", at=dt.datetime(2026, 3, 31, 23, 30, tzinfo=UTC))  # 1 April in London
    _add(session, action="update", actor_id=hr.id, vacancy_id=a.id, entity_type="candidate", entity_id=a2.id,
         summary="E3 hr changed a2 in April", at=dt.datetime(2026, 4, 5, 9, tzinfo=UTC))
    _add(session, action="view", actor_id=hr.id, vacancy_id=b.id, candidate_id=rw["b1"].id,
         summary="E4 hr viewed b1", at=dt.datetime(2026, 4, 6, 9, tzinfo=UTC))
    session.commit()
    client = as_user(hr)

    def shown(query):
        page = client.get(f"/audit?{query}").get_data(as_text=True)
        return [e for e in ("E1", "E2", "E3", "E4") if f"{e} " in page]

    assert shown(f"vacancy={a.id}") == ["E1", "E2", "E3"]
    assert shown(f"vacancy={a.id}&candidate={a2.id}") == ["E2", "E3"]  # by candidate_id and by entity
    assert shown(f"person={chair.id}") == ["E2"]
    assert shown("from=2026-04-01&to=2026-04-05") == ["E2", "E3"]  # UK dates, both ends included
    assert shown("to=2026-03-31") == ["E1"]
    assert shown(f"person={hr.id}&from=2026-04-06") == ["E4"]
    page = client.get(f"/audit?vacancy={a.id}").get_data(as_text=True)
    assert "Candidate 02 – Bea Jones" in page  # the candidate filter lists the vacancy's candidates


def test_bad_dates_get_a_clear_message(rw, as_user):
    client = as_user(rw["hr"])
    response = client.get("/audit?from=31/13/2026")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and "Enter a real date" in page
    page = client.get("/audit?from=2026-05-01&to=2026-04-01").get_data(as_text=True)
    assert "The end date must be the same as or after the start date" in page


def test_csv_export_filters_and_neutralises_formulas(rw, as_user, session):
    a = rw["a"]
    _add(session, action="update", actor_id=rw["hr"].id, vacancy_id=a.id, entity_id=rw["a2"].id,
         summary="=HYPERLINK(\"http://evil\")", changes={"note": {"before": None, "after": "+1"}},
         at=dt.datetime(2026, 3, 10, 10, tzinfo=UTC))
    _add(session, action="update", actor_id=rw["hr"].id, vacancy_id=rw["b"].id, summary="other vacancy",
         at=dt.datetime(2026, 3, 10, 10, tzinfo=UTC))
    session.commit()
    response = as_user(rw["hr"]).get(f"/audit/export.csv?vacancy={a.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][0] == "When (UK time)"
    summaries = [r[7] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil\")" in summaries and "other vacancy" not in summaries
    row = next(r for r in rows[1:] if r[7].startswith("'="))
    assert row[1] == "Priya Shah" and row[5] == "A-1" and row[6] == str(rw["a2"].id)
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    # the export is itself recorded
    exported = events(session, action="download", entity_type="audit log")
    assert len(exported) == 1 and exported[0].changes == {"filters": {"vacancy": a.id}}


@pytest.mark.parametrize("value,expected", [("=1+1", "'=1+1"), ("+44 7700", "'+44 7700"), ("-3", "'-3"),
                                            ("@SUM(A1)", "'@SUM(A1)"), ("\tx", "'\tx"), ("\rx", "'\rx"), ("-", "'-"),
                                            ("plain", "plain"), ("fine = ok", "fine = ok"),
                                            (None, ""), (5, "5")])
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_no_route_can_change_the_audit_log(app):
    """Every /audit route is read-only, and no route anywhere deletes or edits audit rows."""
    import inspect

    audit_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/audit")]
    assert {r.rule for r in audit_rules} >= {"/audit", "/audit/export.csv"}
    for rule in audit_rules:
        assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
    for rule in app.url_map.iter_rules():
        source = inspect.getsource(inspect.unwrap(app.view_functions[rule.endpoint]))
        assert "AuditEvent" not in source or not any(w in source for w in ("delete(", ".changes =", "update(")), rule


def test_audit_page_reads_in_a_fixed_number_of_queries(app, rw, as_user, session):
    _add(session, action="view", actor_id=rw["hr"].id, vacancy_id=rw["a"].id, candidate_id=rw["a1"].id)
    session.commit()
    client = as_user(rw["hr"])
    client.get(f"/audit?vacancy={rw['a'].id}")
    with count_queries(app) as small:
        assert client.get(f"/audit?vacancy={rw['a'].id}").status_code == 200
    for i in range(60):
        _add(session, action="view", actor_id=[rw["hr"].id, rw["chair"].id, rw["panelist"].id][i % 3],
             vacancy_id=rw["a"].id, candidate_id=rw["a1"].id, summary=f"view {i}")
    session.commit()
    with count_queries(app) as large:
        assert client.get(f"/audit?vacancy={rw['a'].id}").status_code == 200
    assert len(large) == len(small), (len(small), len(large))


def test_shortlisting_scores_hidden_in_the_audit_log_until_shortlisting_ends(as_user, world, session):
    """HR never sees shortlisting scores while shortlisting is open, not even in the audit log."""
    from panel import audit as audit_module
    from panel.models import VacancyStatus

    a = world["a"]
    a.status = VacancyStatus.SHORTLISTING
    audit_module.record(session, world["panelist"], "score", entity_type="candidate", entity_id=1, vacancy_id=a.id,
                        summary="Shortlisting scores saved", changes={"criterion 1": {"before": None, "after": 2},
                                                                      "comment": {"before": "", "after": "zxq-secret"}})
    session.commit()
    hr = as_user(world["hr"])
    page = hr.get("/audit").get_data(as_text=True)
    assert "zxq-secret" not in page and "Scores are hidden until shortlisting ends" in page
    assert "zxq-secret" not in hr.get("/audit/export.csv").get_data(as_text=True)
    a.status = VacancyStatus.INTERVIEWING
    session.commit()
    assert "zxq-secret" in hr.get("/audit").get_data(as_text=True)
