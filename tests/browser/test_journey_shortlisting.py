"""Issue 3 in a real browser: HR imports the sample CSV (after a broken one), two patient
panelists shortlist three candidates on their own (one steps aside from a candidate they
know), and the chair moderates and records decisions. axe-core checks every page."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from panel.models import (
    AssessedAt,
    Candidate,
    CriterionCategory,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    User,
    VacancyStatus,
)
from tests.browser.conftest import CHROMIUM, Visits
from tests.builders_plugin import PASSWORD, builder

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing")]

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "candidates.csv"
SPEC = [
    ("A degree, or equivalent experience", True, AssessedAt.APPLICATION),
    ("Completed PWP training, or about to", False, AssessedAt.APPLICATION),
    ("Experience of working with people with anxiety or depression", True, AssessedAt.BOTH),
    ("Able to assess risk", True, AssessedAt.INTERVIEW),
]
NAMES = ["Ciarán", "O'Sullivan", "ciaran.osullivan", "Zainab", "Hélène", "يوسف", "Małgorzata", "07700 900201"]


def criteria() -> list[tuple]:
    """SPEC as the builder takes it: (text, category, essential, assessed at)."""
    return [(text, CriterionCategory.EXPERIENCE, essential, assessed) for text, essential, assessed in SPEC]


def sign_in(page, base, email, visits):
    page.goto(f"{base}/login")
    visits.check()
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", level=1, name=re.compile(r"^Hello, ")).wait_for()
    visits.check()


def click(page, visits, role, name, **kwargs):
    page.get_by_role(role, name=name, **kwargs).first.click()
    visits.check()


def assert_anonymous(page, chair=False):
    text = page.content()
    for value in NAMES:
        assert value not in text, f"{value!r} shown to a panel member on {page.url}"
    if not chair:  # the chair sees "guaranteed interview" at moderation, the one deliberate exception
        assert "Disability Confident" not in text


def score(page, visits, values):
    for number, value in values.items():
        page.get_by_role("group", name=f"Your score for criterion {number}").get_by_label(value).check()


def shortlist_candidate(page, visits, index_url, label, answer, values=None, later=False):
    """From the panelist's list: open the candidate, answer the conflict question, score and submit
    (later: save and come back later, then check and submit from the list)."""
    if page.url != index_url:
        click(page, visits, "link", "Your candidates")
    click(page, visits, "link", label, exact=True)
    assert_anonymous(page)
    page.get_by_role("group", name="Do you think you know this person from what they wrote?").get_by_label(answer, exact=True).check()
    click(page, visits, "button", "Continue")
    if answer != "No":
        page.get_by_text("you have stepped aside").first.wait_for()
        return
    score(page, visits, values)
    page.get_by_label("Comment on criterion 1 (optional)").fill("Clear examples from a crisis house.")
    if later:
        click(page, visits, "button", "Save and come back later")
        page.get_by_role("heading", name="Not submitted yet").wait_for()
        page.get_by_text(re.compile(r"You have scored \d+ applications? but not submitted 1\.")).wait_for()
        click(page, visits, "link", f"Check and submit your scores for {label}")
    else:
        click(page, visits, "button", "Save and continue")
    page.get_by_role("heading", name="Check your scores before you submit").wait_for()
    assert_anonymous(page)
    click(page, visits, "button", "Submit my scores")
    page.get_by_text(f"Your scores for {label} are submitted").wait_for()
    assert_anonymous(page)


def test_import_shortlist_and_moderate(live_server, new_context):
    base = live_server.url
    with live_server.db() as s:
        build = builder(s)
        hr = build.user("hr", name="Priya Shah", email="sl.hr@example.org")
        chair = build.user("chair", name="Chris Morgan", email="sl.chair@example.org")
        john = build.user("panelist", name="John O'Neill", email="sl.john@example.org")
        zoe = build.user("panelist", name="Zoë Ashworth", email="sl.zoe@example.org")
        v = build.vacancy(reference="JRN-SL-1", criteria=criteria(), status=VacancyStatus.SHORTLISTING, actor=hr,
                          panel=[(chair, "chair"), (john, "patient"), (zoe, "patient")])
        build.commit()
        vacancy_id, chair_id = v.id, chair.id

    # --- HR imports the candidates --------------------------------------------------
    hr = new_context().new_page()
    visits = Visits(hr)
    sign_in(hr, base, "sl.hr@example.org", visits)
    hr.goto(f"{base}/vacancies/{vacancy_id}")
    visits.check()
    click(hr, visits, "link", "Candidates", exact=True)
    click(hr, visits, "button", "Import candidates from a file")
    broken = ("first_name,last_name,email,supporting_information\r\n"
              "Ann,Lee,ann@example.com,Info\r\nBob,,not-an-email,Info\r\n").encode()
    hr.get_by_label("CSV or Excel file").set_input_files({"name": "broken.csv", "mimeType": "text/csv", "buffer": broken})
    click(hr, visits, "button", "Import candidates")
    hr.get_by_role("heading", name="Nothing was imported").wait_for()
    problems = hr.locator("#import-problems li").all_inner_texts()
    assert problems == ["Line 3: the last name is empty", "Line 3: 'not-an-email' is not a valid email address"]
    hr.get_by_label("CSV or Excel file").set_input_files(str(SAMPLE))
    click(hr, visits, "button", "Import candidates")
    hr.get_by_text("6 candidates imported.").wait_for()
    assert "Ciarán" in hr.content() and "يوسف المصري" in hr.content()
    visits.assert_all_checked()

    # The chair has already scored the first three candidates (through the services).
    with live_server.db() as s:
        build = builder(s)
        chair = s.get(User, chair_id)
        first_three = list(s.scalars(select(Candidate).where(Candidate.vacancy_id == vacancy_id)
                                     .order_by(Candidate.number).limit(3)))
        for cand, values in zip(first_three, ([2, 1, 2], [1, 0, 2], [0, 0, 1])):
            build.shortlist_scores(cand, chair, values)
        build.commit()

    # --- two panelists shortlist three candidates ------------------------------------
    for email, plan in [
        ("sl.john@example.org", [("Candidate 01", "No", {1: "2 – Clear evidence", 2: "0 – No evidence", 3: "2 – Clear evidence"}),
                                 ("Candidate 02", "Yes, I think I know this person", None),
                                 ("Candidate 03", "No", {1: "1 – Some evidence", 2: "0 – No evidence", 3: "0 – No evidence"})]),
        ("sl.zoe@example.org", [("Candidate 01", "No", {1: "2 – Clear evidence", 2: "1 – Some evidence", 3: "2 – Clear evidence"}),
                                ("Candidate 02", "No", {1: "2 – Clear evidence", 2: "2 – Clear evidence", 3: "1 – Some evidence"}),
                                ("Candidate 03", "No", {1: "0 – No evidence", 2: "0 – No evidence", 3: "1 – Some evidence"},
                                 True)]),
    ]:
        page = new_context().new_page()
        visits = Visits(page)
        sign_in(page, base, email, visits)
        page.goto(f"{base}/vacancies/{vacancy_id}")
        visits.check()
        click(page, visits, "link", "Shortlisting", exact=True)
        assert_anonymous(page)
        page.get_by_text("0 of 6 submitted").wait_for()
        index_url = page.url
        for label, answer, values, *later in plan:
            shortlist_candidate(page, visits, index_url, label, answer, values, later=bool(later))
        click(page, visits, "link", "Your candidates")
        expected = "2 of 5 submitted" if email.startswith("sl.john") else "3 of 6 submitted"
        page.get_by_text(expected).wait_for()
        assert_anonymous(page)
        visits.assert_all_checked()

    # --- the chair moderates ---------------------------------------------------------
    page = new_context().new_page()
    visits = Visits(page)
    sign_in(page, base, "sl.chair@example.org", visits)
    page.goto(f"{base}/vacancies/{vacancy_id}/shortlisting")
    visits.check()
    click(page, visits, "link", "Moderate and record shortlisting decisions")
    assert_anonymous(page, chair=True)
    order = page.locator(".panel-moderation__heading a").all_inner_texts()
    assert order[:3] == ["Candidate 01", "Candidate 02", "Candidate 03"]  # totals 4.67, 4, 1
    page.get_by_text("Essential criterion 1 not met").wait_for()
    page.get_by_text("Guaranteed interview (Disability Confident)").wait_for()  # Zainab: DC and meets both

    click(page, visits, "link", "Candidate 01", exact=True)
    page.get_by_role("table").wait_for()
    assert "John O&#39;Neill" in page.content() or "John O'Neill" in page.content()
    page.get_by_role("group", name="Your decision").get_by_label("Shortlist", exact=True).check()
    click(page, visits, "button", "Save decision")
    page.get_by_text("Decision for Candidate 01 saved: Shortlist.").wait_for()

    click(page, visits, "link", "Candidate 03", exact=True)
    page.get_by_role("group", name="Your decision").get_by_label("Do not shortlist").check()
    click(page, visits, "button", "Save decision")
    page.get_by_role("link", name="Give a reason for not shortlisting this candidate").first.wait_for()
    page.get_by_label("Reason (required for do not shortlist)").fill("Essential criterion 1 not met: no degree or equivalent shown.")
    page.get_by_role("group", name="Your decision").get_by_label("Do not shortlist").check()
    click(page, visits, "button", "Save decision")
    page.get_by_text("Decision for Candidate 03 saved: Do not shortlist.").wait_for()

    click(page, visits, "link", "Candidate 02", exact=True)
    page.get_by_text("Stepped aside: John O'Neill.").wait_for()
    page.get_by_role("group", name="Your decision").get_by_label("Shortlist", exact=True).check()
    click(page, visits, "button", "Save decision")
    page.get_by_text("3 of 6 candidates have a decision.").wait_for()
    assert_anonymous(page, chair=True)
    visits.assert_all_checked()

    with live_server.db() as s:
        decisions = {d.candidate.number: d.outcome for d in s.scalars(select(ShortlistDecision))}
    assert decisions == {1: ShortlistOutcome.SHORTLIST, 2: ShortlistOutcome.SHORTLIST, 3: ShortlistOutcome.REJECT}


def test_scores_save_as_they_go_with_javascript(live_server, new_context):
    """With JavaScript, each choice and comment is saved in the background: closing the
    browser loses nothing."""
    base = live_server.url
    with live_server.db() as s:
        build = builder(s)
        chair = build.user("chair", name="Amara Okafor", email="as.chair@example.org")
        panelist = build.user("panelist", name="Siobhán Kelly", email="as.panelist@example.org")
        v = build.vacancy(reference="JRN-SL-2", title="High Intensity Therapist", band="Band 7", site="Lincoln",
                          criteria=criteria(), panel=[(chair, "chair"), (panelist, "patient")])
        c = build.candidate(v, first_name="Ana", last_name="Silva", email="ana@example.com", phone="",
                            supporting_information="I have delivered CBT for five years.")
        build.jump_to(v, VacancyStatus.SHORTLISTING)
        build.declare(c, panelist, False)
        build.commit()
        vacancy_id, candidate_id, user_id = v.id, c.id, panelist.id
        first_criterion = next(cr.id for cr in v.criteria if cr.position == 1)

    page = new_context().new_page()
    visits = Visits(page)
    sign_in(page, base, "as.panelist@example.org", visits)
    page.goto(f"{base}/vacancies/{vacancy_id}/shortlisting/candidates/{candidate_id}")
    visits.check()
    score(page, visits, {1: "2 – Clear evidence"})
    page.get_by_text(re.compile(r"Saved at .*1 of 3 criteria scored")).wait_for()
    page.get_by_label("Comment on criterion 1 (optional)").fill("Saved without pressing a button")
    page.get_by_text(re.compile(r"Saved at")).wait_for()
    page.wait_for_timeout(2500)  # the comment is saved 1.5 seconds after typing stops
    page.close()  # the panelist closes the browser without pressing any button

    with live_server.db() as s:
        saved = s.scalar(select(ShortlistScore).where(ShortlistScore.candidate_id == candidate_id,
                                                      ShortlistScore.user_id == user_id,
                                                      ShortlistScore.criterion_id == first_criterion))
        assert saved.score == 2 and saved.comment == "Saved without pressing a button"
