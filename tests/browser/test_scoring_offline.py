"""Issue 5 in a real browser: scoring on a venue's unreliable wifi loses nothing.

The network is cut while a panel member scores (Playwright offline mode); they type
scores and notes, reload the page, the network comes back, and every value is found
saved in the database."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from panel.models import InterviewScore
from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.conftest import PASSWORD
from tests.builders_plugin import interview_world

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def sign_in(page, base_url: str, email_address: str) -> None:
    page.goto(f"{base_url}/login")
    page.get_by_label("Email address").fill(email_address)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Hello, ")).wait_for()


def saved_scores(live_server, candidate_id: int, user_id: int) -> dict[int, tuple]:
    with live_server.db() as s:
        rows = s.scalars(select(InterviewScore).where(InterviewScore.candidate_id == candidate_id,
                                                      InterviewScore.user_id == user_id))
        return {r.plan_question_id: (r.score, r.notes) for r in rows}


def wait_for(predicate, timeout: float = 15.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    return predicate()


def test_scores_typed_offline_survive_a_reload_and_are_saved_when_back_online(live_server, new_context):
    with live_server.db() as s:
        w = interview_world(s, candidates=2, questions=3, reference="OFFLINE-1")
        vacancy_id, candidate_id = w["vacancy"].id, w["candidates"][0].id
        questions = [q.id for q in w["questions"]]
        email, user_id = w["p1"].email, w["p1"].id
    context = new_context(viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    sign_in(page, live_server.url, email)
    score_url = f"{live_server.url}/vacancies/{vacancy_id}/interviews/{candidate_id}/score"
    page.goto(score_url)
    assert_accessible(page)
    # a phone starts with one question at a time; this panel member wants the whole sheet
    page.get_by_role("button", name="Show all questions").click()

    # online: a first answer saves as it is typed
    page.check(f'input[name="score-{questions[0]}"][value="2"]')
    page.locator(f"#question-{questions[0]} [data-save-state]").filter(has_text="Saved at").wait_for()
    assert wait_for(lambda: saved_scores(live_server, candidate_id, user_id).get(questions[0]) == (2, ""))
    page.locator('form[data-offline-ready="true"]').wait_for()

    # the wifi drops
    context.set_offline(True)
    typed = {questions[0]: ("4", "Changed my mind after the follow-up: a strong, reflective answer."),
             questions[1]: ("3", "Gave a clear example of working with a GP surgery."),
             questions[2]: ("1", "Did not mention risk at all.")}
    for qid, (score, notes) in typed.items():
        page.check(f'input[name="score-{qid}"][value="{score}"]')
        page.fill(f"#notes-{qid}", notes)
        # the sticky "not saved yet" banner appears before the next tap, as it does for a person
        page.locator("#save-status").filter(has_text="Not saved yet").wait_for()
    assert "Not saved yet" in page.locator(f"#question-{questions[1]} [data-save-state]").inner_text()
    time.sleep(1.0)  # let the debounced saves fail
    assert saved_scores(live_server, candidate_id, user_id).get(questions[1]) is None

    # the page is reloaded while still offline: what was typed is still there
    page.reload()
    for qid, (score, notes) in typed.items():
        assert page.is_checked(f'input[name="score-{qid}"][value="{score}"]'), qid
        assert page.input_value(f"#notes-{qid}") == notes
    page.locator("#save-status").filter(has_text="Not saved yet").wait_for()

    # the connection comes back: everything is saved, without touching anything
    context.set_offline(False)
    expected = {qid: (int(score), notes) for qid, (score, notes) in typed.items()}
    assert wait_for(lambda: saved_scores(live_server, candidate_id, user_id) == expected, 30), \
        saved_scores(live_server, candidate_id, user_id)
    page.locator("#save-status").wait_for(state="hidden")
    for qid in questions:
        assert "Saved at" in page.locator(f"#question-{qid} [data-save-state]").inner_text()

    # and a fresh load shows the server's values, with nothing left waiting on the device
    page.goto(score_url)
    for qid, (score, notes) in typed.items():
        assert page.is_checked(f'input[name="score-{qid}"][value="{score}"]')
        assert page.input_value(f"#notes-{qid}") == notes
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('panel-scoring:') && !k.endsWith(':version')).length") == 0
