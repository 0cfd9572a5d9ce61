"""Shortlisting through the pages: conflicts of interest, independent scoring, submitting,
progress, moderation, decisions and the export."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from panel.models import (
    AuditEvent,
    ConflictDeclaration,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    ShortlistSubmission,
    VacancyStatus,
)
from panel.shortlisting import scoring
from tests.conftest import count_queries
from tests.builders_plugin import (  # noqa: F401  (sl is a fixture)
    add_candidate,
    builder,
    declare,
    put_scores,
    save,
    score_all,
    scored,
    sl,
    step_aside,
    submit,
    url,
)


def my_scores(session, c, user):
    session.expire_all()
    return {s.criterion_id: (s.score, s.comment) for s in session.scalars(
        select(ShortlistScore).where(ShortlistScore.candidate_id == c.id, ShortlistScore.user_id == user.id))}


# --- conflict of interest -----------------------------------------------------------

def test_first_visit_asks_do_you_know_this_person(as_user, sl):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert "Do you think you know this person from what they wrote?" in page
    assert "Supporting information number 1" in page  # they read the application to answer
    assert 'name="score_' not in page  # no scoring before answering


def test_answering_no_shows_the_score_form(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    r = declare(client, sl.v, c, "no")
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/shortlisting/candidates/{c.id}#scores")
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert 'name="score_' in page and "Evidence of anxiety work from candidate 1." in page
    assert "0 – No evidence" in page and "1 – Some evidence" in page and "2 – Clear evidence" in page
    d = session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.user_id == sl.panelist.id))
    assert d.knows_candidate is False


def test_answering_yes_steps_aside_without_asking_why(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    r = declare(client, sl.v, c, "yes")
    assert r.status_code == 302
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert "stepped aside" in page and "nobody will ask you why" in page
    assert "Supporting information number 1" not in page and 'name="score_' not in page
    assert "reason" not in page.lower().split("stepped aside")[0][-200:]
    # no scoring and no application download after stepping aside
    assert save(client, sl.v, c, {sl.criteria[0].id: "2"}).status_code == 409
    assert my_scores(session, c, sl.panelist) == {}
    # the chair sees only "stepped aside" on the progress page
    chair_page = as_user(sl.chair).get(url(sl.v, "shortlisting/progress")).get_data(as_text=True)
    assert "Stepped aside" in chair_page
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "conflict"))
    assert event.actor_id == sl.panelist.id and event.changes["knows_candidate"]["after"] is True


def test_conflict_answer_required(as_user, sl):
    client = as_user(sl.panelist)
    r = client.post_form(url(sl.v, "shortlisting/candidates", sl.candidates[0].id, "conflict"), {})
    assert r.status_code == 400
    assert "Choose no, or yes if you think you know this person" in r.get_data(as_text=True)


def test_a_no_can_become_a_yes_and_removes_unsubmitted_scores(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c, "no")
    save(client, sl.v, c, {sl.criteria[0].id: "2"}, comments={sl.criteria[0].id: "Good"})
    assert my_scores(session, c, sl.panelist)
    assert declare(client, sl.v, c, "yes").status_code == 302
    assert my_scores(session, c, sl.panelist) == {}
    # a yes is final
    assert declare(client, sl.v, c, "no").status_code == 409


def test_chair_records_their_own_conflict_the_same_way(as_user, sl, session):
    client = as_user(sl.chair)
    c = sl.candidates[1]
    assert declare(client, sl.v, c, "yes").status_code == 302
    d = session.scalar(select(ConflictDeclaration).where(ConflictDeclaration.user_id == sl.chair.id))
    assert d.knows_candidate is True


# --- saving and submitting --------------------------------------------------------------

def test_scores_save_as_they_go_and_reload(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    c1, c2, c4 = sl.criteria
    r = save(client, sl.v, c, {c1.id: "2", c2.id: ""}, comments={c1.id: "Runs a group = clear evidence"})
    assert r.status_code == 302
    assert my_scores(session, c, sl.panelist) == {c1.id: (2, "Runs a group = clear evidence")}
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert f'id="score_{c1.id}-3" name="score_{c1.id}" type="radio" value="2" checked' in page
    assert "Runs a group = clear evidence" in page
    # change a score: audit records before and after
    save(client, sl.v, c, {c1.id: "1", c4.id: "0"})
    assert my_scores(session, c, sl.panelist)[c1.id][0] == 1
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "score").order_by(AuditEvent.id)))
    assert events[-1].changes["criterion 1 score"] == {"before": 2, "after": 1}
    assert events[-1].changes["criterion 4 score"] == {"before": None, "after": 0}


@pytest.mark.parametrize("value", ["3", "-1", "two", "1.5"])
def test_a_bad_score_is_refused_and_nothing_saved(as_user, sl, session, value):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    r = save(client, sl.v, c, {sl.criteria[0].id: "1", sl.criteria[1].id: value})
    assert r.status_code == 400
    assert "Choose no evidence, some evidence or clear evidence" in r.get_data(as_text=True)
    assert my_scores(session, c, sl.panelist) == {}


def test_a_too_long_comment_is_refused(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    r = save(client, sl.v, c, {sl.criteria[0].id: "1"}, comments={sl.criteria[0].id: "x" * 2001})
    assert "2000 characters or fewer" in r.get_data(as_text=True)
    assert my_scores(session, c, sl.panelist) == {}


def test_a_criterion_of_another_vacancy_or_assessed_at_interview_is_refused(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    interview_only = next(cr for cr in sl.v.criteria if not cr.at_application)
    foreign = sl.elsewhere.criteria[0]
    for bad in (interview_only, foreign):
        r = save(client, sl.v, c, {bad.id: "2", sl.criteria[0].id: "1"})
        assert r.status_code == 400 and "Nothing was saved" in r.get_data(as_text=True)
    assert my_scores(session, c, sl.panelist) == {}


def test_submit_needs_every_criterion_then_locks(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    c1, c2, c4 = sl.criteria
    save(client, sl.v, c, {c1.id: "2", c2.id: "1"})
    page = client.get(url(sl.v, "shortlisting/candidates", c.id, "submit")).get_data(as_text=True)
    assert "Every criterion needs a score before you can submit" in page
    r = submit(client, sl.v, c)
    assert r.status_code == 400 and "Still to score: criterion 4" in r.get_data(as_text=True)
    assert session.scalar(select(ShortlistSubmission)) is None
    save(client, sl.v, c, {c4.id: "0"}, action="submit")
    page = client.get(url(sl.v, "shortlisting/candidates", c.id, "submit")).get_data(as_text=True)
    assert "You cannot change your scores after you submit" in page
    assert submit(client, sl.v, c).status_code == 302
    assert session.scalar(select(ShortlistSubmission)).user_id == sl.panelist.id
    before = my_scores(session, c, sl.panelist)
    # after submitting: refused, nothing changed
    r = save(client, sl.v, c, {c1.id: "0"})
    assert r.status_code == 409 and "already submitted" in r.get_data(as_text=True)
    assert submit(client, sl.v, c).status_code == 409
    assert my_scores(session, c, sl.panelist) == before
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "submit")).actor_id == sl.panelist.id


def test_scoring_a_withdrawn_candidate_is_refused(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    from panel.db import utcnow

    c.withdrawn_at = utcnow()
    session.commit()
    r = save(client, sl.v, c, {sl.criteria[0].id: "2"})
    assert r.status_code == 409 and "has withdrawn" in r.get_data(as_text=True)
    assert my_scores(session, c, sl.panelist) == {}
    assert "has withdrawn" in client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)


def test_a_candidate_of_another_vacancy_is_404(as_user, sl, session):
    client = as_user(sl.panelist)
    assert client.get(url(sl.v, "shortlisting/candidates", sl.stranger.id)).status_code == 404
    assert save(client, sl.v, sl.stranger, {sl.criteria[0].id: "2"}).status_code == 404
    assert declare(client, sl.v, sl.stranger).status_code == 404
    assert session.scalar(select(ShortlistScore)) is None


def test_no_scoring_before_shortlisting_or_after_it(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    sl.v.status = VacancyStatus.INTERVIEWING
    session.commit()
    r = save(client, sl.v, c, {sl.criteria[0].id: "2"})
    assert r.status_code == 409 and "has closed" in r.get_data(as_text=True)
    sl.v.status = VacancyStatus.DRAFT
    session.commit()
    assert client.get(url(sl.v, "shortlisting/candidates", c.id)).status_code == 404
    assert "Shortlisting has not started yet" in client.get(url(sl.v, "shortlisting")).get_data(as_text=True)
    assert my_scores(session, c, sl.panelist) == {}


# --- independence ---------------------------------------------------------------------

def test_nobody_sees_others_scores_before_submitting_their_own(as_user, sl, session):
    c = sl.candidates[0]
    zoe = as_user(sl.panelist2)
    score_all(zoe, sl.v, c, [0, 2, 2], comments={sl.criteria[0].id: "ZOE-SECRET-COMMENT"})
    john = as_user(sl.panelist)
    declare(john, sl.v, c)
    save(john, sl.v, c, {sl.criteria[0].id: "2"})
    page = john.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert "ZOE-SECRET-COMMENT" not in page and "Zoë Ashworth" not in page
    assert "Submitted scores" not in page
    # the chair, who has not scored, cannot see them either (page, moderation, export)
    chair = as_user(sl.chair)
    declare(chair, sl.v, c)
    for path in ["shortlisting/candidates/%d" % c.id, "shortlisting/moderation", "shortlisting/moderation/%d" % c.id,
                 "shortlisting/export.csv", "shortlisting/progress"]:
        body = chair.get(url(sl.v, path)).get_data(as_text=True)
        assert "ZOE-SECRET-COMMENT" not in body, path
    # after John submits, he sees Zoë's submitted scores and comment
    save(john, sl.v, c, {sl.criteria[1].id: "1", sl.criteria[2].id: "1"})
    submit(john, sl.v, c)
    page = john.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert "ZOE-SECRET-COMMENT" in page and "Zoë Ashworth" in page
    # ...but never anyone's unsubmitted scores: the chair's draft stays private
    save(chair, sl.v, c, {sl.criteria[0].id: "1"}, comments={sl.criteria[0].id: "CHAIR-DRAFT"})
    assert "CHAIR-DRAFT" not in john.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)


def test_hr_sees_progress_never_scores_while_shortlisting(as_user, sl, session):
    c = sl.candidates[0]
    score_all(as_user(sl.panelist2), sl.v, c, [0, 2, 2], comments={sl.criteria[0].id: "ZOE-SECRET-COMMENT"})
    hr = as_user(sl.hr)
    page = hr.get(url(sl.v, "shortlisting/progress")).get_data(as_text=True)
    assert "Zoë Ashworth" in page and "1 of 3" in page
    assert "ZOE-SECRET-COMMENT" not in page and "Clear evidence" not in page
    assert hr.get(url(sl.v, "shortlisting/moderation")).status_code == 404
    assert hr.get(url(sl.v, "shortlisting/moderation", c.id)).status_code == 404
    assert hr.get(url(sl.v, "shortlisting/export.csv")).status_code == 404
    assert hr.get(url(sl.v, "shortlisting/candidates", c.id)).status_code == 404


# --- own order and progress -------------------------------------------------------------

def test_each_panel_member_has_their_own_stable_order(app, as_user, sl, session):
    for n in range(4, 13):
        add_candidate(session, sl.v, n, f"First{n}", f"Last{n}", f"c{n}@example.net")
    john, zoe = as_user(sl.panelist), as_user(sl.panelist2)

    def order(client):
        page = client.get(url(sl.v, "shortlisting")).get_data(as_text=True)
        import re

        return re.findall(r"shortlisting/candidates/(\d+)\">Candidate", page)

    first = order(john)
    assert len(first) == 12
    assert order(john) == first
    assert order(zoe) != first
    assert sorted(order(zoe)) == sorted(first)


def test_save_and_go_to_the_next_candidate_and_progress_count(as_user, sl, session):
    john = as_user(sl.panelist)
    from panel.shortlisting.scoring import panelist_order

    order = panelist_order(sl.v.id, sl.panelist.id, [c.id for c in sl.candidates])
    first, second = order[0], order[1]
    page = john.get(url(sl.v, "shortlisting")).get_data(as_text=True)
    assert "0 of 3 submitted" in page and f"/shortlisting/candidates/{first}" in page
    john.post_form(url(sl.v, "shortlisting/candidates", first, "conflict"), {"knows": "no"})
    r = john.post_form(url(sl.v, "shortlisting/candidates", first, "scores"),
                       {f"score_{cr.id}": "1" for cr in sl.criteria} | {"action": "next"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/shortlisting/candidates/{second}")
    john.post_form(url(sl.v, "shortlisting/candidates", first, "submit"), {})
    page = john.get(url(sl.v, "shortlisting")).get_data(as_text=True)
    assert "1 of 3 submitted" in page
    # stepping aside takes the candidate out of the count
    john.post_form(url(sl.v, "shortlisting/candidates", second, "conflict"), {"knows": "yes"})
    page = john.get(url(sl.v, "shortlisting")).get_data(as_text=True)
    assert "1 of 2 submitted" in page and "you stepped aside from 1" in page


# --- moderation -----------------------------------------------------------------------

def everyone_scores(session, sl, c, john, zoe, chair):
    put_scores(session, c, sl.panelist, john)
    put_scores(session, c, sl.panelist2, zoe)
    put_scores(session, c, sl.chair, chair)


def test_moderation_grid_means_flags_and_ranking(as_user, sl, session):
    a, b, m = sl.candidates
    everyone_scores(session, sl, a, [2, 1, 2], [1, 1, 2], [2, 2, 2])   # total 5/3+4/3+2 = 5
    everyone_scores(session, sl, b, [0, 0, 2], [0, 1, 2], [1, 0, 2])   # essential 1 mean 1/3: not met; DC but unmet
    put_scores(session, m, sl.panelist, [0, 2, 2])                     # only one in
    put_scores(session, m, sl.panelist2, [2, 2, 2])
    chair = as_user(sl.chair)
    page = chair.get(url(sl.v, "shortlisting/moderation")).get_data(as_text=True)
    assert page.index(f'id="candidate-{a.id}"') < page.index(f'id="candidate-{b.id}"') < page.index(f'id="candidate-{m.id}"')
    assert "Total <strong>5</strong> out of 6" in page
    assert "Essential criterion 1 not met" in page
    assert "Guaranteed interview" not in page  # b is Disability Confident but does not meet criterion 1
    assert "Waiting for scores: 2 of 3 panel members have submitted." in page
    detail = chair.get(url(sl.v, "shortlisting/moderation", a.id)).get_data(as_text=True)
    for name in ("John O&#39;Neill", "Zoë Ashworth", "Chris Morgan"):
        assert name in detail
    assert "1.67" in detail and "1.33" in detail
    assert 'name="outcome"' in detail
    # the chair cannot see or decide candidate m: not all in, and the chair has not scored them
    detail_m = chair.get(url(sl.v, "shortlisting/moderation", m.id)).get_data(as_text=True)
    assert "Waiting for scores" in detail_m and 'name="outcome"' not in detail_m


def test_disagreement_flag_on_a_zero_against_a_two(as_user, sl, session):
    a = sl.candidates[0]
    everyone_scores(session, sl, a, [0, 1, 1], [2, 1, 1], [1, 1, 1])
    detail = as_user(sl.chair).get(url(sl.v, "shortlisting/moderation", a.id)).get_data(as_text=True)
    assert detail.count("0 and 2: panel differs") == 1
    page = as_user(sl.chair).get(url(sl.v, "shortlisting/moderation")).get_data(as_text=True)
    assert "1 criterion where the panel differs by 0 and 2" in page


def test_guaranteed_interview_for_disability_confident_meeting_every_essential(as_user, sl, session):
    b = sl.candidates[1]  # Disability Confident
    everyone_scores(session, sl, b, [1, 0, 1], [1, 0, 1], [2, 0, 1])
    chair = as_user(sl.chair)
    page = chair.get(url(sl.v, "shortlisting/moderation")).get_data(as_text=True)
    assert "Guaranteed interview (Disability Confident)" in page
    # the chair cannot decide against the guarantee
    r = chair.post_form(url(sl.v, "shortlisting/moderation", b.id), {"outcome": "reject", "reason": "Weak", "version": ""})
    assert r.status_code == 400 and "guaranteed an interview" in r.get_data(as_text=True)
    assert session.scalar(select(ShortlistDecision)) is None
    r = chair.post_form(url(sl.v, "shortlisting/moderation", b.id), {"outcome": "shortlist", "reason": "", "version": ""})
    assert r.status_code == 302


def test_stepped_aside_shows_only_as_stepped_aside(as_user, sl, session):
    a = sl.candidates[0]
    step_aside(session, a, sl.panelist)
    put_scores(session, a, sl.panelist2, [2, 2, 2])
    put_scores(session, a, sl.chair, [2, 1, 2])
    detail = as_user(sl.chair).get(url(sl.v, "shortlisting/moderation", a.id)).get_data(as_text=True)
    assert "Stepped aside: <bdi>John O&#39;Neill</bdi>." in detail
    assert 'name="outcome"' in detail  # all in without John


def test_chair_records_decisions_with_reasons_and_audit(as_user, sl, session):
    a = sl.candidates[0]
    everyone_scores(session, sl, a, [2, 1, 2], [1, 1, 2], [2, 2, 2])
    chair = as_user(sl.chair)
    path = url(sl.v, "shortlisting/moderation", a.id)
    r = chair.post_form(path, {"outcome": "reject", "reason": "", "version": ""})
    assert r.status_code == 400 and "Give a reason for not shortlisting this candidate" in r.get_data(as_text=True)
    r = chair.post_form(path, {"outcome": "", "version": ""})
    assert "Choose shortlist, reserve or do not shortlist" in r.get_data(as_text=True)
    assert session.scalar(select(ShortlistDecision)) is None
    assert chair.post_form(path, {"outcome": "reserve", "reason": "", "version": ""}).status_code == 302
    d = session.scalar(select(ShortlistDecision))
    assert d.outcome == ShortlistOutcome.RESERVE and d.decided_by_id == sl.chair.id and d.version == 1
    r = chair.post_form(path, {"outcome": "shortlist", "reason": "Strong on records", "version": "1"})
    assert r.status_code == 302
    session.expire_all()
    d = session.scalar(select(ShortlistDecision))
    assert d.outcome == ShortlistOutcome.SHORTLIST and d.version == 2
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "decision").order_by(AuditEvent.id)))
    assert [e.changes["outcome"]["after"] for e in events] == ["reserve", "shortlist"]
    assert events[1].changes["outcome"]["before"] == "reserve"


def test_a_stale_decision_form_is_refused(as_user, sl, session):
    a = sl.candidates[0]
    everyone_scores(session, sl, a, [2, 1, 2], [1, 1, 2], [2, 2, 2])
    chair = as_user(sl.chair)
    path = url(sl.v, "shortlisting/moderation", a.id)
    assert chair.post_form(path, {"outcome": "reserve", "version": ""}).status_code == 302
    # a second tab still showing "no decision yet"
    r = chair.post_form(path, {"outcome": "shortlist", "version": ""})
    assert r.status_code == 409 and "Someone else recorded a decision" in r.get_data(as_text=True)
    r = chair.post_form(path, {"outcome": "shortlist", "version": "7"})
    assert r.status_code == 409
    session.expire_all()
    assert session.scalar(select(ShortlistDecision)).outcome == ShortlistOutcome.RESERVE


def test_no_decision_until_every_score_is_in(as_user, sl, session):
    a = sl.candidates[0]
    put_scores(session, a, sl.chair, [2, 2, 2])
    put_scores(session, a, sl.panelist, [2, 2, 2])
    r = as_user(sl.chair).post_form(url(sl.v, "shortlisting/moderation", a.id), {"outcome": "shortlist", "version": ""})
    assert r.status_code == 409 and "Wait until every panel member has submitted" in r.get_data(as_text=True)
    assert session.scalar(select(ShortlistDecision)) is None


def test_only_the_chair_decides_and_decisions_lock_at_interviewing(as_user, sl, session):
    a = sl.candidates[0]
    everyone_scores(session, sl, a, [2, 1, 2], [1, 1, 2], [2, 2, 2])
    path = url(sl.v, "shortlisting/moderation", a.id)
    for user in (sl.panelist, sl.hr, sl.other):
        assert as_user(user).post_form(path, {"outcome": "shortlist", "version": ""}).status_code == 404
    sl.v.status = VacancyStatus.INTERVIEWING
    session.commit()
    chair = as_user(sl.chair)
    assert chair.post_form(path, {"outcome": "shortlist", "version": ""}).status_code == 404
    assert session.scalar(select(ShortlistDecision)) is None
    page = chair.get(path).get_data(as_text=True)
    assert 'name="outcome"' not in page
    # HR now sees the grid and the export
    hr = as_user(sl.hr)
    assert hr.get(path).status_code == 200
    assert hr.get(url(sl.v, "shortlisting/export.csv")).status_code == 200


# --- export ---------------------------------------------------------------------------

def read_csv(response):
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_export_scores_comments_decisions_and_neutralises_formulas(as_user, sl, session):
    a = sl.candidates[0]
    put_scores(session, a, sl.panelist, [2, 1, 2], comments={1: "=HYPERLINK(\"http://evil\")"})
    put_scores(session, a, sl.panelist2, [1, 1, 2], comments={2: "+1 good", 4: "@SUM(A1)"})
    put_scores(session, a, sl.chair, [2, 2, 2], comments={1: "-2 weak?"})
    chair = as_user(sl.chair)
    chair.post_form(url(sl.v, "shortlisting/moderation", a.id), {"outcome": "shortlist", "reason": "=cmd|' /C calc'!A0", "version": ""})
    r = chair.get(url(sl.v, "shortlisting/export.csv"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    assert "attachment" in r.headers["Content-Disposition"] and "SL-1 shortlisting.csv" in r.headers["Content-Disposition"]
    rows = read_csv(r)
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Candidate", "Criterion number", "Criterion"]
    assert len(body) == 9  # 3 criteria x 3 panel members; other candidates are not all in
    cells = [cell for row in body for cell in row]
    assert "'=HYPERLINK(\"http://evil\")" in cells and "'+1 good" in cells and "'@SUM(A1)" in cells
    assert "'-2 weak?" in cells and "'=cmd|' /C calc'!A0" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert {row[0] for row in body} == {"Candidate 01"}
    assert all(row[header.index("Decision")] == "Shortlist" for row in body)
    assert all(row[header.index("Candidate total")] == "5" for row in body)
    # anonymous for the chair while shortlisting
    text = r.get_data(as_text=True)
    assert "Aoife" not in text and "aoife.oconnor" not in text


def test_export_for_hr_after_shortlisting_includes_names(as_user, sl, session):
    a = sl.candidates[0]
    everyone_scores(session, sl, a, [2, 1, 2], [1, 1, 2], [2, 2, 2])
    sl.v.status = VacancyStatus.INTERVIEWING
    session.commit()
    rows = read_csv(as_user(sl.hr).get(url(sl.v, "shortlisting/export.csv")))
    assert rows[0][1:5] == ["First name", "Last name", "Email", "Phone"]
    assert rows[1][1:3] == ["Aoife", "O'Connor"]


# --- query counts -----------------------------------------------------------------------

def _fill(session, sl, n):
    from tests.builders_plugin import add_candidate

    from panel.models import Candidate

    have = len(list(session.scalars(select(Candidate.id).where(Candidate.vacancy_id == sl.v.id))))
    for i in range(have + 1, n + 1):
        c = add_candidate(session, sl.v, i, f"First{i}", f"Last{i}", f"bulk{i}@example.net")
        everyone_scores(session, sl, c, [i % 3, 1, 2], [1, (i + 1) % 3, 2], [2, 1, i % 3])
        if i % 2:
            builder(session).decided(c, ShortlistOutcome.SHORTLIST, "", by=sl.chair)
            session.commit()


@pytest.mark.parametrize("who,path", [
    ("chair", "shortlisting/moderation"),
    ("chair", "shortlisting/export.csv"),
    ("chair", "shortlisting/progress"),
    ("panelist", "shortlisting"),
])
def test_pages_use_the_same_number_of_queries_for_5_and_60_candidates(app, as_user, sl, session, who, path):
    client = as_user(getattr(sl, who))
    _fill(session, sl, 5)
    client.get(url(sl.v, path))  # warm up
    with count_queries(app) as small:
        assert client.get(url(sl.v, path)).status_code == 200
    _fill(session, sl, 60)
    with count_queries(app) as large:
        response = client.get(url(sl.v, path))
        assert response.status_code == 200
    assert len(small) == len(large), (len(small), len(large))
    if path == "shortlisting/moderation":
        assert response.get_data(as_text=True).count('class="panel-moderation__item"') == 60
    print(f"{path}: {len(small)} queries for 5 and for 60 candidates")
