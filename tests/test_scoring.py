"""Interview scoring through the pages: autosave, plain form posts, submitting, the
paper route, independence, moderation, outcomes (with concurrent chairs), sign-off,
reopening, feedback, export and what panelists hear back."""
from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import select

from panel.models import (
    AuditEvent,
    CandidateFeedback,
    ConflictDeclaration,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSubmission,
    ModeratedScore,
    Outcome,
    PlanQuestion,
    ScaleLevel,
    VacancyStatus,
)
from tests.conftest import count_queries, mail_to, outbox_messages
from tests.builders_plugin import add_candidates, add_plan, interview_world, score_and_submit
from tests.snapshots import snapshotted


@pytest.fixture()
@snapshotted
def iv(app, session):
    return interview_world(session)


def url(iv, tail=""):
    return f"/vacancies/{iv['vacancy'].id}{tail}"


def save(client, iv, candidate, question, score=None, notes="", version=None, user_path=""):
    token = client.csrf_token()
    body = {"score": score, "notes": notes}
    if version is not None:
        body["version"] = version
    path = url(iv, f"/interviews/{candidate.id}{user_path}/score/{question.id}")
    return client.post(path, json=body, headers={"X-CSRFToken": token, "Accept": "application/json"})


def rows(session, candidate, user):
    session.expire_all()
    return {r.plan_question_id: r for r in session.scalars(select(InterviewScore).where(
        InterviewScore.candidate_id == candidate.id, InterviewScore.user_id == user.id))}


# --- scoring page and autosave ------------------------------------------------

def test_scoring_page_shows_questions_in_plan_order_with_guidance_and_the_scale(as_user, iv, session):
    q = iv["questions"]
    q[0].position, q[2].position = 3, 1
    session.commit()
    c = as_user(iv["p1"])
    page = c.get(url(iv, f"/interviews/{iv['candidates'][0].id}/score")).get_data(as_text=True)
    assert page.index(q[2].text) < page.index(q[1].text) < page.index(q[0].text)
    assert "What a good answer may include" in page and "Gives a real example" in page
    assert "Follow-up questions" in page and "What would you do differently?" in page
    assert "4 – <bdi>Excellent</bdi>" in page and "Strong, well-reflected evidence" in page
    assert "js/scoring.js" in page


def test_vacancy_scale_replaces_the_default(as_user, iv, session):
    # direct: a 1-3 scale, which the scale page cannot make (it words the 0-4 levels); the
    # default levels the first plan question created make way for it
    session.query(ScaleLevel).filter_by(vacancy_id=iv["vacancy"].id).delete()
    for s, label in [(1, "Poor"), (2, "Fine"), (3, "Great")]:
        session.add(ScaleLevel(vacancy_id=iv["vacancy"].id, score=s, label=label, descriptor=f"{label} answer"))
    session.commit()
    c = as_user(iv["p1"])
    cand, q = iv["candidates"][0], iv["questions"][0]
    page = c.get(url(iv, f"/interviews/{cand.id}/score")).get_data(as_text=True)
    assert "3 – <bdi>Great</bdi>" in page and "Excellent" not in page
    assert save(c, iv, cand, q, 0).status_code == 400
    assert save(c, iv, cand, q, 3).status_code == 200


def test_autosave_saves_each_change_and_counts_versions(as_user, iv, session):
    c = as_user(iv["p1"])
    cand, q = iv["candidates"][0], iv["questions"][0]
    r = save(c, iv, cand, q, 3, "Good example of teamwork", version=0)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["version"] == 1 and r.json["was_behind"] is False
    r = save(c, iv, cand, q, 4, "Good example of teamwork, and reflective", version=1)
    assert r.json["version"] == 2
    row = rows(session, cand, iv["p1"])[q.id]
    assert (row.score, row.notes, row.version, row.entered_by_id) == (4, "Good example of teamwork, and reflective", 2, None)
    events = session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "interviewscore")).all()
    assert len(events) == 2


def test_older_tab_gets_told_and_the_newest_save_wins(as_user, iv, session):
    tab1 = as_user(iv["p1"])
    cand, q = iv["candidates"][0], iv["questions"][0]
    assert save(tab1, iv, cand, q, 2, "first", version=0).json["version"] == 1
    # tab 2 was opened at version 1 and saves; tab 1 still thinks version 1 and saves later
    assert save(tab1, iv, cand, q, 3, "from tab two", version=1).json["version"] == 2
    r = save(tab1, iv, cand, q, 1, "from tab one, later", version=1)
    assert r.status_code == 200
    assert r.json["was_behind"] is True and "another tab" in r.json["message"]
    row = rows(session, cand, iv["p1"])[q.id]
    assert (row.score, row.notes, row.version) == (1, "from tab one, later", 3)


def test_plain_form_post_without_javascript(as_user, iv, session):
    c = as_user(iv["p1"])
    cand = iv["candidates"][0]
    qs = iv["questions"]
    data = {f"score-{qs[0].id}": "3", f"notes-{qs[0].id}": "Clear", f"version-{qs[0].id}": "0",
            f"score-{qs[1].id}": "", f"notes-{qs[1].id}": "Not asked yet", f"version-{qs[1].id}": "0",
            "action": "save"}
    r = c.post_form(url(iv, f"/interviews/{cand.id}/score"), data)
    assert r.status_code == 302
    saved = rows(session, cand, iv["p1"])
    assert saved[qs[0].id].score == 3 and saved[qs[0].id].notes == "Clear"
    assert saved[qs[1].id].score is None and saved[qs[1].id].notes == "Not asked yet"
    page = c.get(r.headers["Location"]).get_data(as_text=True)
    assert "Saved your scores" in page and "Not asked yet" in page


def test_plain_form_post_with_a_bad_score_saves_nothing_and_keeps_what_was_typed(as_user, iv, session):
    c = as_user(iv["p1"])
    cand = iv["candidates"][0]
    qs = iv["questions"]
    data = {f"score-{qs[0].id}": "3", f"notes-{qs[0].id}": "kept", f"score-{qs[1].id}": "9",
            f"notes-{qs[1].id}": "typed text"}
    r = c.post_form(url(iv, f"/interviews/{cand.id}/score"), data)
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Choose a score from 0 to 4" in page and "typed text" in page and "There is a problem" in page
    assert rows(session, cand, iv["p1"]) == {}


@pytest.mark.parametrize("score", ["5", "-1", "two", "2.5"])
def test_score_outside_the_scale_is_refused(as_user, iv, session, score):
    c = as_user(iv["p1"])
    r = save(c, iv, iv["candidates"][0], iv["questions"][0], score)
    assert r.status_code == 400 and "Choose a score from 0 to 4" in r.json["error"]
    assert rows(session, iv["candidates"][0], iv["p1"]) == {}


def test_notes_too_long_are_refused(as_user, iv, session):
    c = as_user(iv["p1"])
    r = save(c, iv, iv["candidates"][0], iv["questions"][0], 2, "x" * 5001)
    assert r.status_code == 400 and "5000 characters" in r.json["error"]


def test_question_of_another_vacancy_is_refused(as_user, iv, session):
    other = interview_world(session, candidates=1, questions=1, reference="IV-2")
    c = as_user(iv["p1"])
    r = save(c, iv, iv["candidates"][0], other["questions"][0], 2)
    assert r.status_code == 404
    assert session.scalars(select(InterviewScore)).all() == []


def test_candidate_not_shortlisted_or_withdrawn_or_of_another_vacancy_is_refused(as_user, iv, session):
    from panel.db import utcnow
    from panel.models import ShortlistOutcome

    reserve = add_candidates(session, iv["vacancy"], 1, ShortlistOutcome.RESERVE, start=20)[0]
    withdrawn = add_candidates(session, iv["vacancy"], 1, start=21)[0]
    withdrawn.withdrawn_at = utcnow()
    session.commit()
    other = interview_world(session, candidates=1, questions=1, reference="IV-2")
    c = as_user(iv["p1"])
    q = iv["questions"][0]
    for cand in (reserve, withdrawn, other["candidates"][0]):
        assert save(c, iv, cand, q, 2).status_code == 404
        assert c.get(url(iv, f"/interviews/{cand.id}/score")).status_code == 404
    assert session.scalars(select(InterviewScore)).all() == []


def test_nobody_scores_for_someone_else_except_by_the_paper_route(as_user, iv, session):
    c = as_user(iv["p1"])
    cand, q = iv["candidates"][0], iv["questions"][0]
    r = c.post(url(iv, f"/interviews/{cand.id}/score/{q.id}"),
               json={"score": 2, "user_id": iv["p2"].id}, headers={"X-CSRFToken": c.csrf_token()})
    assert r.status_code == 200
    assert rows(session, cand, iv["p2"]) == {} and rows(session, cand, iv["p1"])[q.id].score == 2
    # a panelist cannot use the paper route
    assert save(c, iv, cand, q, 3, user_path=f"/paper/{iv['p2'].id}").status_code == 404
    assert c.get(url(iv, f"/interviews/{cand.id}/paper/{iv['p2'].id}")).status_code == 404


def test_stepped_aside_member_cannot_score(as_user, iv, session):
    cand = iv["candidates"][0]
    session.add(ConflictDeclaration(candidate_id=cand.id, user_id=iv["p1"].id, knows_candidate=True))
    session.commit()
    c = as_user(iv["p1"])
    r = save(c, iv, cand, iv["questions"][0], 2)
    assert r.status_code == 409 and "stepped aside" in r.json["error"]
    assert "You stepped aside" in c.get(url(iv, "/interviews")).get_data(as_text=True)


# --- submitting ---------------------------------------------------------------

def test_submit_asks_for_confirmation_when_a_question_has_no_score(as_user, iv, session):
    c = as_user(iv["p1"])
    cand, qs = iv["candidates"][0], iv["questions"]
    save(c, iv, cand, qs[0], 3)
    page = c.get(url(iv, f"/interviews/{cand.id}/submit")).get_data(as_text=True)
    assert "2 questions have no score" in page
    r = c.post_form(url(iv, f"/interviews/{cand.id}/submit"), {})
    assert r.status_code == 400 and "Tick the box to submit anyway" in r.get_data(as_text=True)
    assert session.scalars(select(InterviewSubmission)).all() == []
    r = c.post_form(url(iv, f"/interviews/{cand.id}/submit"), {"confirm_blank": "y"})
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/results/{cand.id}")
    session.expire_all()
    assert len(session.scalars(select(InterviewSubmission)).all()) == 1


def test_submit_without_blanks_needs_no_confirmation_and_then_scores_lock(as_user, iv, session):
    c = as_user(iv["p1"])
    cand, qs = iv["candidates"][0], iv["questions"]
    for q in qs:
        save(c, iv, cand, q, 2, "ok")
    assert c.post_form(url(iv, f"/interviews/{cand.id}/submit"), {}).status_code == 302
    r = save(c, iv, cand, qs[0], 4, "changed after submitting")
    assert r.status_code == 409 and "submitted" in r.json["error"]
    r = c.post_form(url(iv, f"/interviews/{cand.id}/score"), {f"score-{qs[0].id}": "4", f"notes-{qs[0].id}": "x"})
    assert r.status_code == 302
    assert rows(session, cand, iv["p1"])[qs[0].id].score == 2
    page = c.get(url(iv, f"/interviews/{cand.id}/score")).get_data(as_text=True)
    assert "They can no longer change" in page and 'name="score-' not in page
    # submitting twice is refused politely
    assert c.post_form(url(iv, f"/interviews/{cand.id}/submit"), {}).status_code == 302
    assert len(session.scalars(select(InterviewSubmission)).all()) == 1


# --- independence -------------------------------------------------------------

def test_nobody_sees_others_scores_or_notes_before_submitting_their_own(as_user, iv, session):
    cand = iv["candidates"][0]
    qs = iv["questions"]
    score_and_submit(session, cand, iv["p1"], qs, [4, 4, 4], ["SECRET-NOTE-JOHN"] * 3)
    p2_client = as_user(iv["p2"])
    save(p2_client, iv, cand, qs[0], 1, "SECRET-DRAFT-ZOE")
    for who in ("chair", "p2", "staff"):
        c = as_user(iv[who])
        pages = [url(iv, "/interviews"), url(iv, "/results"), url(iv, f"/interviews/{cand.id}/score"),
                 url(iv, f"/interviews/{cand.id}/submit")]
        if who == "chair":
            pages += [url(iv, "/interviews/export.csv"), url(iv, "/feedback"),
                      url(iv, f"/interviews/{cand.id}/paper/{iv['p1'].id}")]
        for path in pages:
            r = c.get(path, follow_redirects=True)
            body = r.get_data(as_text=True)
            assert "SECRET-NOTE-JOHN" not in body, (who, path)
            if who != "p2":
                assert "SECRET-DRAFT-ZOE" not in body, (who, path)
        for path in (f"/results/{cand.id}", f"/results/{cand.id}/outcome", f"/feedback/{cand.id}",
                     f"/feedback/{cand.id}/download", f"/results/{cand.id}/moderate/{qs[0].id}"):
            assert c.get(url(iv, path)).status_code == 404, (who, path)
    # once the chair submits, the chair sees John's submitted notes but never Zoë's draft
    chair = as_user(iv["chair"])
    for q in qs:
        save(chair, iv, cand, q, 3)
    chair.post_form(url(iv, f"/interviews/{cand.id}/submit"), {})
    body = chair.get(url(iv, f"/results/{cand.id}")).get_data(as_text=True)
    assert "SECRET-NOTE-JOHN" in body and "SECRET-DRAFT-ZOE" not in body
    csv_text = chair.get(url(iv, "/interviews/export.csv")).get_data(as_text=True)
    assert "SECRET-NOTE-JOHN" in csv_text


def test_results_show_each_candidate_only_after_submitting_it(as_user, iv, session):
    a, b = iv["candidates"][:2]
    qs = iv["questions"]
    score_and_submit(session, a, iv["p2"], qs, [0, 0, 0])
    score_and_submit(session, b, iv["p2"], qs, [4, 4, 4])
    score_and_submit(session, a, iv["p1"], qs, [2, 2, 2])
    c = as_user(iv["p1"])
    body = c.get(url(iv, "/results")).get_data(as_text=True)
    assert f"See every score and note for {a.label}" in body
    assert f"See every score and note for {b.label}" not in body
    assert "Ranks show once you may see every candidate" in body
    assert c.get(url(iv, f"/results/{b.id}")).status_code == 404


# --- paper route ----------------------------------------------------------------

def test_chair_enters_a_paper_sheet_recorded_as_entered_by_them(as_user, iv, session):
    cand, qs = iv["candidates"][0], iv["questions"]
    chair = as_user(iv["chair"])
    # the chair must first submit their own scores for this candidate
    r = chair.get(url(iv, f"/interviews/{cand.id}/paper/{iv['p2'].id}"))
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/interviews/{cand.id}/score")
    score_and_submit(session, cand, iv["chair"], qs, [3, 3, 3])
    page = chair.get(url(iv, f"/interviews/{cand.id}/paper/{iv['p2'].id}")).get_data(as_text=True)
    assert "<bdi>Zoë Ashworth</bdi>&#39;s paper score sheet" in page
    data = {f"score-{q.id}": str(s) for q, s in zip(qs, [2, 4, 1])}
    data.update({f"notes-{q.id}": "from paper" for q in qs})
    data["action"] = "submit"
    r = chair.post_form(url(iv, f"/interviews/{cand.id}/paper/{iv['p2'].id}"), data)
    assert r.status_code == 302 and r.headers["Location"].endswith(f"/paper/{iv['p2'].id}/submit")
    r = chair.post_form(url(iv, f"/interviews/{cand.id}/paper/{iv['p2'].id}/submit"), {})
    assert r.status_code == 302
    saved = rows(session, cand, iv["p2"])
    assert [saved[q.id].score for q in qs] == [2, 4, 1]
    assert all(saved[q.id].entered_by_id == iv["chair"].id for q in qs)
    sub = session.scalar(select(InterviewSubmission).where(InterviewSubmission.user_id == iv["p2"].id))
    assert sub.entered_by_id == iv["chair"].id
    body = chair.get(url(iv, f"/results/{cand.id}")).get_data(as_text=True)
    assert "Entered by <bdi>Chris Morgan</bdi> from paper on" in body
    audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "submit")).all()
    assert any("paper sheet" in e.summary for e in audit)


def test_hr_enters_a_paper_sheet_by_autosave(as_user, iv, session):
    cand, q = iv["candidates"][0], iv["questions"][0]
    hr = as_user(iv["hr"])
    r = save(hr, iv, cand, q, 3, "typed by HR", user_path=f"/paper/{iv['p1'].id}")
    assert r.status_code == 200
    row = rows(session, cand, iv["p1"])[q.id]
    assert row.entered_by_id == iv["hr"].id and row.user_id == iv["p1"].id
    # HR is not on the panel: no scoring of their own, and nobody outside the panel can be scored for
    assert hr.get(url(iv, f"/interviews/{cand.id}/score")).status_code == 404
    assert hr.get(url(iv, f"/interviews/{cand.id}/paper/{iv['outsider'].id}")).status_code == 404


# --- results arithmetic on the page, moderation -----------------------------------

def test_results_page_shows_means_spreads_flags_totals_and_ranks(as_user, iv, session):
    a, b, c3 = iv["candidates"]
    qs = iv["questions"]
    for cand, scores in ((a, [[4, 4, 4], [0, 3, 4], [4, 4, 4], [4, 4, 4]]), (b, [[2, 2, 2]] * 4), (c3, [[2, 2, 2]] * 4)):
        for user, s in zip(("chair", "p1", "p2", "staff"), scores):
            score_and_submit(session, cand, iv[user], qs, s)
    hr = as_user(iv["hr"])
    body = hr.get(url(iv, "/results")).get_data(as_text=True)
    assert "10.75 out of 12" in body and "6 out of 12" in body
    assert body.index(a.label) < body.index(b.label)
    assert "1st" in body and "Joint 2nd" in body
    body = hr.get(url(iv, f"/results/{a.id}")).get_data(as_text=True)
    assert "Scores differ by 4 points" in body
    assert ">3<" in body  # the mean of 4, 0, 4, 4


def test_chair_moderates_a_question_and_the_originals_stay(as_user, iv, session):
    cand, qs = iv["candidates"][0], iv["questions"]
    for user, s in (("chair", [4, 2, 2]), ("p1", [0, 2, 2])):
        score_and_submit(session, cand, iv[user], qs, s)
    chair = as_user(iv["chair"])
    path = url(iv, f"/results/{cand.id}/moderate/{qs[0].id}")
    assert chair.get(path).status_code == 200
    r = chair.post_form(path, {"score": "3", "reason": ""})
    assert r.status_code == 400 and "Give the reason" in r.get_data(as_text=True)
    r = chair.post_form(path, {"score": "7", "reason": "x"})
    assert r.status_code == 400
    r = chair.post_form(path, {"score": "3", "reason": "Agreed after discussion"})
    assert r.status_code == 302
    session.expire_all()
    mod = session.scalar(select(ModeratedScore))
    assert (mod.score, mod.reason) == (3, "Agreed after discussion")
    assert rows(session, cand, iv["p1"])[qs[0].id].score == 0
    body = chair.get(url(iv, f"/results/{cand.id}")).get_data(as_text=True)
    assert "Agreed after discussion" in body and "7 out of 12" in body  # 3 + 2 + 2
    r = chair.post_form(path, {"remove": "1"})
    assert r.status_code == 302
    session.expire_all()
    assert session.scalar(select(ModeratedScore)) is None
    # a panelist who has submitted sees the results but cannot moderate
    assert as_user(iv["p1"]).get(path).status_code == 404


# --- outcomes -------------------------------------------------------------------------

def _all_submitted(session, iv, scores=None):
    qs = iv["questions"]
    for i, cand in enumerate(iv["candidates"]):
        for user in ("chair", "p1", "p2", "staff"):
            score_and_submit(session, cand, iv[user], qs, (scores or {}).get((i, user), [4 - i] * len(qs)))


def test_outcome_needs_a_rationale_and_is_audit_logged(as_user, iv, session):
    _all_submitted(session, iv)
    cand = iv["candidates"][0]
    chair = as_user(iv["chair"])
    path = url(iv, f"/results/{cand.id}/outcome")
    r = chair.post_form(path, {"outcome": "preferred", "rationale": "  ", "version": "0"})
    assert r.status_code == 400 and "Give the reasons for this outcome" in r.get_data(as_text=True)
    r = chair.post_form(path, {"outcome": "hired", "rationale": "x", "version": "0"})
    assert r.status_code == 400
    r = chair.post_form(path, {"outcome": "preferred", "rationale": "Strongest on every criterion", "version": "0"})
    assert r.status_code == 302
    session.expire_all()
    o = session.scalar(select(InterviewOutcome))
    assert o.outcome == Outcome.PREFERRED and o.decided_by_id == iv["chair"].id
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "outcome")) is not None
    # a panelist cannot record outcomes
    assert as_user(iv["p1"]).post_form(path, {"outcome": "reserve", "rationale": "x", "version": "1"}).status_code == 404


def test_two_chairs_recording_different_outcomes_at_once_the_second_is_told(as_user, iv, session):
    from panel.models import PanelMember, PanelRole

    _all_submitted(session, iv)
    member = session.scalar(select(PanelMember).where(PanelMember.user_id == iv["staff"].id))
    member.panel_role = PanelRole.CHAIR
    session.commit()
    cand = iv["candidates"][0]
    path = url(iv, f"/results/{cand.id}/outcome")
    first, second = as_user(iv["chair"]), as_user(iv["staff"])
    assert 'name="version" value="0"' in first.get(path).get_data(as_text=True)
    assert 'name="version" value="0"' in second.get(path).get_data(as_text=True)
    assert first.post_form(path, {"outcome": "preferred", "rationale": "Best answers", "version": "0"}).status_code == 302
    r = second.post_form(path, {"outcome": "not_appointable", "rationale": "Weak on risk", "version": "0"})
    assert r.status_code == 409
    body = r.get_data(as_text=True)
    assert "Chris Morgan recorded an outcome for this candidate" in body and "Nothing you entered has been saved" in body
    session.expire_all()
    o = session.scalar(select(InterviewOutcome))
    assert (o.outcome, o.rationale, o.version) == (Outcome.PREFERRED, "Best answers", 1)
    # having read it, the second chair can change it deliberately (the page now carries version 1)
    assert 'name="version" value="1"' in body
    assert second.post_form(path, {"outcome": "reserve", "rationale": "Agreed reserve", "version": "1"}).status_code == 302


def test_outcome_conflict_in_the_same_instant_overwrites_nothing(app, iv, session):
    """Two requests that both read "no outcome yet" and then save: the database's unique
    constraint (a new row) or the version column (an existing row) stops the second."""
    from panel.scoring import services

    _all_submitted(session, iv)
    cand = iv["candidates"][0]
    maker = app.extensions["panel.sessionmaker"]
    s1, s2 = maker(), maker()
    try:
        v1, v2 = s1.get(type(iv["vacancy"]), iv["vacancy"].id), s2.get(type(iv["vacancy"]), iv["vacancy"].id)
        c1, c2 = s1.get(type(cand), cand.id), s2.get(type(cand), cand.id)
        chair1, chair2 = s1.get(type(iv["chair"]), iv["chair"].id), s2.get(type(iv["chair"]), iv["chair"].id)
        services.record_outcome(s1, chair1, v1, c1, Outcome.PREFERRED, "first", 0)
        s1.commit()
        with pytest.raises(services.OutcomeConflict):
            services.record_outcome(s2, chair2, v2, c2, Outcome.NOT_APPOINTABLE, "second", 0)
        s2.rollback()
        # now both at version 1: the first to save wins, the second is stale
        o1 = services.record_outcome(s1, chair1, v1, c1, Outcome.RESERVE, "first again", 1)
        o2 = s2.scalar(select(InterviewOutcome))
        s1.commit()
        o2.outcome, o2.rationale = Outcome.NOT_APPOINTABLE, "stale"
        from sqlalchemy.orm.exc import StaleDataError

        with pytest.raises(StaleDataError):
            s2.flush()
        s2.rollback()
    finally:
        s1.close()
        s2.close()
    session.expire_all()
    o = session.scalar(select(InterviewOutcome))
    assert (o.outcome, o.rationale, o.version) == (Outcome.RESERVE, "first again", 2)
    assert o1 is not None


# --- sign-off and reopen ----------------------------------------------------------

def _decide_all(as_user, iv, outcomes=("preferred", "reserve", "not_appointable")):
    chair = as_user(iv["chair"])
    for cand, o in zip(iv["candidates"], outcomes):
        r = chair.post_form(url(iv, f"/results/{cand.id}/outcome"), {"outcome": o, "rationale": f"Because {o}", "version": "0"})
        assert r.status_code == 302
    return chair


def test_sign_off_needs_every_outcome_then_everything_is_read_only_until_hr_reopens(as_user, iv, session):
    _all_submitted(session, iv)
    chair = as_user(iv["chair"])
    r = chair.post_form(url(iv, "/results/sign-off"), {})
    assert r.status_code == 400 and "Record an outcome for" in r.get_data(as_text=True)
    _decide_all(as_user, iv)
    assert chair.post_form(url(iv, "/results/sign-off"), {}).status_code == 302
    session.expire_all()
    assert session.scalar(select(InterviewSignOff)).signed_off_at is not None
    cand, q = iv["candidates"][0], iv["questions"][0]
    # nothing can change now: outcome, moderation, a late paper sheet, a panelist's save
    r = chair.post_form(url(iv, f"/results/{cand.id}/outcome"), {"outcome": "reserve", "rationale": "x", "version": "1"})
    assert r.status_code == 400 and "signed off" in r.get_data(as_text=True)
    r = chair.post_form(url(iv, f"/results/{cand.id}/moderate/{q.id}"), {"score": "1", "reason": "x"})
    assert r.status_code == 400
    late = add_candidates(session, iv["vacancy"], 1, start=9)[0]
    r = save(as_user(iv["p1"]), iv, late, q, 2)
    assert r.status_code == 409 and "signed off" in r.json["error"]
    session.expire_all()
    assert session.scalar(select(InterviewOutcome).where(InterviewOutcome.candidate_id == cand.id)).outcome == Outcome.PREFERRED
    # HR reopens, with a reason
    hr = as_user(iv["hr"])
    r = hr.post_form(url(iv, "/results/reopen"), {"reason": ""})
    assert r.status_code == 400 and "Give the reason for reopening" in r.get_data(as_text=True)
    assert chair.post_form(url(iv, "/results/reopen"), {"reason": "x"}).status_code == 404
    assert hr.post_form(url(iv, "/results/reopen"), {"reason": "Candidate 02's references changed the picture"}).status_code == 302
    session.expire_all()
    so = session.scalar(select(InterviewSignOff))
    assert so.signed_off_at is None and so.reopened_by_id == iv["hr"].id
    event = session.scalar(select(AuditEvent).where(AuditEvent.action == "reopen"))
    assert event.changes["reopen_reason"]["after"] == "Candidate 02's references changed the picture"
    r = chair.post_form(url(iv, f"/results/{cand.id}/outcome"), {"outcome": "reserve", "rationale": "Changed", "version": "1"})
    assert r.status_code == 302
    assert "HR reopened these results" in chair.get(url(iv, "/results")).get_data(as_text=True)


def test_sign_off_asks_why_when_the_patient_panelists_ranked_differently(as_user, iv, session):
    qs = iv["questions"]
    # patient panelists (p1, p2) put candidate 2 first; the staff put candidate 1 first
    scores = {}
    for i in range(3):
        for user in ("chair", "staff"):
            scores[(i, user)] = [[4, 4, 4], [1, 1, 1], [0, 0, 0]][i]
        for user in ("p1", "p2"):
            scores[(i, user)] = [[2, 2, 2], [3, 3, 3], [0, 0, 0]][i]
    _all_submitted(session, iv, scores)
    chair = _decide_all(as_user, iv)
    page = chair.get(url(iv, "/results/sign-off")).get_data(as_text=True)
    a, b = iv["candidates"][:2]
    assert f"The patient panelists ranked {b.label} above {a.label}" in page
    r = chair.post_form(url(iv, "/results/sign-off"), {"patient_view_note": ""})
    assert r.status_code == 400 and "Explain why the decision differs" in r.get_data(as_text=True)
    note = "Candidate 01 was far stronger on risk; the patient panelists agreed in discussion."
    assert chair.post_form(url(iv, "/results/sign-off"), {"patient_view_note": note}).status_code == 302
    session.expire_all()
    assert session.scalar(select(InterviewSignOff)).patient_view_note == note
    # once closed, every panel member hears back, including why
    iv["vacancy"].status = VacancyStatus.CLOSED
    session.merge(iv["vacancy"])
    session.commit()
    body = as_user(iv["p1"]).get(url(iv)).get_data(as_text=True)
    assert "How this recruitment ended" in body and "Appointable (preferred)" in body and note in body
    assert "How this recruitment ended" not in as_user(iv["outsider"]).get(url(iv)).get_data(as_text=True)


# --- feedback ---------------------------------------------------------------------

def test_feedback_draft_edit_send_and_download(as_user, iv, session, app):
    qs = iv["questions"]
    notes = ["Described a clear example", "Missed the risk plan", "Warm and respectful"]
    for user in ("chair", "p1", "p2", "staff"):
        for i, cand in enumerate(iv["candidates"]):
            score_and_submit(session, cand, iv[user], qs, [4, 0, 3], notes if user == "p1" and i == 0 else None)
    cand = iv["candidates"][0]
    chair = _decide_all(as_user, iv)
    path = url(iv, f"/feedback/{cand.id}")
    page = chair.get(path).get_data(as_text=True)
    assert f"Dear {cand.first_name}" in page and "Described a clear example" in page and "[Panel note" in page
    assert "Criterion 2" in page  # from the person specification
    r = chair.post_form(path, {"text": "", "version": "0"})
    assert r.status_code == 400
    text = f"Dear {cand.first_name},\n\nThank you. You gave a clear example.\n\nThe panel"
    assert chair.post_form(path, {"text": text, "version": "0"}).status_code == 302
    # a second edit from a stale page is refused
    r = chair.post_form(path, {"text": "stale", "version": "0"})
    assert r.status_code == 409
    hr = as_user(iv["hr"])
    # not sent before sign-off
    hr.post_form(url(iv, f"/feedback/{cand.id}/send"), {})
    assert mail_to(app, cand.email) == []
    chair.post_form(url(iv, "/results/sign-off"), {})
    assert chair.post_form(url(iv, f"/feedback/{cand.id}/send"), {}).status_code == 404
    page = hr.post_form(url(iv, f"/feedback/{cand.id}/send"), {}, follow_redirects=True).get_data(as_text=True)
    assert "is queued: it will be emailed within a minute" in page  # the request sends nothing itself
    assert "The feedback email to the candidate: Queued: it will be sent within a minute" in page
    assert "Queued to be emailed" in hr.get(url(iv, "/feedback")).get_data(as_text=True)
    assert not [m for m in outbox_messages(app, deliver_first=False) if m["To"] == cand.email]
    messages = mail_to(app, cand.email)  # the notifications worker sends it
    assert len(messages) == 1
    assert "The feedback email to the candidate: Sent on" in hr.get(path).get_data(as_text=True)
    body = messages[0].get_content()
    assert "You gave a clear example" in body and "Your interview scores" not in body
    assert "John" not in body and "Zoë" not in body
    session.expire_all()
    assert session.scalar(select(CandidateFeedback)).sent_at is not None
    # the chair chooses to show scores; the download then has them
    import re

    version = re.search(r'name="version" value="(\d+)"', chair.get(path).get_data(as_text=True)).group(1)
    assert chair.post_form(path, {"text": text, "include_scores": "y", "version": version}).status_code == 302
    r = hr.get(url(iv, f"/feedback/{cand.id}/download"))
    assert r.status_code == 200 and r.mimetype == "text/plain" and "attachment" in r.headers["Content-Disposition"]
    assert "Your interview scores" in r.get_data(as_text=True)


def test_feedback_with_panel_notes_left_in_is_not_sent(as_user, iv, session, app):
    _all_submitted(session, iv)
    cand = iv["candidates"][0]
    chair = _decide_all(as_user, iv)
    chair.post_form(url(iv, f"/feedback/{cand.id}"),
                    {"text": "Dear A\n[Panel note - rewrite or remove before sending] Question 1: rude", "version": "0"})
    chair.post_form(url(iv, "/results/sign-off"), {})
    r = as_user(iv["hr"]).post_form(url(iv, f"/feedback/{cand.id}/send"), {}, follow_redirects=True)
    assert "still has panel notes" in r.get_data(as_text=True)
    assert mail_to(app, cand.email) == []


# --- export ----------------------------------------------------------------------------

def test_export_has_every_score_note_and_outcome_with_formulas_neutralised(as_user, iv, session):
    _all_submitted(session, iv)
    cand, q = iv["candidates"][0], iv["questions"][0]
    row = session.scalar(select(InterviewScore).where(InterviewScore.candidate_id == cand.id,
                                                      InterviewScore.plan_question_id == q.id,
                                                      InterviewScore.user_id == iv["p1"].id))
    row.notes = "=HYPERLINK(\"http://evil\")"
    session.commit()
    _decide_all(as_user, iv, ("preferred", "reserve", "not_appointable"))
    r = as_user(iv["hr"]).get(url(iv, "/interviews/export.csv"))
    assert r.status_code == 200 and r.mimetype == "text/csv"
    table = list(csv.reader(io.StringIO(r.get_data(as_text=True).lstrip("\ufeff"))))
    assert table[0][0] == "Candidate"
    assert len(table) == 1 + 3 * 3 * 4
    cells = [cell for line in table for cell in line]
    assert "'=HYPERLINK(\"http://evil\")" in cells and "=HYPERLINK(\"http://evil\")" not in cells
    assert "Appointable (preferred)" in cells and "Because preferred" in cells


# --- query counts -------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/results", "/interviews", "/interviews/export.csv"])
def test_results_pages_use_the_same_number_of_queries_for_3_and_30_candidates(as_user, app, session, path):
    counts = []
    for n, ref in ((3, "QC-3"), (30, "QC-30")):
        w = interview_world(session, candidates=n, questions=4, reference=ref)
        qs = w["questions"]
        for cand in w["candidates"]:
            for user in ("chair", "p1", "p2"):
                score_and_submit(session, cand, w[user], qs, [1, 2, 3, 4], ["note"] * 4)
        client = as_user(w["hr"])
        target = f"/vacancies/{w['vacancy'].id}{path}"
        client.get(target)
        with count_queries(app) as statements:
            assert client.get(target).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    print(f"{path}: {counts[0]} queries for 3 and for 30 candidates")


def test_candidate_results_page_query_count_does_not_grow_with_questions(as_user, app, session):
    counts = []
    for n, ref in ((2, "QQ-2"), (12, "QQ-12")):
        w = interview_world(session, candidates=3, questions=n, reference=ref)
        for cand in w["candidates"]:
            for user in ("chair", "p1"):
                score_and_submit(session, cand, w[user], w["questions"], [2] * n)
        client = as_user(w["hr"])
        target = f"/vacancies/{w['vacancy'].id}/results/{w['candidates'][0].id}"
        client.get(target)
        with count_queries(app) as statements:
            assert client.get(target).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts


def test_demo_data_gives_an_interviewing_vacancy_scores_by_one_patient_panelist(app, session):
    from panel.builders import Builder
    from panel.demo import add_demo_interview_scores

    w = interview_world(session, candidates=3, questions=4)
    add_demo_interview_scores(Builder(session, app=app))
    session.commit()
    first, second = w["candidates"][:2]
    assert len(rows(session, first, w["p1"])) == 4 and len(rows(session, second, w["p1"])) == 2
    assert session.scalar(select(InterviewSubmission)).candidate_id == first.id
    add_demo_interview_scores(Builder(session, app=app))  # idempotent
    session.commit()
    assert len(session.scalars(select(InterviewScore)).all()) == 6


def test_autosave_uses_a_small_fixed_number_of_queries_whatever_the_size(as_user, app, session):
    """Saving one answer is the busiest request there is (30 panel members typing at once):
    its query count must not grow with candidates, questions or panel size."""
    counts = []
    for n, ref in ((2, "AQ-2"), (12, "AQ-12")):
        w = interview_world(session, candidates=n, questions=n, reference=ref)
        client = as_user(w["p1"])
        cand, q = w["candidates"][-1], w["questions"][-1]
        assert save(client, w, cand, q, 1, "first").status_code == 200
        with count_queries(app) as statements:
            r = save(client, w, cand, q, 2, "second", version=1)
        assert r.status_code == 200 and r.json["version"] == 2
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
    assert counts[0] <= 12, counts  # it was 18 before the autosave path was slimmed down
