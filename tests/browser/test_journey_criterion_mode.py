"""Issue 19 in a real browser, on a 390-pixel phone: a patient panelist chooses to score one
criterion at a time, answers "Do you know this person?" on the criterion's page, scores each
candidate's evidence beside the marking guide (saved as they go by the page's script), walks on
to the next criterion, then checks and submits each candidate. axe-core checks every page;
nothing scrolls sideways."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from panel.models import AssessedAt, CriterionCategory, ShortlistScore, ShortlistSubmission
from panel.vacancies import services as vacancy_services
from panel.builders import Builder
from tests.browser.conftest import CHROMIUM, Visits
from tests.builders_plugin import PASSWORD, builder

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

PHONE = {"width": 390, "height": 844}
SPEC = [
    ("Experience of working with people with anxiety or depression", CriterionCategory.EXPERIENCE, True,
     AssessedAt.APPLICATION),
    ("Able to assess risk", CriterionCategory.SKILLS, True, AssessedAt.INTERVIEW),
    ("Able to keep accurate, timely records", CriterionCategory.SKILLS, True, AssessedAt.APPLICATION),
]
GUIDE = ("Nothing about anxiety or depression.", "Some contact, little on what they did.",
         "Their own work with people, with an example.")


def sign_in(page, base, email, visits):
    page.goto(f"{base}/login")
    visits.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Hello, ")).wait_for()
    visits.check()


def no_sideways_scroll(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{page.url} scrolls sideways by {overflow}px"


def test_a_panelist_scores_one_criterion_at_a_time_on_a_phone(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        b = builder(s)
        hr = b.user("hr", name="Priya Shah", email="crit-hr@example.org")
        b = Builder(s, hr, app=live_server.app, password=PASSWORD)
        chair = b.user("chair", name="Chris Morgan", email="crit-chair@example.org")
        zoe = b.user("panelist", name="Zoë Ashworth", email="crit-zoe@example.org")
        v = b.vacancy(reference="CRIT-1", criteria=SPEC, actor=hr, panel=[(chair, "chair"), (zoe, "patient")])
        first, _interview, records = v.criteria
        vacancy_services.update_criterion(s, hr, first, dict(zip(vacancy_services.GUIDE_FIELDS, GUIDE)))
        candidates = [b.candidate(v, actor=hr, supporting_information=f"I would like to join the team ({n}).",
                                  evidence={first.id: f"I supported people with low mood ({n}).",
                                                          records.id: f"I keep notes the same day ({n})."})
                      for n in (1, 2)]
        b.advance(v, actor=hr)
        s.commit()
        vid, zoe_id, labels = v.id, zoe.id, [c.label for c in candidates]
        names = [c.first_name for c in candidates] + [c.last_name for c in candidates]

    page = new_context(viewport=PHONE).new_page()
    visits = Visits(page)
    sign_in(page, base, "crit-zoe@example.org", visits)
    page.goto(f"{base}/vacancies/{vid}/shortlisting")
    visits.check()
    page.get_by_role("group", name="How do you want to score?").get_by_label("One criterion at a time").check()
    page.get_by_role("button", name="Save how I score").click()
    page.get_by_text("You are scoring one criterion at a time.").wait_for()
    visits.check()
    page.get_by_role("heading", level=1, name=re.compile(r"^Criterion 1")).wait_for()
    no_sideways_scroll(page)
    # the marking guide, once at the top and under each score
    assert page.locator(".panel-guide").inner_text().count("Nothing about anxiety or depression.") == 1
    for name in names:
        assert name not in page.content()

    for criterion_number, values in ((1, ["2", "1"]), (3, ["0", "2"])):
        for label, value in zip(labels, values):
            section = page.locator(f"section:has(h2:text-is('{label}'))")
            if criterion_number == 1:  # the question first, on the criterion's own page
                with page.expect_navigation():
                    section.get_by_role("button", name=re.compile(r"^No")).click()
                visits.check()
                section = page.locator(f"section:has(h2:text-is('{label}'))")
            group = section.get_by_role("group", name=f"Your score for {label} on criterion {criterion_number}")
            group.get_by_role("radio", name=re.compile(rf"^{value} – ")).check()
            section.get_by_text(re.compile(r"^Saved at ")).wait_for()  # saved as they go
            no_sideways_scroll(page)
        page.get_by_role("button", name="Save and continue").click()
        visits.check()
        if criterion_number == 1:
            page.get_by_role("heading", level=1, name=re.compile(r"^Criterion 3")).wait_for()
            assert "I keep notes the same day" in page.content() and "I supported people" not in page.content()

    # through every criterion: check and submit each candidate
    for _ in labels:
        page.get_by_role("heading", name="Check your scores before you submit").wait_for()
        no_sideways_scroll(page)
        page.get_by_role("button", name="Submit my scores").click()
        visits.check()
    page.get_by_role("heading", level=1, name="Shortlisting").wait_for()
    page.get_by_text("2 of 2 submitted").wait_for()
    visits.assert_all_checked()

    with live_server.db() as s:
        scores = {(r.candidate_id, r.criterion_id): r.score for r in s.scalars(
            select(ShortlistScore).where(ShortlistScore.user_id == zoe_id))}
        submitted = s.scalars(select(ShortlistSubmission).where(ShortlistSubmission.user_id == zoe_id)).all()
    assert sorted(scores.values()) == [0, 1, 2, 2] and len(submitted) == 2
