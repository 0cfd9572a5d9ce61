"""Issue 13 item 2: one autosave protocol. Shortlisting saves one answer (a criterion's score
and comment) at a time as JSON with a version, like interview scoring: 400 with the message
for a bad value, 409 with the answer as it now stands for a stale version, 409 when this
person may no longer score the candidate, 404 for what is not theirs; never a name."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, update

from panel.db import db
from panel.errors import StaleEdit
from panel.models import AuditEvent, ShortlistDecision, ShortlistOutcome, ShortlistScore, VacancyStatus
from panel.shortlisting import queries, services
from tests.builders_plugin import (  # noqa: F401  (sl is a fixture)
    builder,
    declare,
    identity_strings,
    put_scores,
    save,
    sl,
    step_aside,
    submit,
    url,
)


def answer(client, v, c, criterion_id, score="", notes="", version=0, token=None):
    body = {"score": score, "notes": notes}
    if version is not None:
        body["version"] = version
    return client.post(url(v, "shortlisting/candidates", c.id, "scores", criterion_id), json=body,
                       headers={"X-CSRFToken": token or client.csrf_token(), "Accept": "application/json"})


def row(session, c, criterion, user):
    session.expire_all()
    return session.scalar(select(ShortlistScore).where(ShortlistScore.candidate_id == c.id,
                                                       ShortlistScore.criterion_id == criterion.id,
                                                       ShortlistScore.user_id == user.id))


def no_names(sl, response):
    text = response.get_data(as_text=True)
    for s in identity_strings(sl.candidates + [sl.stranger]):
        assert s not in text, s


@pytest.fixture()
def mine(as_user, sl):
    """The panelist's client, having said they do not know the first candidate, and that candidate."""
    client = as_user(sl.panelist)
    declare(client, sl.v, sl.candidates[0])
    return client, sl.candidates[0]


def score_events(session) -> int:
    return session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "score"))


def test_the_page_is_driven_by_the_one_protocol(as_user, sl):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert "js/scoring.js" in page and "autosave.js" not in page
    assert "data-answers" in page and 'data-device-url="/vacancies/interviews-offline-key"' in page
    for cr in sl.criteria:
        assert (f'data-answer="{cr.id}" data-save-url="/vacancies/{sl.v.id}/shortlisting/candidates/{c.id}'
                f'/scores/{cr.id}" data-version="0"') in page
    # the form still posts as a whole without JavaScript
    assert f'action="/vacancies/{sl.v.id}/shortlisting/candidates/{c.id}/scores"' in page


def test_each_answer_saves_with_a_version_and_an_audit_entry(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    c1, c2, _c4 = sl.criteria
    declare(client, sl.v, c)
    token = client.csrf_token()
    r = answer(client, sl.v, c, c1.id, "2", version=0, token=token)
    assert r.status_code == 200, r.get_data(as_text=True)
    assert r.json["version"] == 1 and r.json["scored"] == 1 and r.json["of"] == 3 and r.json["saved_at"]
    no_names(sl, r)
    r = answer(client, sl.v, c, c1.id, "2", "Runs a group: clear evidence", version=1, token=token)
    assert r.json["version"] == 2
    r = answer(client, sl.v, c, c2.id, "", "Not sure yet", version=0, token=token)
    assert r.json["version"] == 1 and r.json["scored"] == 1
    saved = row(session, c, c1, sl.panelist)
    assert (saved.score, saved.comment, saved.version) == (2, "Runs a group: clear evidence", 2)
    events = list(session.scalars(select(AuditEvent).where(AuditEvent.action == "score").order_by(AuditEvent.id)))
    assert [e.changes for e in events[:2]] == [
        {"criterion 1 score": {"before": None, "after": 2}},
        {"criterion 1 comment": {"before": "", "after": "Runs a group: clear evidence"}}]
    # the page now carries the versions
    page = client.get(url(sl.v, "shortlisting/candidates", c.id)).get_data(as_text=True)
    assert f'data-answer="{c1.id}" data-save-url' in page and 'data-version="2"' in page
    # saving the same again changes nothing and writes no audit entry
    before = score_events(session)
    assert answer(client, sl.v, c, c1.id, "2", "Runs a group: clear evidence", version=2, token=token).json["version"] == 2
    assert score_events(session) == before


def test_a_stale_version_is_409_with_the_answer_as_it_now_stands_and_nothing_changes(mine, sl, session):
    client, c = mine
    c1 = sl.criteria[0]
    token = client.csrf_token()
    assert answer(client, sl.v, c, c1.id, "2", "first", version=0, token=token).json["version"] == 1
    events = score_events(session)
    for stale in (0, 5):  # an older tab, a made-up version
        r = answer(client, sl.v, c, c1.id, "0", "from the other tab", version=stale, token=token)
        assert r.status_code == 409, (stale, r.get_data(as_text=True))
        assert "another tab or on another device" in r.json["error"]
        assert r.json["current"] == {"score": "2", "notes": "first", "version": 1}
        no_names(sl, r)
    for bad in (None, "1", True, 1.0):  # none at all, or not a whole number: a bad request
        r = answer(client, sl.v, c, c1.id, "0", "from the other tab", version=bad, token=token)
        assert r.status_code == 400 and r.json["field"] == "version"
    saved = row(session, c, c1, sl.panelist)
    assert (saved.score, saved.comment, saved.version) == (2, "first", 1)
    assert score_events(session) == events


def test_the_whole_form_and_single_answers_share_the_versions(mine, sl, session):
    client, c = mine
    c1 = sl.criteria[0]
    assert answer(client, sl.v, c, c1.id, "1", version=0).json["version"] == 1
    assert save(client, sl.v, c, {c1.id: "2"}).status_code == 302  # the no-JavaScript form, as today
    assert row(session, c, c1, sl.panelist).version == 2
    r = answer(client, sl.v, c, c1.id, "0", version=1)  # a tab that had not seen the form's save
    assert r.status_code == 409 and r.json["current"]["score"] == "2"


@pytest.mark.parametrize("value", ["3", "-1", "two", "1.5", 7, [1]])
def test_a_bad_score_is_400_with_the_message_and_nothing_saved(mine, sl, session, value):
    client, c = mine
    r = answer(client, sl.v, c, sl.criteria[0].id, value, "kept?", version=0)
    assert r.status_code == 400
    assert r.json == {"error": "Choose no evidence, some evidence or clear evidence", "field": "score"}
    assert row(session, c, sl.criteria[0], sl.panelist) is None


def test_a_too_long_comment_is_400(mine, sl, session):
    client, c = mine
    r = answer(client, sl.v, c, sl.criteria[0].id, "1", "x" * 2001, version=0)
    assert r.status_code == 400 and r.json["field"] == "comment" and "2000 characters" in r.json["error"]
    assert row(session, c, sl.criteria[0], sl.panelist) is None


def test_refused_when_this_person_may_not_score_the_candidate(as_user, sl, session):
    client = as_user(sl.panelist)
    c0, c1, c2 = sl.candidates
    cr = sl.criteria[0]
    # not yet answered "do you know this person?"
    r = answer(client, sl.v, c0, cr.id, "2")
    assert r.status_code == 409 and "before you score" in r.json["error"]
    no_names(sl, r)
    # stepped aside
    declare(client, sl.v, c1, "yes")
    r = answer(client, sl.v, c1, cr.id, "2")
    assert r.status_code == 409 and "stepped aside" in r.json["error"]
    no_names(sl, r)
    # submitted
    declare(client, sl.v, c2)
    save(client, sl.v, c2, {x.id: "1" for x in sl.criteria})
    assert submit(client, sl.v, c2).status_code == 302
    r = answer(client, sl.v, c2, cr.id, "2", version=1)
    assert r.status_code == 409 and "already submitted" in r.json["error"]
    no_names(sl, r)
    # shortlisting has closed
    declare(client, sl.v, c0)
    sl.v.status = VacancyStatus.INTERVIEWING
    session.commit()
    r = answer(client, sl.v, c0, cr.id, "2")
    assert r.status_code == 409 and "has closed" in r.json["error"]
    no_names(sl, r)
    session.expire_all()
    assert session.scalars(select(ShortlistScore).where(ShortlistScore.user_id == sl.panelist.id,
                                                        ShortlistScore.score == 2)).all() == []


def test_what_is_not_theirs_is_404(as_user, sl, session):
    client = as_user(sl.panelist)
    c = sl.candidates[0]
    declare(client, sl.v, c)
    interview_only = next(cr for cr in sl.v.criteria if not cr.at_application)
    assert answer(client, sl.v, c, interview_only.id, "2").status_code == 404
    assert answer(client, sl.v, c, sl.elsewhere.criteria[0].id, "2").status_code == 404
    assert answer(client, sl.v, sl.stranger, sl.criteria[0].id, "2").status_code == 404
    # not on this vacancy's panel, or HR (who does not score)
    for user in (sl.other, sl.hr):
        r = answer(as_user(user), sl.v, c, sl.criteria[0].id, "2")
        assert r.status_code == 404
    session.expire_all()
    assert session.scalar(select(func.count()).select_from(ShortlistScore)) == 0


# --- the StaleEdit rule: services raise before changing anything, or undo their savepoint ---

def _bump(session, model, **where):
    """Someone else saves in the same instant: the row's version moves on in the database
    while this session still holds the one it read."""
    session.execute(update(model).filter_by(**where).values(version=model.version + 1)
                    .execution_options(synchronize_session=False))


def test_a_save_racing_another_undoes_only_its_own_change(app, sl, session):
    c, cr = sl.candidates[0], sl.criteria[0]
    put_scores(session, c, sl.panelist, [1], submit=False)
    session.commit()
    with app.test_request_context():
        s = db()  # the request's session, as a view has it
        existing = queries.load(sl.v, user_id=sl.panelist.id, candidate_id=c.id).scores_of(c.id, sl.panelist.id)[cr.id]
        _bump(s, ShortlistScore, id=existing.id)
        s.add(AuditEvent(action="note", entity_type="test", summary="the caller's own work in this transaction"))
        s.flush()
        with pytest.raises(services.StaleScore) as caught:
            services.save_answer(s, sl.panelist, sl.v, c, cr, 2, "", existing.version, existing)
        assert isinstance(caught.value, StaleEdit) and caught.value.current.version == 2
        # the caller's transaction is still usable, with its own work in it
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "note")) == 1
        assert s.scalar(select(ShortlistScore.score).where(ShortlistScore.id == existing.id)) == 1


def test_a_decision_racing_another_undoes_only_its_own_change(app, sl, session):
    c = sl.candidates[0]
    for user in (sl.chair, sl.panelist, sl.panelist2):
        put_scores(session, c, user, [2, 2, 2])
    builder(session).decide(c, ShortlistOutcome.RESERVE, actor=sl.chair)
    session.commit()
    with app.test_request_context():
        s = db()  # the request's session, as a view has it
        data = queries.load(sl.v, candidate_id=c.id)
        candidate = data.candidate(c.id)
        result = services.moderate(data, candidate)
        seen = candidate.decision.version
        _bump(s, ShortlistDecision, candidate_id=c.id)
        s.add(AuditEvent(action="note", entity_type="test", summary="the caller's own work in this transaction"))
        s.flush()
        with pytest.raises(services.StaleDecisionError) as caught:
            services.record_decision(s, sl.chair, sl.v, candidate, result, ShortlistOutcome.SHORTLIST, "", seen)
        # the caller's transaction is still usable, with its own work in it
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "note")) == 1
        assert s.scalar(select(ShortlistDecision.outcome).where(ShortlistDecision.candidate_id == c.id)) \
            == ShortlistOutcome.RESERVE
        assert isinstance(caught.value, StaleEdit)


def test_the_whole_form_saves_over_an_answer_saved_in_the_same_instant(app, sl, session):
    """The form's button is pressed while the script is still saving a choice: the form, posted
    last, wins as it always has (no error), and the answer's version moves on."""
    c, cr = sl.candidates[0], sl.criteria[0]
    put_scores(session, c, sl.panelist, [1], submit=False)
    with app.test_request_context():
        s = db()
        data = queries.load(sl.v, user_id=sl.panelist.id, candidate_id=c.id)
        existing = data.scores_of(c.id, sl.panelist.id)
        _bump(s, ShortlistScore, id=existing[cr.id].id)  # the script's save, committed meanwhile
        services.save_scores(s, sl.panelist, sl.v, data.candidate(c.id), data.criteria,
                             {cr.id: {"score": 2, "comment": "from the form"}}, existing)
        s.flush()
        assert s.execute(select(ShortlistScore.score, ShortlistScore.comment, ShortlistScore.version)
                         .where(ShortlistScore.id == existing[cr.id].id)).one() == (2, "from the form", 3)


def test_the_whole_form_saves_over_a_first_answer_inserted_in_the_same_instant(app, sl, session):
    """The script's first save of an answer inserts its row after the form's post read that there
    was none: the form's insert would break the unique rule (a 500 before). Now the form's values
    are saved over the row the script made, and the caller's own work in the transaction stays."""
    c, cr = sl.candidates[0], sl.criteria[0]
    session.commit()
    with app.test_request_context():
        s = db()
        data = queries.load(sl.v, user_id=sl.panelist.id, candidate_id=c.id)
        existing = data.scores_of(c.id, sl.panelist.id)
        assert cr.id not in existing
        s.add(ShortlistScore(candidate_id=c.id, criterion_id=cr.id, user_id=sl.panelist.id, score=1,
                             comment="from the script", version=1))  # the script's save, meanwhile
        s.flush()
        s.expunge_all()  # the form's request did not see it
        s.add(AuditEvent(action="note", entity_type="test", summary="the caller's own work in this transaction"))
        s.flush()
        changed = services.save_scores(s, sl.panelist, sl.v, data.candidate(c.id), data.criteria,
                                       {cr.id: {"score": 2, "comment": "from the form"}}, existing)
        s.flush()
        assert changed == 1
        assert s.execute(select(ShortlistScore.score, ShortlistScore.comment, ShortlistScore.version)
                         .where(ShortlistScore.candidate_id == c.id, ShortlistScore.criterion_id == cr.id,
                                ShortlistScore.user_id == sl.panelist.id)).one() == (2, "from the form", 2)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "note")) == 1
