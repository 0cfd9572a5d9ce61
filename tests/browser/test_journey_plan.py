"""Issue 4 in a real browser: a patient panelist proposes a question, the chair approves it,
builds a plan of five questions covering the essential criteria, assigns askers and makes
the timetable, and HR sends the invitations. axe-core checks every page."""
from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest

from panel.models import CriterionCategory, ShortlistOutcome, VacancyStatus
from tests.browser.conftest import CHROMIUM, Visits
from tests.browser.test_journey_foundation import sign_in
from tests.builders_plugin import builder
from tests.conftest import deliver

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def go(page, visits: Visits, action) -> None:
    """Do something that loads a new page, then check that page with axe."""
    action()
    visits.check()


def add_question(page, visits, *, criteria: list[str], asker: str, text: str | None = None, minutes: str = "6") -> None:
    if text is not None:
        page.get_by_label("Question", exact=True).fill(text)
    group = page.get_by_role("group", name="Which criteria does it assess?")
    for box in group.get_by_role("checkbox").all():
        box.uncheck()
    for criterion in criteria:
        group.get_by_label(criterion, exact=True).check()
    page.get_by_label("Minutes allowed").fill(minutes)
    page.get_by_label("Who asks it?").select_option(label=asker)
    go(page, visits, lambda: page.get_by_role("button", name="Add to the plan").click())
    page.get_by_text("added to the plan").first.wait_for()


def test_plan_journey(live_server, new_context):
    with live_server.db() as s:
        build = builder(s)
        hr = build.user("hr", name="Priya Shah", email="plan.hr@example.org")
        chair = build.user("chair", name="Chris Morgan", email="plan.chair@example.org")
        panelist = build.user("panelist", name="John O'Neill", email="plan.john@example.org")
        vacancy = build.vacancy(reference="PLAN-J-1", criteria=5, actor=hr,
                                panel=[(chair, "chair"), (panelist, "patient")])
        # criteria: 1 essential (application), 2 desirable (interview), 3 essential (both),
        # 4 desirable (application), 5 essential (interview)
        for n, (first, last) in enumerate([("Alex", "Smith"), ("Bea", "Jones"), ("Cal", "Reed")], start=1):
            c = build.candidate(vacancy, first_name=first, last_name=last, email=f"{first.lower()}@candidates.example",
                                phone="", supporting_information="", actor=hr)
            build.decided(c, ShortlistOutcome.SHORTLIST if n < 3 else ShortlistOutcome.REJECT, "Decided")
        build.jump_to(vacancy, VacancyStatus.INTERVIEWING, actor=hr)
        build.bank_question("Tell us about a time you worked as part of a team.", category=CriterionCategory.EXPERIENCE,
                            guidance="Gives a real example", proposed_by=chair, reviewer=chair)
        build.commit()
        vacancy_id = vacancy.id
    base = live_server.url

    # 1. the patient panelist proposes a question for this vacancy
    john = new_context().new_page()
    jv = Visits(john)
    sign_in(john, base, "plan.john@example.org", visits=jv)
    go(john, jv, lambda: john.get_by_role("link", name="Question bank").first.click())
    go(john, jv, lambda: john.get_by_role("button", name="Propose a question").click())
    go(john, jv, lambda: john.get_by_role("button", name="Send for approval").click())  # empty: errors
    john.get_by_text("Enter the question").first.wait_for()
    john.get_by_label("Question", exact=True).fill("What does recovery mean to you?")
    john.get_by_role("group", name="What does the question find out about?").get_by_label("Values and behaviours").check()
    john.get_by_label("A good answer may include (optional)").fill("Sees recovery as personal\nHopeful")
    john.get_by_label("Which vacancy is it for? (optional)").select_option(label="PLAN-J-1 – Psychological Wellbeing Practitioner")
    go(john, jv, lambda: john.get_by_role("button", name="Send for approval").click())
    john.get_by_text("Waiting for approval").first.wait_for()
    jv.assert_all_checked()

    # 2. the chair approves it
    page = new_context().new_page()
    v = Visits(page)
    sign_in(page, base, "plan.chair@example.org", visits=v)
    go(page, v, lambda: page.get_by_role("link", name="Question bank").first.click())
    go(page, v, lambda: page.get_by_role("link", name="1 question is waiting for your approval").click())
    go(page, v, lambda: page.get_by_role("link", name="What does recovery mean to you?").click())
    page.get_by_text("John O'Neill for PLAN-J-1").wait_for()
    go(page, v, lambda: page.get_by_role("button", name="Approve or reject").click())
    page.get_by_label("Yes, add it to the bank").check()
    go(page, v, lambda: page.get_by_role("button", name="Save decision").click())
    page.get_by_text("The question is now in the bank").wait_for()

    # 3. the chair builds a plan of five questions
    go(page, v, lambda: page.goto(f"{base}/vacancies/{vacancy_id}/plan"))
    page.get_by_text("No question covers the essential criterion: Criterion 3").wait_for()
    go(page, v, lambda: page.get_by_role("button", name="Add a question from the bank").click())
    go(page, v, lambda: page.locator("a", has_text="Add to the plan: What does recovery mean to you?").click())
    add_question(page, v, criteria=["Criterion 5"], asker="John O'Neill (patient panelist)")
    go(page, v, lambda: page.get_by_role("button", name="Add a question from the bank").click())
    go(page, v, lambda: page.locator("a", has_text="Add to the plan: Tell us about a time you worked as part of a team.").click())
    add_question(page, v, criteria=["Criterion 3"], asker="Chris Morgan (chair)")
    for text, criteria, asker in [
        ("Why do you want to work in our service?", ["Criterion 3", "Criterion 5"], "Chris Morgan (chair)"),
        ("How do you look after yourself after a hard day?", ["Criterion 2"], "John O'Neill (patient panelist)"),
        ("What would you do if someone you were helping told you they were at risk?", ["Criterion 5"], "Chris Morgan (chair)"),
    ]:
        go(page, v, lambda: page.get_by_role("button", name="Write a new question").click())
        add_question(page, v, text=text, criteria=criteria, asker=asker)
    page.get_by_text("Every essential criterion assessed at interview is covered").wait_for()
    assert page.get_by_text("Check the plan").count() == 0
    # move the last question up with the keyboard
    page.get_by_role("button", name="Move up question 5").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    v.check()
    page.get_by_text("It is now question 4").wait_for()

    # 4. the chair sets the day and makes the timetable
    go(page, v, lambda: page.get_by_role("link", name="Timetable").first.click())
    go(page, v, lambda: page.get_by_role("button", name="Set the interview day").click())
    group = page.get_by_role("group", name="Interview date")
    group.get_by_label("Day").fill("16")
    group.get_by_label("Month").fill("6")
    group.get_by_label("Year").fill("2027")
    page.get_by_label("Start time").fill("9:30")
    page.get_by_label("End time").fill("13:00")
    page.get_by_label("Breaks (optional)").fill("11:00-11:30")
    page.get_by_label("Room or video link").fill("Meeting Room 2")
    go(page, v, lambda: page.get_by_role("button", name="Save and make the timetable").click())
    page.get_by_text("Candidate 01 (Alex Smith)").wait_for()
    go(page, v, lambda: page.get_by_role("button", name="Make this timetable").click())
    page.get_by_text("The timetable has been made: 2 interviews.").wait_for()
    page.get_by_text("9:30am to 10:15am").wait_for()
    page.get_by_text("11:30am to 12:15pm").wait_for()  # after the break
    v.assert_all_checked()

    # the patient panelist sees their questions highlighted and the timetable
    go(john, jv, lambda: john.goto(f"{base}/vacancies/{vacancy_id}/plan"))
    john.get_by_text("You ask 2 questions").wait_for()
    assert john.locator(".panel-plan__item--mine").count() == 2
    jv.assert_all_checked()

    # 5. HR sends the invitations
    hr_page = new_context().new_page()
    hv = Visits(hr_page)
    sign_in(hr_page, base, "plan.hr@example.org", visits=hv)
    go(hr_page, hv, lambda: hr_page.goto(f"{base}/vacancies/{vacancy_id}/timetable"))
    go(hr_page, hv, lambda: hr_page.get_by_role("button", name="Invitations to candidates").click())
    go(hr_page, hv, lambda: hr_page.get_by_role("link", name="Check and send to Candidate 01").click())
    body = hr_page.get_by_label("Message").input_value()
    assert "Date: Wednesday 16 June 2027" in body and "Time: 9:30am to 10:15am" in body
    assert "John" not in body and "O'Neill" not in body and "Chris Morgan" not in body
    go(hr_page, hv, lambda: hr_page.get_by_role("link", name="Back to the invitations").click())
    go(hr_page, hv, lambda: hr_page.get_by_role("button", name="Send 2 invitations").click())
    hr_page.get_by_text("2 invitations are queued: they will be sent within a minute.").wait_for()
    hv.assert_all_checked()
    deliver(live_server.app)  # the notifications worker sends them, each with its booking link
    go(hr_page, hv, lambda: hr_page.reload())
    assert hr_page.get_by_text("Sent", exact=True).count() == 2

    outbox = Path(live_server.app.config["OUTBOX_FOLDER"])
    sent = {}
    for path in outbox.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        if msg["To"].endswith("@candidates.example"):
            sent[msg["To"]] = msg.get_body(preferencelist=("plain",)).get_content()
    assert set(sent) == {"alex@candidates.example", "bea@candidates.example"}
    for text in sent.values():
        assert not re.search(r"John|O'Neill|Chris|Morgan|Priya", text)
        assert "patient panel member" in text
