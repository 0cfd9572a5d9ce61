"""The shared question bank: propose, see, search, approve or reject, and "used N times"."""
from __future__ import annotations

from sqlalchemy import select

from panel.models import AuditEvent, BankQuestion, CriterionCategory, PlanQuestion, QuestionStatus
from tests.conftest import make_user, make_vacancy

GOOD = {"text": "Tell us how you would make someone feel at ease in a first appointment.",
        "category": "values", "tags": "Values, first contact", "guidance": "- Warm welcome\n\n* Explains what happens\n",
        "follow_ups": "What if they are very anxious?", "content_note": "", "vacancy_id": "0"}


def _propose(client, **overrides):
    data = dict(GOOD, **overrides)
    return client.post_form("/questions/propose", data)


def _questions(session):
    session.expire_all()
    return list(session.scalars(select(BankQuestion).order_by(BankQuestion.id)))


def test_a_patient_panelist_proposes_a_question_for_their_vacancy(as_user, world, session):
    panelist = as_user(world["panelist"])
    page = panelist.get("/questions/propose").get_data(as_text=True)
    assert "A-1 – Psychological Wellbeing Practitioner" in page
    assert "B-1" not in page  # only their own vacancies are offered
    response = _propose(panelist, vacancy_id=str(world["a"].id))
    assert response.status_code == 302
    [q] = _questions(session)
    assert q.status == QuestionStatus.PROPOSED
    assert q.proposed_by_id == world["panelist"].id and q.proposed_for_vacancy_id == world["a"].id
    assert q.tags == "values,first contact"
    assert q.guidance == "Warm welcome\nExplains what happens"
    assert q.category == CriterionCategory.VALUES
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "propose"))
    assert event.actor_id == world["panelist"].id and event.vacancy_id == world["a"].id
    shown = panelist.get(response.headers["Location"]).get_data(as_text=True)
    assert "Waiting for approval" in shown and "<bdi>John O&#39;Neill</bdi> for <bdi>A-1</bdi>" in shown


def test_a_proposal_is_seen_only_by_its_proposer_hr_and_the_vacancy_chair(as_user, world, session):
    _propose(as_user(world["panelist"]), vacancy_id=str(world["a"].id))
    [q] = _questions(session)
    for who, status in (("panelist", 200), ("hr", 200), ("chair", 200), ("other", 404), ("spare", 404)):
        assert as_user(world[who]).get(f"/questions/{q.id}").status_code == status, who
    # and it is in no list or search result of the others
    other = as_user(world["other"])
    for url in ("/questions", "/questions?show=mine", "/questions?show=waiting", "/questions?q=ease",
                "/questions?show=rejected"):
        assert "make someone feel at ease" not in other.get(url).get_data(as_text=True), url
    # a chair of another vacancy does not see a proposal made for vacancy A
    other_chair = make_user(session, "chair", "Dr Amara Okafor", "amara@example.org")
    make_vacancy(session, "C-1", panel=[(other_chair, "chair")])
    assert as_user(other_chair).get(f"/questions/{q.id}").status_code == 404
    assert "make someone feel at ease" not in as_user(other_chair).get("/questions?show=waiting").get_data(as_text=True)
    # the chair of A sees it waiting
    assert "make someone feel at ease" in as_user(world["chair"]).get("/questions?show=waiting").get_data(as_text=True)


def test_a_general_proposal_is_seen_by_every_chair_but_not_other_panelists(as_user, world, session):
    _propose(as_user(world["panelist"]))
    [q] = _questions(session)
    assert q.proposed_for_vacancy_id is None
    other_chair = make_user(session, "chair", "Dr Amara Okafor", "amara@example.org")
    assert as_user(other_chair).get(f"/questions/{q.id}").status_code == 200
    assert as_user(world["other"]).get(f"/questions/{q.id}").status_code == 404


def test_bad_questions_are_refused_and_nothing_is_saved(as_user, world, session):
    client = as_user(world["panelist"])
    cases = [
        ({"text": "   "}, "Enter the question"),
        ({"text": "x" * 1001}, "The question must be 1000 characters or fewer"),
        ({"category": ""}, "Choose what the question finds out about"),
        ({"category": "astrology"}, "Not a valid choice"),
        ({"tags": "ok, <script>"}, "Tags can only contain"),
        ({"content_note": "y" * 501}, "The content note must be 500 characters or fewer"),
        ({"vacancy_id": str(world["b"].id)}, "Choose one of your vacancies"),
        ({"vacancy_id": "abc"}, "Choose one of your vacancies"),
    ]
    for overrides, message in cases:
        response = _propose(client, **overrides)
        page = response.get_data(as_text=True)
        assert response.status_code == 200, overrides
        assert message in page, (overrides, message)
        assert "There is a problem" in page
    assert _questions(session) == []


def test_the_chair_approves_and_then_every_panel_can_see_and_use_it(as_user, world, session):
    _propose(as_user(world["panelist"]), vacancy_id=str(world["a"].id))
    [q] = _questions(session)
    chair = as_user(world["chair"])
    assert "Approve or reject" in chair.get(f"/questions/{q.id}").get_data(as_text=True)
    response = chair.post_form(f"/questions/{q.id}/review", {"decision": "approve", "note": ""})
    assert response.status_code == 302
    [q] = _questions(session)
    assert q.status == QuestionStatus.APPROVED and q.reviewed_by_id == world["chair"].id and q.reviewed_at
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "approve")).actor_id == world["chair"].id
    other = as_user(world["other"])
    assert other.get(f"/questions/{q.id}").status_code == 200
    listing = other.get("/questions").get_data(as_text=True)
    assert "make someone feel at ease" in listing and "Proposed by <bdi>John O&#39;Neill</bdi>" in listing
    # reviewing twice is not possible
    again = chair.post_form(f"/questions/{q.id}/review", {"decision": "reject", "note": "no"})
    assert again.status_code == 302
    assert _questions(session)[0].status == QuestionStatus.APPROVED
    # the proposer can no longer change an approved question; a reviewer can
    assert as_user(world["panelist"]).get(f"/questions/{q.id}/edit").status_code == 404
    assert chair.get(f"/questions/{q.id}/edit").status_code == 200


def test_rejecting_needs_a_note_which_the_proposer_sees(as_user, world, session):
    _propose(as_user(world["panelist"]), vacancy_id=str(world["a"].id))
    [q] = _questions(session)
    hr = as_user(world["hr"])
    page = hr.post_form(f"/questions/{q.id}/review", {"decision": "reject", "note": ""}).get_data(as_text=True)
    assert "Say briefly why the question is not being added" in page
    assert _questions(session)[0].status == QuestionStatus.PROPOSED
    hr.post_form(f"/questions/{q.id}/review", {"decision": "reject", "note": "Very close to question 4 in the bank."})
    assert _questions(session)[0].status == QuestionStatus.REJECTED
    mine = as_user(world["panelist"]).get("/questions?show=mine").get_data(as_text=True)
    assert "Not approved" in mine
    shown = as_user(world["panelist"]).get(f"/questions/{q.id}").get_data(as_text=True)
    assert "Very close to question 4 in the bank." in shown
    assert "make someone feel at ease" not in as_user(world["panelist"]).get("/questions").get_data(as_text=True)


def test_a_panelist_cannot_review(as_user, world, session):
    _propose(as_user(world["panelist"]), vacancy_id=str(world["a"].id))
    [q] = _questions(session)
    response = as_user(world["panelist"]).post_form(f"/questions/{q.id}/review", {"decision": "approve"})
    assert response.status_code == 404
    assert _questions(session)[0].status == QuestionStatus.PROPOSED


def test_the_proposer_can_improve_their_proposal_while_it_waits(as_user, world, session):
    panelist = as_user(world["panelist"])
    _propose(panelist)
    [q] = _questions(session)
    response = panelist.post_form(f"/questions/{q.id}/edit", dict(GOOD, text="A better question?"))
    assert response.status_code == 302
    assert _questions(session)[0].text == "A better question?"


def test_search_and_filter(as_user, plan_world, session):
    extra = BankQuestion(text="How do you look after your own wellbeing?", category=CriterionCategory.VALUES,
                         tags="wellbeing,values", status=QuestionStatus.APPROVED)
    clinical = BankQuestion(text="Describe the stepped care model.", category=CriterionCategory.KNOWLEDGE,
                            tags="clinical", guidance="Mentions step 2 and step 3", status=QuestionStatus.APPROVED)
    session.add_all([extra, clinical])
    session.commit()
    client = as_user(plan_world["other"])

    def found(url):
        page = client.get(url).get_data(as_text=True)
        return {t for t in ("own wellbeing", "stepped care", "supported someone in distress") if t in page}

    assert found("/questions") == {"own wellbeing", "stepped care", "supported someone in distress"}
    assert found("/questions?q=STEP") == {"stepped care"}
    assert found("/questions?q=step+3") == {"stepped care"}  # guidance is searched too
    assert found("/questions?category=values") == {"own wellbeing"}
    assert found("/questions?tag=values") == {"own wellbeing", "supported someone in distress"}
    assert found("/questions?tag=clinical&category=knowledge") == {"stepped care"}
    assert found("/questions?q=%25") == set()  # a % is a character, not a wildcard
    # a tampered filter is ignored, never an error
    assert found("/questions?category=nonsense") == {"own wellbeing", "stepped care", "supported someone in distress"}
    assert client.get("/questions?category=nonsense&tag=nope&show=bogus").status_code == 200


def test_used_n_times(as_user, plan_world, session):
    approved = plan_world["bank_approved"]
    client = as_user(plan_world["hr"])
    assert "Used in 1 interview plan" in client.get(f"/questions/{approved.id}").get_data(as_text=True)
    b = plan_world["b"]
    session.add(PlanQuestion(vacancy_id=b.id, position=1, text=approved.text, minutes=5, bank_question_id=approved.id))
    session.commit()
    assert "Used in 2 interview plans" in client.get(f"/questions/{approved.id}").get_data(as_text=True)
    assert "Used in 2 interview plans" in client.get("/questions").get_data(as_text=True)
    assert "Not used in any interview plan yet" in client.get(
        f"/questions/{plan_world['bank_proposed_a'].id}").get_data(as_text=True)


def test_the_bank_is_in_the_header_for_everyone_signed_in(as_user, world):
    for who in ("hr", "chair", "panelist"):
        assert 'href="/questions"' in as_user(world[who]).get("/").get_data(as_text=True)
