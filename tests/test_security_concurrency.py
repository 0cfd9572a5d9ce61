"""Concurrency rules (issue 7, item 3), with real concurrent requests (threads released
together by a barrier) against one app:

- two panel members saving at the same moment never overwrite each other;
- the same member in two tabs: the newest save wins and the older tab is told
  (sequential version of this rule: tests/test_scoring.py::test_older_tab_gets_told...);
- outcomes, feedback and shortlisting decisions use a version number: of two chairs
  saving at once exactly one wins and the other is told (409), nothing half-saved.
"""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from panel.models import CandidateFeedback, InterviewOutcome, InterviewScore, PanelMember, PanelRole, ShortlistDecision
from tests.builders_plugin import interview_world, score_and_submit
from tests.snapshots import snapshotted

ROUNDS = 8


@pytest.fixture()
@snapshotted
def iv(app, session):
    return interview_world(session)


def together(n, work):
    """Run work(i) in n threads that start at the same moment; return their results."""
    barrier = threading.Barrier(n)
    results: list = [None] * n
    errors: list = []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except BaseException as exc:  # reported below, not lost in the thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    return results


def _save(client, token, iv, cand, q, score, notes, version):
    return client.post(f"/vacancies/{iv['vacancy'].id}/interviews/{cand.id}/score/{q.id}",
                       json={"score": score, "notes": notes, "version": version},
                       headers={"X-CSRFToken": token, "Accept": "application/json"})


def test_two_members_saving_at_the_same_moment_keep_both(as_user, iv, session):
    members = [iv["p1"], iv["p2"]]
    clients = [as_user(m) for m in members]
    tokens = [c.csrf_token() for c in clients]
    cand, q = iv["candidates"][0], iv["questions"][0]
    last: dict[int, tuple] = {}

    def work(i):
        version, statuses = 0, []
        for r in range(ROUNDS):
            score, notes = (r + i) % 5, f"member {i} round {r}"  # the scale is 0 to 4
            response = _save(clients[i], tokens[i], iv, cand, q, score, notes, version)
            statuses.append(response.status_code)
            if response.status_code == 200:
                version = response.json["version"]
                last[i] = (score, notes)
        return statuses

    statuses = together(2, work)
    assert all(s == 200 for row in statuses for s in row), statuses
    session.expire_all()
    for i, member in enumerate(members):
        row = session.scalar(select(InterviewScore).where(InterviewScore.user_id == member.id,
                                                          InterviewScore.candidate_id == cand.id))
        assert (row.score, row.notes) == last[i]
        assert row.version == ROUNDS


def test_the_same_member_in_two_tabs_saving_at_once(as_user, iv, session):
    """Both tabs opened at version 0 and save the first answer at the same moment: neither
    gets an error, the row holds one of the two answers, and the tab that saved second is told."""
    tabs = [as_user(iv["p1"]), as_user(iv["p1"])]
    tokens = [t.csrf_token() for t in tabs]
    cand, q = iv["candidates"][0], iv["questions"][1]
    responses = together(2, lambda i: _save(tabs[i], tokens[i], iv, cand, q, i + 2, f"tab {i}", 0))
    assert [r.status_code for r in responses] == [200, 200], [r.get_data(as_text=True)[:300] for r in responses]
    session.expire_all()
    row = session.scalar(select(InterviewScore).where(InterviewScore.user_id == iv["p1"].id,
                                                      InterviewScore.plan_question_id == q.id))
    assert row.version == 2
    newest = max(responses, key=lambda r: r.json["version"])
    older = min(responses, key=lambda r: r.json["version"])
    assert newest.json["version"] == 2 and newest.json["was_behind"] is True
    assert older.json["version"] == 1 and older.json["was_behind"] is False
    assert (row.score, row.notes) == ((2, "tab 0") if newest is responses[0] else (3, "tab 1"))


def _all_submitted(session, iv):
    for m in (iv["chair"], iv["p1"], iv["p2"], iv["staff"]):
        for cand in iv["candidates"]:
            score_and_submit(session, cand, m, iv["questions"], [3] * len(iv["questions"]))


def _second_chair(session, iv):
    member = session.scalar(select(PanelMember).where(PanelMember.user_id == iv["staff"].id))
    member.panel_role = PanelRole.CHAIR
    session.commit()


def test_two_chairs_recording_an_outcome_at_the_same_moment(as_user, iv, session):
    _all_submitted(session, iv)
    _second_chair(session, iv)
    cand = iv["candidates"][0]
    path = f"/vacancies/{iv['vacancy'].id}/results/{cand.id}/outcome"
    chairs = [as_user(iv["chair"]), as_user(iv["staff"])]
    tokens = [c.csrf_token() for c in chairs]
    choices = [("preferred", "Best answers"), ("not_appointable", "Weak on risk")]
    responses = together(2, lambda i: chairs[i].post(path, data={
        "csrf_token": tokens[i], "outcome": choices[i][0], "rationale": choices[i][1], "version": "0"}))
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], [r.get_data(as_text=True)[:300] for r in responses]
    winner = next(i for i, r in enumerate(responses) if r.status_code == 302)
    loser = responses[1 - winner]
    assert "Nothing you entered has been saved" in loser.get_data(as_text=True)
    session.expire_all()
    rows = session.scalars(select(InterviewOutcome).where(InterviewOutcome.candidate_id == cand.id)).all()
    assert len(rows) == 1 and (rows[0].outcome.value, rows[0].rationale, rows[0].version) == (*choices[winner], 1)


def test_two_chairs_writing_feedback_at_the_same_moment(as_user, iv, session):
    _all_submitted(session, iv)
    _second_chair(session, iv)
    cand = iv["candidates"][0]
    chairs = [as_user(iv["chair"]), as_user(iv["staff"])]
    for c, o in ((chairs[0], "preferred"),):
        assert c.post_form(f"/vacancies/{iv['vacancy'].id}/results/{cand.id}/outcome",
                           {"outcome": o, "rationale": "Best", "version": "0"}).status_code == 302
    path = f"/vacancies/{iv['vacancy'].id}/feedback/{cand.id}"
    page = chairs[0].get(path).get_data(as_text=True)
    import re

    version = re.search(r'name="version" (?:type="hidden" )?value="(\d+)"', page)
    version = version.group(1) if version else "0"
    tokens = [c.csrf_token() for c in chairs]
    responses = together(2, lambda i: chairs[i].post(path, data={
        "csrf_token": tokens[i], "text": f"Feedback from chair {i}", "version": version, "action": "save"}))
    codes = sorted(r.status_code for r in responses)
    assert codes[0] in (302, 200) and codes[1] == 409 or codes == [302, 409], \
        [(r.status_code, r.get_data(as_text=True)[:200]) for r in responses]
    session.expire_all()
    rows = session.scalars(select(CandidateFeedback).where(CandidateFeedback.candidate_id == cand.id)).all()
    assert len(rows) == 1 and rows[0].text in ("Feedback from chair 0", "Feedback from chair 1")


def test_two_chairs_deciding_a_shortlist_at_the_same_moment(as_user, app, session):
    from tests.builders_plugin import make_shortlisting_vacancy, add_candidate, put_scores, scored
    from tests.conftest import make_user

    chair = make_user(session, "chair", "Chris Morgan", "c1@example.org")
    chair2 = make_user(session, "chair", "Dr Amara Okafor", "c2@example.org")
    p = make_user(session, "panelist", "John O'Neill", "p@example.org")
    v = make_shortlisting_vacancy(session, "SL-C", [(chair, "chair"), (chair2, "chair"), (p, "patient")])
    c = add_candidate(session, v, 1, "Aoife", "O'Connor", "a@example.net")
    for u in (chair, chair2, p):
        put_scores(session, c, u, [2] * len(scored(v)))
    path = f"/vacancies/{v.id}/shortlisting/moderation/{c.id}"
    clients = [as_user(chair), as_user(chair2)]
    tokens = [cl.csrf_token() for cl in clients]
    choices = [("shortlist", "Meets every essential criterion"), ("reject", "Not enough evidence")]
    responses = together(2, lambda i: clients[i].post(path, data={
        "csrf_token": tokens[i], "outcome": choices[i][0], "reason": choices[i][1], "version": ""}))
    codes = sorted(r.status_code for r in responses)
    assert codes == [302, 409], [(r.status_code, r.get_data(as_text=True)[:300]) for r in responses]
    loser = next(r for r in responses if r.status_code != 302)
    assert "Someone else recorded a decision" in loser.get_data(as_text=True)
    session.expire_all()
    rows = session.scalars(select(ShortlistDecision).where(ShortlistDecision.candidate_id == c.id)).all()
    assert len(rows) == 1 and rows[0].version == 1
