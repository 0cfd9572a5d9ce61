"""Issue 5's journey in a real browser, with axe-core on every page: three panel members
score two candidates (one of them on paper, typed in by the chair), the chair moderates,
records outcomes, signs off and edits the feedback, and HR emails it."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from panel.models import CandidateFeedback, InterviewOutcome, InterviewScore, InterviewSignOff, ModeratedScore
from tests.browser.conftest import CHROMIUM, assert_accessible
from tests.browser.test_scoring_offline import sign_in
from tests.builders_plugin import interview_world
from tests.conftest import deliver

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]


def score_candidate(page, base, vacancy_id, candidate_id, questions, scores, notes, paper_for=None):
    if paper_for is None:
        page.goto(f"{base}/vacancies/{vacancy_id}/interviews")
        assert_accessible(page)
        page.get_by_role("link", name=re.compile(rf"Candidate 0{candidate_id % 10}")).first.click()
        page.wait_for_url(re.compile(rf"/interviews/{candidate_id}/score"))
    assert_accessible(page)
    for qid, score, note in zip(questions, scores, notes):
        section = page.locator(f"#question-{qid}")
        section.locator(f'input[type="radio"][value="{score}"]').check()
        section.get_by_role("textbox").fill(note)
        next_question = section.locator('[data-question-pager] a[rel="next"]')
        if next_question.is_visible():  # a phone shows one question at a time
            next_question.click()
    who = "their" if paper_for else "my"
    page.get_by_role("button", name=f"Save and submit {who} scores").click()
    page.get_by_role("heading", level=1, name=re.compile("Submit")).wait_for()
    assert_accessible(page)
    page.get_by_role("button", name=f"Submit {who} scores").click()
    page.get_by_text(re.compile(r"scores for Candidate \d+ are submitted")).wait_for()


def test_three_panel_members_score_the_chair_moderates_decides_signs_off_and_writes_feedback(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        w = interview_world(s, candidates=2, questions=3, reference="JOURNEY-5")
        vid = w["vacancy"].id
        c1, c2 = (c.id for c in w["candidates"])
        qs = [q.id for q in w["questions"]]
        emails = {k: w[k].email for k in ("hr", "chair", "p1", "p2")}
        p2_id = w["p2"].id

    # John, a patient panelist, scores both candidates on his phone
    john = new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(john, base, emails["p1"])
    score_candidate(john, base, vid, c1, qs, [3, 2, 4], ["Good example", "Thin on risk", "Very warm"])
    john.get_by_role("heading", level=1, name=re.compile("Candidate 01")).wait_for()
    assert_accessible(john)  # the whole panel's scores for Candidate 01, now he has submitted
    score_candidate(john, base, vid, c2, qs, [2, 2, 1], ["Some detail", "Ok", "Rushed"])

    # the chair scores both, then types in Zoë's paper sheets
    chair = new_context().new_page()
    sign_in(chair, base, emails["chair"])
    score_candidate(chair, base, vid, c1, qs, [4, 0, 4], ["Excellent", "Missed the safety plan", "Values clear"])
    score_candidate(chair, base, vid, c2, qs, [2, 1, 2], ["Fine", "Weak", "Fine"])
    for cid, scores in ((c1, [3, 1, 4]), (c2, [1, 2, 1])):
        chair.goto(f"{base}/vacancies/{vid}/interviews")
        chair.get_by_role("link", name=f"Type in their paper score sheet for Candidate 0{cid % 10}").first.click()
        chair.get_by_role("heading", level=1).wait_for()
        assert "Zoë Ashworth's paper score sheet" in chair.content().replace("&#39;", "'")
        score_candidate(chair, base, vid, cid, qs, scores, ["From paper"] * 3, paper_for=p2_id)
        chair.get_by_text("recorded as entered by you").wait_for()

    # results: the chair moderates the question where scores differ by 4
    chair.goto(f"{base}/vacancies/{vid}/results")
    assert_accessible(chair)
    chair.get_by_role("link", name="See every score and note for Candidate 01").click()
    chair.get_by_text("Scores differ by 2 points").first.wait_for()
    assert_accessible(chair)
    chair.get_by_text("Entered by Chris Morgan from paper").first.wait_for()
    chair.get_by_role("link", name="Agree a score for question 2").click()
    assert_accessible(chair)
    chair.get_by_label("1 – Limited").check()
    chair.get_by_label("Why the panel agreed this score").fill("Agreed after discussion: the safety plan was missing.")
    chair.get_by_role("button", name="Save the agreed score").click()
    chair.get_by_text("Agreed after discussion").wait_for()

    # outcomes for both candidates
    for cid, label, why in ((c1, "Appointable (preferred)", "Strongest answers overall."),
                            (c2, "Not appointable", "Did not show the essential skills.")):
        chair.goto(f"{base}/vacancies/{vid}/results/{cid}/outcome")
        assert_accessible(chair)
        chair.get_by_role("button", name="Save the outcome").click()  # nothing chosen: errors
        chair.get_by_text("There is a problem").wait_for()
        assert_accessible(chair)
        chair.get_by_label(label).check()
        chair.get_by_label("Reasons for this outcome").fill(why)
        chair.get_by_role("button", name="Save the outcome").click()
        chair.get_by_text(f"Outcome recorded for Candidate 0{cid % 10}").wait_for()

    # sign off
    chair.get_by_role("button", name="Sign off the results").click()
    assert_accessible(chair)
    chair.get_by_role("button", name="Sign off the results").click()
    chair.get_by_text("The interview results are signed off").wait_for()
    assert_accessible(chair)

    # feedback for Candidate 01, edited by the chair
    chair.get_by_role("link", name="Feedback for candidates").click()
    assert_accessible(chair)
    chair.get_by_role("link", name=re.compile("Candidate 01")).click()
    box = chair.get_by_label("Feedback for the candidate")
    draft = box.input_value()
    assert draft.startswith("Dear Amelia") and "[Panel note" in draft
    assert_accessible(chair)
    edited = "\n".join(line for line in draft.splitlines() if not line.startswith("[Panel note"))
    box.fill(edited + "\nYou gave an excellent example of working with GP surgeries.")
    chair.get_by_role("button", name="Save the feedback").click()
    chair.get_by_text("Feedback for Candidate 01 saved").wait_for()

    # HR emails it
    hr = new_context().new_page()
    sign_in(hr, base, emails["hr"])
    hr.goto(f"{base}/vacancies/{vid}/feedback/{c1}")
    assert_accessible(hr)
    hr.get_by_role("button", name="Email the feedback to the candidate").click()
    hr.get_by_text("The feedback to Candidate 01").wait_for()
    hr.get_by_text("it will be emailed within a minute").first.wait_for()
    assert_accessible(hr)  # the page says it is queued, and later whether it went
    deliver(live_server.app)  # the notifications worker sends it
    hr.reload()
    hr.get_by_text("The feedback email to the candidate: Sent on").wait_for()

    with live_server.db() as s:
        assert len(s.scalars(select(InterviewScore).where(InterviewScore.entered_by_id.is_not(None))).all()) == 6
        assert s.scalar(select(ModeratedScore)).score == 1
        assert {o.outcome.value for o in s.scalars(select(InterviewOutcome))} == {"preferred", "not_appointable"}
        assert s.scalar(select(InterviewSignOff)).signed_off_at is not None
        fb = s.scalar(select(CandidateFeedback))
        assert "excellent example" in fb.text and fb.sent_at is not None
