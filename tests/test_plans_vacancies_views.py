"""The plan and vacancy pages keep the house rules (issue 13, items 3 and 4): every route
declares its permission with @vacancy_view (or @user_view when it names no vacancy),
invalid input comes back with the error summary and status 400, a stale stage move is 409,
and nothing is changed by a refused POST."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from panel import permissions
from panel.models import AuditEvent, BankQuestion, QuestionStatus, VacancyStatus

SUMMARY = "There is a problem"


def test_every_plan_and_vacancy_route_declares_its_permission(app):
    routes = [r for r in app.url_map.iter_rules() if r.endpoint.split(".")[0] in ("plans", "vacancies")]
    assert len(routes) >= 30
    for rule in routes:
        predicate = getattr(app.view_functions[rule.endpoint], "permission", None)
        assert predicate is not None, f"{rule.rule} ({rule.endpoint}) declares no permission"
        assert getattr(permissions, predicate.__name__) is predicate, rule.endpoint  # a named predicate


def _audit_count(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent))


# (who, url, form data, message shown): each POST is invalid input
CASES = [
    ("chair", "/vacancies/{a}/plan/questions/{pq}/edit", {"text": "", "minutes": "10"}, "Enter the question"),
    ("chair", "/vacancies/{a}/timetable/slots/{slot}/edit",
     {"date-day": "12", "date-month": "1", "date-year": "2027", "starts": "soon", "ends": "11:45",
      "candidate_id": "0", "location": ""}, "is not a time"),
    ("hr", "/vacancies/{a}/edit", {"title": ""}, "Enter the job title"),
    ("hr", "/vacancies/{a}/criteria/new", {}, SUMMARY),
    ("hr", "/vacancies/{a}/criteria/{c}/edit", {"text": ""}, SUMMARY),
    ("hr", "/vacancies/{a}/criteria/copy", {"source": "0"}, "Choose a vacancy to copy from"),
    ("hr", "/vacancies/{a}/invitations/template", {"subject": "", "body": ""}, "Enter the subject of the email"),
    ("hr", "/vacancies/{a}/invitations/{a1}", {"subject": "Hi {firstname}", "body": "Dear {first_name}"},
     "{firstname}"),
]


@pytest.mark.parametrize("who,url,data,message", CASES, ids=[c[1] for c in CASES])
def test_invalid_input_answers_400_with_the_error_summary(as_user, plan_world, session, who, url, data, message):
    w = plan_world
    url = url.format(a=w["a"].id, pq=w["plan_question"].id, slot=w["slot"].id, c=w["a"].criteria[0].id,
                     a1=w["a1"].id)
    client = as_user(w[who])
    before = _audit_count(session)
    response = client.post_form(url, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400, (url, response.status_code)
    assert SUMMARY in page and message in page
    assert _audit_count(session) == before


def test_a_post_for_a_candidate_without_a_slot_is_refused(as_user, plan_world, session):
    w = plan_world
    hr = as_user(w["hr"])
    before = _audit_count(session)
    response = hr.post_form(f"/vacancies/{w['a'].id}/invitations/{w['a2'].id}",
                                          {"subject": "Your interview", "body": "Dear Bea"})
    assert response.status_code == 400 and "has no interview slot yet" in response.get_data(as_text=True)
    assert _audit_count(session) == before


def test_removing_someone_from_a_closed_panel_is_refused_with_400(as_user, world, session):
    a = world["a"]
    a.status = VacancyStatus.CLOSED
    session.commit()
    member = a.panel_members[1]
    response = as_user(world["hr"]).post_form(f"/vacancies/{a.id}/panel/{member.id}/remove")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and SUMMARY in page and "The panel of a closed vacancy cannot change" in page
    session.expire_all()
    assert len(session.get(type(a), a.id).panel_members) == 2


def test_the_panel_reads_the_scale_and_the_panel_page_but_cannot_post_to_them(as_user, plan_world):
    a = plan_world["a"]
    panelist = as_user(plan_world["panelist"])
    for url in (f"/vacancies/{a.id}/plan/scale", f"/vacancies/{a.id}/panel"):
        assert panelist.get(url).status_code == 200
        assert panelist.post_form(url, {}).status_code == 404


def test_moving_on_is_for_hr_while_there_is_a_next_stage(as_user, world, session):
    a = world["a"]
    hr, chair = world["hr"], world["chair"]
    assert permissions.can_move_stage(hr, a) and not permissions.can_move_stage(chair, a)
    a.status = VacancyStatus.CLOSED
    session.commit()
    assert not permissions.can_move_stage(hr, a)
    assert as_user(hr).get(f"/vacancies/{a.id}/status").status_code == 404


def test_only_an_approved_bank_question_the_user_may_see_starts_a_plan_question(plan_world):
    chair, panelist = plan_world["chair"], plan_world["panelist"]
    assert permissions.can_use_bank_question(chair, plan_world["bank_approved"])
    assert not permissions.can_use_bank_question(panelist, plan_world["bank_proposed_a"])  # their own, not approved
    assert not permissions.can_use_bank_question(chair, None)
    assert plan_world["bank_proposed_a"].status == QuestionStatus.PROPOSED
    assert isinstance(plan_world["bank_approved"], BankQuestion)
