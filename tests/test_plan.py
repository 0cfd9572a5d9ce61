"""A vacancy's interview plan: questions from the bank or new, criteria, askers, order,
the coverage check, the scale, and what each panel member sees."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from panel.models import (
    AuditEvent,
    BankQuestion,
    InterviewScore,
    InterviewSlot,
    PanelMember,
    PlanQuestion,
    QuestionStatus,
    ScaleLevel,
    VacancyStatus,
)
from tests.builders_plugin import builder
from tests.conftest import count_queries, make_user, make_vacancy

UTC = dt.timezone.utc


def _plan(session, vacancy_id):
    session.expire_all()
    return list(session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == vacancy_id)
                                .order_by(PlanQuestion.position)))


def _form(world, **overrides):
    a = world["a"]
    data = {"text": "How would you respond if a client told you they had thought about ending their life?",
            "criteria": [str(a.criteria[2].id)], "guidance": "Stays calm\nAsks directly about risk\nSeeks supervision",
            "follow_ups": "Who would you tell?", "content_note": "This question is about suicide and self-harm.",
            "minutes": "10", "asker_id": str(world["panelist_member"].id if "panelist_member" in world
                                             else a.panel_members[1].id)}
    data.update(overrides)
    return data


def test_the_chair_writes_a_new_question_with_criteria_and_a_patient_asker(as_user, world, session):
    chair = as_user(world["chair"])
    a = world["a"]
    page = chair.get(f"/vacancies/{a.id}/plan/questions/new").get_data(as_text=True)
    assert "Criterion 2" in page and "Criterion 3" in page
    assert "Criterion 1" not in page  # assessed at application only
    assert "John O&#39;Neill (patient panelist)" in page
    response = chair.post_form(f"/vacancies/{a.id}/plan/questions/new",
                               _form(world, criteria=[str(a.criteria[1].id), str(a.criteria[2].id)]))
    assert response.status_code == 302, response.get_data(as_text=True)
    [q] = _plan(session, a.id)
    assert q.position == 1 and q.minutes == 10 and q.bank_question_id is None
    assert {link.criterion_id for link in q.criteria_links} == {a.criteria[1].id, a.criteria[2].id}
    assert session.get(PanelMember, q.asker_id).user_id == world["panelist"].id
    assert q.content_note == "This question is about suicide and self-harm."
    # the default 0-4 scale is created with the first question
    levels = list(session.scalars(select(ScaleLevel).where(ScaleLevel.vacancy_id == a.id).order_by(ScaleLevel.score)))
    assert [(lv.score, lv.label) for lv in levels] == [(0, "No evidence"), (1, "Limited"), (2, "Adequate"),
                                                      (3, "Good"), (4, "Excellent")]
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "plan_question"))
    assert event.actor_id == world["chair"].id and event.vacancy_id == a.id and "criteria" in event.changes


def test_bad_plan_questions_are_refused_and_nothing_is_saved(as_user, world, session):
    chair = as_user(world["chair"])
    a, b = world["a"], world["b"]
    b_member = b.panel_members[0]
    cases = [
        ({"text": ""}, "Enter the question"),
        ({"text": "x" * 1001}, "The question must be 1000 characters or fewer"),
        ({"criteria": []}, "Choose at least one criterion the question assesses"),
        ({"criteria": [str(b.criteria[2].id)]}, "Choose criteria from this vacancy&#39;s person specification"),
        ({"criteria": [str(a.criteria[0].id)]}, "assessed at interview"),  # application only
        ({"criteria": ["nonsense"]}, "Choose criteria from this vacancy&#39;s person specification"),
        ({"asker_id": str(b_member.id)}, "Choose a member of this vacancy&#39;s panel to ask the question"),
        ({"minutes": "0"}, "Minutes allowed must be between 1 and 60"),
        ({"minutes": "ten"}, "Minutes allowed must be a whole number"),
        ({"minutes": ""}, "Enter how many minutes the question takes"),
    ]
    for overrides, message in cases:
        response = chair.post_form(f"/vacancies/{a.id}/plan/questions/new", _form(world, **overrides))
        page = response.get_data(as_text=True)
        assert response.status_code == 400, overrides  # invalid input: the form again, 400
        assert message in page, (overrides, message)
    assert _plan(session, a.id) == []


def test_adding_from_the_bank_copies_it_and_counts_as_a_use(as_user, plan_world, session):
    chair = as_user(plan_world["chair"])
    a, bank = plan_world["a"], plan_world["bank_approved"]
    listing = chair.get(f"/vacancies/{a.id}/plan/bank").get_data(as_text=True)
    assert "supported someone in distress" in listing and "Already in this plan" in listing
    assert "What does recovery mean to you?" not in listing  # proposals are not in the bank yet
    form = chair.get(f"/vacancies/{a.id}/plan/questions/new?from={bank.id}").get_data(as_text=True)
    assert "supported someone in distress" in form and "Keeps them safe" in form
    response = chair.post_form(f"/vacancies/{a.id}/plan/questions/new?from={bank.id}",
                               _form(plan_world, text="Tell us about a time you supported someone in distress, please."))
    assert response.status_code == 302
    questions = _plan(session, a.id)
    assert [q.position for q in questions] == [1, 2]
    assert questions[1].bank_question_id == bank.id
    assert "Used in 2 interview plans" in chair.get(f"/questions/{bank.id}").get_data(as_text=True)


def test_a_question_not_yet_approved_cannot_be_added_from_the_bank(as_user, plan_world, session):
    chair = as_user(plan_world["chair"])
    a = plan_world["a"]
    response = chair.post_form(f"/vacancies/{a.id}/plan/questions/new?from={plan_world['bank_proposed_a'].id}",
                               _form(plan_world))
    assert response.status_code == 404
    assert len(_plan(session, a.id)) == 1


def test_a_new_question_can_be_offered_to_the_bank(as_user, world, session):
    chair = as_user(world["chair"])
    a = world["a"]
    chair.post_form(f"/vacancies/{a.id}/plan/questions/new", _form(world, offer_to_bank="y"))
    [q] = _plan(session, a.id)
    offered = session.get(BankQuestion, q.bank_question_id)
    assert offered.status == QuestionStatus.PROPOSED and offered.proposed_for_vacancy_id == a.id
    assert offered.proposed_by_id == world["chair"].id and offered.text == q.text
    assert offered.category == a.criteria[2].category
    # it is not visible to other vacancies' panels until approved
    assert as_user(world["other"]).get(f"/questions/{offered.id}").status_code == 404


def test_change_move_and_remove(as_user, plan_world, session):
    chair = as_user(plan_world["chair"])
    a = plan_world["a"]
    for text in ("Second question?", "Third question?"):
        chair.post_form(f"/vacancies/{a.id}/plan/questions/new", _form(plan_world, text=text))
    first, second, third = _plan(session, a.id)
    chair.post_form(f"/vacancies/{a.id}/plan/questions/{third.id}/move", {"direction": "up"})
    assert [q.text for q in _plan(session, a.id)] == ["Why do you want this job?", "Third question?", "Second question?"]
    chair.post_form(f"/vacancies/{a.id}/plan/questions/{first.id}/move", {"direction": "up"})  # already first: no change
    chair.post_form(f"/vacancies/{a.id}/plan/questions/{first.id}/move", {"direction": "down"})
    assert [q.text for q in _plan(session, a.id)] == ["Third question?", "Why do you want this job?", "Second question?"]
    # change: new text, new criteria, nobody asking
    response = chair.post_form(f"/vacancies/{a.id}/plan/questions/{second.id}/edit",
                               _form(plan_world, text="Second question, changed?", asker_id="0",
                                     criteria=[str(a.criteria[1].id), str(a.criteria[2].id)]))
    assert response.status_code == 302
    changed = next(q for q in _plan(session, a.id) if q.id == second.id)
    assert changed.text == "Second question, changed?" and changed.asker_id is None
    assert {link.criterion_id for link in changed.criteria_links} == {a.criteria[1].id, a.criteria[2].id}
    # remove: the others close up
    response = chair.post_form(f"/vacancies/{a.id}/plan/questions/{third.id}/delete", {})
    assert response.status_code == 302
    assert [(q.position, q.text) for q in _plan(session, a.id)] == [(1, "Why do you want this job?"),
                                                                  (2, "Second question, changed?")]


def test_a_question_with_scores_cannot_be_removed(as_user, plan_world, session):
    question = plan_world["plan_question"]
    session.add(InterviewScore(candidate_id=plan_world["a1"].id, plan_question_id=question.id,
                               user_id=plan_world["panelist"].id, score=3))
    session.commit()
    response = as_user(plan_world["chair"]).post_form(
        f"/vacancies/{plan_world['a'].id}/plan/questions/{question.id}/delete", {})
    assert response.status_code == 400
    assert "already scored candidates on it" in response.get_data(as_text=True)
    assert len(_plan(session, plan_world["a"].id)) == 1


def test_the_coverage_check_warns_about_uncovered_criteria_and_time(as_user, plan_world, session):
    chair = as_user(plan_world["chair"])
    a = plan_world["a"]
    page = chair.get(f"/vacancies/{a.id}/plan").get_data(as_text=True)
    # A's only essential interview criterion is criterion 3; the plan question covers criterion 2
    assert "Check the plan" in page and "No question covers the essential criterion: Criterion 3" in page
    chair.post_form(f"/vacancies/{a.id}/plan/questions/new", _form(plan_world, minutes="40"))
    page = chair.get(f"/vacancies/{a.id}/plan").get_data(as_text=True)
    assert "No question covers the essential criterion" not in page
    assert "The questions take 50 minutes, but each interview slot is 45 minutes (5 minutes too long)" in page
    # panel members see no warnings, but do see what is covered
    panelist_page = as_user(plan_world["panelist"]).get(f"/vacancies/{a.id}/plan").get_data(as_text=True)
    assert "Check the plan" not in panelist_page and "What the questions cover" in panelist_page


def test_the_panelist_sees_their_questions_highlighted_with_guidance_and_the_timetable(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    chair.post_form(f"/vacancies/{a.id}/plan/questions/new",
                    _form(plan_world, text="A question the chair asks?", asker_id=str(a.panel_members[0].id)))
    # a summer slot: stored in UTC, shown in London time
    session.add(InterviewSlot(vacancy_id=a.id, candidate_id=plan_world["a2"].id,
                              starts_at=dt.datetime(2027, 6, 15, 13, 0, tzinfo=UTC),
                              ends_at=dt.datetime(2027, 6, 15, 13, 45, tzinfo=UTC), location="Room 4"))
    session.commit()
    page = as_user(plan_world["panelist"]).get(f"/vacancies/{a.id}/plan").get_data(as_text=True)
    assert "You ask <strong>1 question</strong>" in page
    assert page.count("You ask this") == 2  # the intro and the one question
    assert "panel-plan__item--mine" in page
    mine = page.index("Why do you want this job?")
    theirs = page.index("A question the chair asks?")
    assert mine < theirs  # in plan order
    assert "Knows the service" in page and "Who would you tell?" in page
    assert "Content note" in page and "suicide and self-harm" in page
    assert "Asked by:</strong> <bdi>Chris Morgan</bdi> (chair)" in page
    assert "12 January 2027 at 9:30am" in page
    assert "15 June 2027 at 2:00pm" in page  # 13:00 UTC is 2pm BST
    # at the draft stage the panel sees candidate numbers, not names
    assert "Candidate 01" in page and "Alex Smith" not in page
    assert "Change the timetable" not in page and "Move up" not in page


def test_the_panel_sees_names_from_interviewing_on(as_user, plan_world, session):
    a = plan_world["a"]
    a.status = VacancyStatus.INTERVIEWING
    session.commit()
    page = as_user(plan_world["panelist"]).get(f"/vacancies/{a.id}/plan").get_data(as_text=True)
    assert "Candidate 01 (Alex Smith)" in page


def test_the_plan_cannot_be_changed_once_decisions_start(as_user, plan_world, session):
    a = plan_world["a"]
    a.status = VacancyStatus.DECISIONS
    session.commit()
    chair = as_user(plan_world["chair"])
    assert chair.get(f"/vacancies/{a.id}/plan").status_code == 200
    assert chair.get(f"/vacancies/{a.id}/plan/questions/new").status_code == 404
    assert chair.post_form(f"/vacancies/{a.id}/plan/questions/{plan_world['plan_question'].id}/move",
                           {"direction": "down"}).status_code == 404


# --- the scale -------------------------------------------------------------------------

def _scale_form(**overrides):
    data = {}
    for score, label in enumerate(["None", "Some", "Meets", "Good", "Outstanding"]):
        data[f"label_{score}"] = label
        data[f"descriptor_{score}"] = f"What {label.lower()} means here."
    data.update(overrides)
    return data


def test_the_chair_changes_the_wording_of_the_scale(as_user, world, session):
    a = world["a"]
    chair = as_user(world["chair"])
    page = chair.get(f"/vacancies/{a.id}/plan/scale").get_data(as_text=True)
    assert "No evidence" in page and "Excellent" in page
    response = chair.post_form(f"/vacancies/{a.id}/plan/scale", _scale_form())
    assert response.status_code == 302
    session.expire_all()
    levels = list(session.scalars(select(ScaleLevel).where(ScaleLevel.vacancy_id == a.id).order_by(ScaleLevel.score)))
    assert [lv.label for lv in levels] == ["None", "Some", "Meets", "Good", "Outstanding"]
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "scale")).actor_id == world["chair"].id
    assert "4 – <bdi>Outstanding</bdi>" in as_user(world["panelist"]).get(f"/vacancies/{a.id}/plan").get_data(as_text=True)


def test_bad_scale_wording_is_refused(as_user, world, session):
    a = world["a"]
    chair = as_user(world["chair"])
    for overrides, message in (({"label_2": ""}, "Enter a name for score 2"),
                               ({"label_3": "x" * 61}, "The name for score 3 must be 60 characters or fewer"),
                               ({"descriptor_0": ""}, "Say what score 0 means")):
        response = chair.post_form(f"/vacancies/{a.id}/plan/scale", _scale_form(**overrides))
        assert response.status_code == 400 and message in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(ScaleLevel).where(ScaleLevel.vacancy_id == a.id)).first() is None


def test_the_scale_cannot_change_after_scoring_began(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    chair.post_form(f"/vacancies/{a.id}/plan/scale", _scale_form())
    session.add(InterviewScore(candidate_id=plan_world["a1"].id, plan_question_id=plan_world["plan_question"].id,
                               user_id=plan_world["panelist"].id, score=2))
    session.commit()
    page = chair.get(f"/vacancies/{a.id}/plan/scale").get_data(as_text=True)
    assert "cannot change now" in page and "Save the scale" not in page
    response = chair.post_form(f"/vacancies/{a.id}/plan/scale", _scale_form(label_4="Changed"))
    assert response.status_code == 400
    assert "interview scores have already been recorded" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(ScaleLevel.label).where(ScaleLevel.vacancy_id == a.id, ScaleLevel.score == 4)) == "Outstanding"


# --- the plan page loads in a fixed number of queries ------------------------------------

def _vacancy_with_questions(session, reference, n, chair, panelist):
    vacancy = make_vacancy(session, reference, criteria=4, panel=[(chair, "chair"), (panelist, "patient")])
    build = builder(session)
    members = vacancy.panel_members
    interview = [c for c in vacancy.criteria if c.at_interview]
    for i in range(1, n + 1):
        build.plan_question(vacancy, f"Question number {i}?", criteria=interview, asker=members[i % 2], minutes=3,
                            guidance="Point one\nPoint two", follow_ups="Why?")
    for i in range(n):  # empty slots an hour apart from 9am (UK time is UTC in January)
        starts = dt.datetime(2027, 1, 12, 9, 0) + dt.timedelta(hours=i)
        build.slot(vacancy, None, starts.date(), starts.time(), 45)
    build.commit()
    return vacancy


def test_the_plan_page_uses_the_same_number_of_queries_for_3_and_20_questions(app, as_user, session):
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    panelist = make_user(session, "panelist", "John O'Neill", "panelist@example.org")
    small = _vacancy_with_questions(session, "S-1", 3, chair, panelist)
    large = _vacancy_with_questions(session, "L-1", 20, chair, panelist)
    for user in (chair, panelist):
        client = as_user(user)
        counts = []
        for vacancy, n in ((small, 3), (large, 20)):
            with count_queries(app) as statements:
                page = client.get(f"/vacancies/{vacancy.id}/plan").get_data(as_text=True)
            assert f"Question number {n}?" in page
            counts.append(len(statements))
        assert counts[0] == counts[1], (user.name, counts)
        assert counts[0] <= 14, counts
