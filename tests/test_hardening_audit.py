"""Issue 12: score secrecy in every view of the audit log and every export, and candidates'
contact details kept to HR.

The rule lives in one predicate (permissions.score_values_hidden_because); these tests build
real audit entries through the services (shortlisting scores, submits, step-aside, interview
autosave and paper sheets, agreed scores, outcomes, sign-off, feedback) and read them back as
HR off the panel, HR on the panel and through every export."""
from __future__ import annotations

import ast
import csv
import io
import json
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from panel import permissions as p
from panel.db import db
from panel.models import AuditEvent, Outcome, PanelMember, PanelRole, ShortlistOutcome, VacancyStatus
from panel.records import secrecy
from tests.conftest import count_queries, make_user
from tests.builders_plugin import interview_world
from tests.builders_plugin import add_candidate, make_shortlisting_vacancy, scored

ROOT = Path(__file__).resolve().parent.parent
SCORE_WORDS = re.compile(r"score|comment|note|rationale|reason|feedback", re.I)
SECRET_KEYS = re.compile(r"score|comment|note|rationale|reason|^text$|^outcome$")


# --- the data: real audit entries written by the services ------------------------------

def _shortlisting(app, session):
    """Shortlisting open. John submitted for candidate 1 (comment sl-john-secret); the chair
    saved a draft (sl-chair-draft); Hana (HR, sitting on the panel) has not scored yet; Zoë
    stepped aside. Priya is HR and not on the panel."""
    from panel.shortlisting import services as sl

    hr = make_user(session, "hr", "Priya Shah", "priya@example.org")
    hrp = make_user(session, "hr", "Hana Panel", "hana@example.org")
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    john = make_user(session, "panelist", "John O'Neill", "john@example.org")
    zoe = make_user(session, "panelist", "Zoë Ashworth", "zoe@example.org")
    v = make_shortlisting_vacancy(session, "SL-1", [(chair, "chair"), (john, "patient"), (hrp, "staff"),
                                                    (zoe, "patient")])
    c1 = add_candidate(session, v, 1, "Aoife", "Byrne", "aoife@candidates.example", "07700 900101")
    c2 = add_candidate(session, v, 2, "Bartek", "Nowak", "bartek@candidates.example", "07700 900102")
    with app.app_context():
        s = db()
        vacancy = s.get(type(v), v.id)
        one = s.get(type(c1), c1.id)
        crit = scored(vacancy)

        def score(user, candidate, comment, submit):
            u = s.get(type(user), user.id)
            decl = sl.declare_conflict(s, u, vacancy, candidate, False, None, False)
            existing = {}
            sl.save_scores(s, u, vacancy, candidate, crit,
                           {c.id: {"score": 2, "comment": f"{comment} {c.position}"} for c in crit}, existing)
            if submit:
                sl.submit_scores(s, u, vacancy, candidate, crit, existing)
            return decl

        score(john, one, "sl-john-secret", True)
        score(chair, one, "sl-chair-draft", False)
        u = s.get(type(zoe), zoe.id)
        existing = {}
        sl.declare_conflict(s, u, vacancy, one, False, None, False)
        sl.save_scores(s, u, vacancy, one, crit, {crit[0].id: {"score": 1, "comment": "sl-zoe-removed"}}, existing)
        decl = s.scalar(select(sl.ConflictDeclaration).where(sl.ConflictDeclaration.candidate_id == one.id,
                                                              sl.ConflictDeclaration.user_id == zoe.id))
        sl.declare_conflict(s, u, vacancy, one, True, decl, False, my_scores=existing)
        s.commit()
    return {"hr": hr, "hrp": hrp, "chair": chair, "john": john, "zoe": zoe, "v": v, "c1": c1, "c2": c2,
            "crit": scored(v)}


def _hana_submits(app, w):
    from panel.shortlisting import services as sl

    with app.app_context():
        s = db()
        vacancy = s.get(type(w["v"]), w["v"].id)
        one = s.get(type(w["c1"]), w["c1"].id)
        hana = s.get(type(w["hrp"]), w["hrp"].id)
        crit = scored(vacancy)
        sl.declare_conflict(s, hana, vacancy, one, False, None, False)
        existing = {}
        sl.save_scores(s, hana, vacancy, one, crit, {c.id: {"score": 1, "comment": "sl-hana-own"} for c in crit},
                       existing)
        sl.submit_scores(s, hana, vacancy, one, crit, existing)
        s.commit()


def _interviews(app, session):
    """Interviewing, one candidate. p2 submitted (notes iv-p2-secret); p1 has an unsubmitted
    draft (iv-p1-draft); the chair typed in staff's paper sheet (iv-paper-secret) and submitted
    it; Hana (HR) sits on the panel and has not submitted. Then the chair's agreed score,
    outcome, sign-off and feedback are added by ``_decide``."""
    from panel.scoring import services as sc

    w = interview_world(session, candidates=1, questions=2)
    hrp = make_user(session, "hr", "Hana Panel", "hana-iv@example.org")
    w["vacancy"].panel_members.append(PanelMember(user=hrp, panel_role=PanelRole.STAFF))
    session.commit()
    w["hrp"] = hrp
    with app.app_context():
        s = db()
        vacancy = s.get(type(w["vacancy"]), w["vacancy"].id)
        cand = s.get(type(w["candidates"][0]), w["candidates"][0].id)
        qs = [s.get(type(q), q.id) for q in w["questions"]]
        user = {k: s.get(type(w[k]), w[k].id) for k in ("chair", "p1", "p2", "staff")}
        for q in qs:
            sc.save_score(s, user["p2"], vacancy, cand, q, user["p2"], 3, f"iv-p2-secret {q.position}", None)
            sc.save_score(s, user["p1"], vacancy, cand, q, user["p1"], 1, f"iv-p1-draft {q.position}", None)
            sc.save_score(s, user["chair"], vacancy, cand, q, user["staff"], 2, f"iv-paper-secret {q.position}",
                          None, paper=True)
        sc.save_score(s, user["p2"], vacancy, cand, qs[0], user["p2"], 4, "iv-p2-secret changed", None)
        sc.submit_scores(s, user["p2"], vacancy, cand, user["p2"])
        sc.submit_scores(s, user["chair"], vacancy, cand, user["staff"], paper=True)
        s.commit()
    return w


def _decide(app, w):
    from panel.scoring import queries as sq
    from panel.scoring import services as sc

    with app.app_context():
        s = db()
        vacancy = s.get(type(w["vacancy"]), w["vacancy"].id)
        cand = s.get(type(w["candidates"][0]), w["candidates"][0].id)
        chair = s.get(type(w["chair"]), w["chair"].id)
        q1, q2 = (s.get(type(q), q.id) for q in w["questions"])
        for q in (q1, q2):
            sc.save_score(s, chair, vacancy, cand, q, chair, 3, f"iv-chair-own {q.position}", None)
        sc.submit_scores(s, chair, vacancy, cand, chair)
        sc.moderate(s, chair, vacancy, cand, q1, 3, "iv-agreed-secret")
        sc.moderate(s, chair, vacancy, cand, q2, 2, "iv-agreed-removed")
        sc.moderate(s, chair, vacancy, cand, q2, None, "")
        sc.record_outcome(s, chair, vacancy, cand, Outcome.PREFERRED, "iv-rationale-secret", 0)
        sc.save_feedback(s, chair, cand, "iv-feedback-secret", True, 0)
        page = sc.build_results(vacancy, sq.everything(vacancy), {cand.id})
        sc.sign_off(s, chair, vacancy, page, "iv-signoff-note-secret")
        s.commit()


def _audit(client, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/audit?{query}").get_data(as_text=True)


def _csv(client, **args):
    query = "&".join(f"{k}={v}" for k, v in args.items())
    return client.get(f"/audit/export.csv?{query}").get_data(as_text=True)


# --- shortlisting --------------------------------------------------------------------

def test_hr_off_the_panel_reads_no_shortlisting_value_while_shortlisting_is_open(app, session, as_user):
    """Before the fix the submit entries showed every criterion score, and the CSV too."""
    w = _shortlisting(app, session)
    hr = as_user(w["hr"])
    for body in (_audit(hr), _csv(hr), _audit(hr, vacancy=w["v"].id, candidate=w["c1"].id),
                 _csv(hr, vacancy=w["v"].id, candidate=w["c1"].id)):
        assert "sl-john-secret" not in body and "sl-chair-draft" not in body and "sl-zoe-removed" not in body
        assert '"after": 2' not in body and "criterion 1 score" not in body
        assert "Scores are hidden until shortlisting ends" in body
        # the entries themselves stay: who, what kind
        assert "John O&#39;Neill submitted shortlisting scores for Candidate 01" in body \
            or "John O'Neill submitted shortlisting scores for Candidate 01" in body
    rows = list(csv.DictReader(io.StringIO(_csv(hr).lstrip("\ufeff"))))
    submit = next(r for r in rows if r["Action"] == "submit")
    assert submit["Changes"] == "(Scores are hidden until shortlisting ends.)"
    assert submit["Who"] == "John O'Neill" and submit["Candidate record number"] == str(w["c1"].id)


def test_hr_on_the_panel_sees_others_scores_only_after_submitting_their_own(app, session, as_user):
    w = _shortlisting(app, session)
    hana = as_user(w["hrp"])
    page = _audit(hana)
    assert "sl-john-secret" not in page and "sl-chair-draft" not in page
    assert "hidden until you have submitted your own scores for this candidate" in page
    assert "hidden until this panel member submits their scores for this candidate" in page
    _hana_submits(app, w)
    page, sheet = _audit(hana), _csv(hana)
    for body in (page, sheet):
        assert "sl-john-secret 1" in body and "sl-hana-own" in body
        # the chair's draft stays theirs until they submit; Zoë's removed draft was never submitted
        assert "sl-chair-draft" not in body and "sl-zoe-removed" not in body
    # HR off the panel: still nothing
    assert "sl-john-secret" not in _audit(as_user(w["hr"]))


def test_shortlisting_values_show_to_hr_once_shortlisting_ends(app, session, as_user):
    w = _shortlisting(app, session)
    w["v"].status = VacancyStatus.INTERVIEWING
    session.commit()
    page = _audit(as_user(w["hr"]))
    assert "sl-john-secret 1" in page and "sl-chair-draft" in page
    assert not [text for text in secrecy.PLACEHOLDERS.values() if text in page]


def test_subject_access_export_withholds_scores_hr_may_not_read_yet(app, session, as_user):
    """Before the fix HR read every shortlisting score and comment (drafts included) in the
    subject access export while shortlisting was open."""
    w = _shortlisting(app, session)
    hr = as_user(w["hr"])
    url = f"/vacancies/{w['v'].id}/candidates/{w['c1'].id}/subject-access"
    body = hr.get(url + ".json").get_data(as_text=True)
    assert "sl-john-secret" not in body and "sl-chair-draft" not in body
    data = json.loads(body)
    scores = data["shortlisting"]["scores"]
    assert scores and all(s["score"] is None and s["comment"] is None for s in scores)
    assert all(s["withheld"] == "Scores are hidden until shortlisting ends." for s in scores)
    assert {s["written_by"] for s in scores} == {"Patient panel member 1", "Chris Morgan"}
    assert data["withheld"][-1] == "Make this export again once scoring has ended to include them."
    w["v"].status = VacancyStatus.INTERVIEWING
    session.commit()
    data = json.loads(hr.get(url + ".json").get_data(as_text=True))
    assert data["withheld"] == [] and any("sl-john-secret" in (s["comment"] or "")
                                          for s in data["shortlisting"]["scores"])


def test_subject_access_pdf_says_what_is_withheld(app, session, as_user):
    from pypdf import PdfReader

    w = _shortlisting(app, session)
    response = as_user(w["hr"]).get(f"/vacancies/{w['v'].id}/candidates/{w['c1'].id}/subject-access.pdf")
    assert response.status_code == 200
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages)
    text = " ".join(text.split())
    assert "sl-john-secret" not in text and "Not complete yet" in text
    assert "Scores are hidden until shortlisting ends." in text


# --- interviews ------------------------------------------------------------------------

def test_interview_drafts_stay_with_their_author_and_submitted_scores_follow_the_results_rule(app, session, as_user):
    """Before the fix interview score and note entries, unsubmitted drafts included, were not
    hidden at all."""
    w = _interviews(app, session)
    hr = as_user(w["hr"])
    for body in (_audit(hr), _csv(hr), _audit(hr, vacancy=w["vacancy"].id, candidate=w["candidates"][0].id)):
        assert "iv-p1-draft" not in body
        assert "iv-p2-secret changed" in body and "iv-paper-secret 1" in body
        assert "hidden until this panel member submits their scores for this candidate" in body
    hana = as_user(w["hrp"])
    for body in (_audit(hana), _csv(hana)):
        assert "iv-p1-draft" not in body and "iv-p2-secret" not in body and "iv-paper-secret" not in body
        assert "hidden until you have submitted your own scores for this candidate" in body


def test_agreed_scores_outcome_sign_off_and_feedback(app, session, as_user):
    w = _interviews(app, session)
    _decide(app, w)
    secrets = ("iv-agreed-secret", "iv-agreed-removed", "iv-rationale-secret", "iv-signoff-note-secret",
               "iv-chair-own")
    hana = as_user(w["hrp"])
    page = _audit(hana)
    assert not [s for s in secrets if s in page]
    hr_page = _audit(as_user(w["hr"]))
    assert all(s in hr_page for s in secrets)
    assert "iv-feedback-secret" in hr_page and "iv-feedback-secret" in page  # HR reads feedback on its page


def test_interview_drafts_show_to_hr_once_the_vacancy_closes(app, session, as_user):
    w = _interviews(app, session)
    w["vacancy"].status = VacancyStatus.CLOSED
    session.commit()
    assert "iv-p1-draft" in _audit(as_user(w["hr"]))
    assert "iv-p1-draft" not in _audit(as_user(w["hrp"]))  # on the panel, never submitted their own


def test_the_candidate_filter_finds_interview_entries(app, session, as_user):
    w = _interviews(app, session)
    page = _audit(as_user(w["hr"]), vacancy=w["vacancy"].id, candidate=w["candidates"][0].id)
    assert "Interview score for Candidate 01, question 1" in page


# --- every action that carries a score or a note -----------------------------------------

# Every function in panel/ that writes an audit entry and mentions scores or notes, with
# the (action, entity type) pairs it writes. A new one fails test_every_audit_call_* until
# it is listed here and in secrecy.SCORE_ACTIONS or secrecy.NO_SCORES.
CALL_SITES = {
    "panel/shortlisting/services.py:_apply_scores": {("score", "candidate")},  # save_scores writes through it
    "panel/shortlisting/services.py:save_answer": {("score", "candidate")},
    "panel/shortlisting/services.py:submit_scores": {("submit", "candidate")},
    "panel/shortlisting/services.py:declare_conflict": {("conflict", "conflictdeclaration")},
    "panel/shortlisting/services.py:record_decision": {("decision", "shortlistdecision")},
    "panel/builders.py:decided": {("decision", "shortlistdecision")},
    "panel/scoring/services.py:save_score": {("create", "interviewscore"), ("update", "interviewscore")},
    "panel/scoring/services.py:submit_scores": {("submit", "interviewsubmission")},
    "panel/scoring/services.py:moderate": {("moderate", "moderatedscore"), ("delete", "moderatedscore")},
    "panel/scoring/services.py:record_outcome": {("outcome", "interviewoutcome")},
    "panel/scoring/services.py:sign_off": {("sign-off", "interviewsignoff")},
    "panel/scoring/services.py:reopen": {("reopen", "interviewsignoff")},
    "panel/scoring/services.py:save_feedback": {("create", "candidatefeedback"), ("update", "candidatefeedback")},
    "panel/scoring/services.py:send_feedback": {("send", "candidatefeedback")},
    "panel/scoring/views/feedback.py:feedback_download": {("download", "feedback")},
    "panel/scoring/views/results.py:export": {("download", "export")},
    "panel/records/retention.py:_purge_batch": {("purge", "vacancy")},
    "panel/candidates/views.py:show": {("view", "candidate")},
    "panel/plans/services.py:add_plan_question": {("create", "plan_question")},
    "panel/plans/services.py:update_plan_question": {("update", "plan_question")},
    "panel/plans/services.py:delete_plan_question": {("delete", "plan_question")},
    "panel/plans/services.py:update_scale": {("update", "scale")},
    "panel/questions/services.py:review_question": {("approve", "bankquestion"), ("reject", "bankquestion")},
    "panel/shortlisting/allocation.py:release_reader": {("reallocate", "vacancy")},
    "panel/involvement/services.py:answer_reveal": {("step_aside", "candidate"), ("declare", "vacancy")},
    "panel/involvement/services.py:set_asking_preference": {("update", "askingpreference")},
    "panel/payments/records.py:purge": {("payments.claim_purged", "claim")},
    "panel/payments/services.py:add_rules": {("payments.rules_added", "expenserules")},
    "panel/payments/services.py:answer": {("payments.claim_answered", "claim")},
    "panel/payments/services.py:decide": {("payments.claim_approved", "claim"), ("payments.claim_queried", "claim"),
                                          ("payments.claim_rejected", "claim")},
    "panel/profiles/composition.py:override": {("override", "panelruleoverride")},
    "panel/shortlisting/services.py:set_review_mode": {("update", "panelmember")},
    "panel/vacancies/services.py:advance_status": {("status", "vacancy")},
}


def _audit_call_sites():
    """{"path:function": source of the function} for every function that calls audit.record."""
    found = {}
    for path in sorted((ROOT / "panel").rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for fn in ast.walk(ast.parse(source)):
            if isinstance(fn, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                    isinstance(n, ast.Call) and ast.unparse(n.func) == "audit.record" for n in ast.walk(fn)):
                found[f"{path.relative_to(ROOT).as_posix()}:{fn.name}"] = ast.get_source_segment(source, fn)
    return found


def test_every_audit_call_that_may_carry_scores_or_notes_is_decided():
    sites = {name: src for name, src in _audit_call_sites().items() if SCORE_WORDS.search(src)}
    new = sorted(set(sites) - set(CALL_SITES))
    assert not new, (f"{new} write audit entries and mention scores or notes: list what they write in "
                     "CALL_SITES and decide it in panel/records/secrecy.py (SCORE_ACTIONS or NO_SCORES)")
    assert not sorted(set(CALL_SITES) - set(sites)), "CALL_SITES names a function that no longer exists"
    decided = set(secrecy.SCORE_ACTIONS) | set(secrecy.NO_SCORES)
    undecided = {name: pairs - decided for name, pairs in CALL_SITES.items() if pairs - decided}
    assert not undecided, undecided
    assert not set(secrecy.SCORE_ACTIONS) & set(secrecy.NO_SCORES)
    assert set(secrecy.SCORE_ACTIONS.values()) == set(p.SCORE_KINDS)


def test_every_entry_the_services_write_with_score_or_note_values_is_covered_by_the_rule(app, session, as_user):
    """Run every score-writing service for real and check what it wrote: each entry whose
    changes hold score- or note-like keys is one the rule judges (or is decided harmless),
    and HR off the panel reads none of them while scoring is open (bar the decided ones)."""
    _shortlisting(app, session)
    w = _interviews(app, session)
    _decide(app, w)
    session.expire_all()
    entries = list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))
    carrying = {(e.action, e.entity_type) for e in entries
                if e.changes and any(SECRET_KEYS.search(k) for k in e.changes)}
    assert carrying <= set(secrecy.SCORE_ACTIONS) | set(secrecy.NO_SCORES), \
        carrying - set(secrecy.SCORE_ACTIONS) - set(secrecy.NO_SCORES)
    # every kind of score entry was written, so the tests above exercised the rule on each
    written = {(e.action, e.entity_type) for e in entries}
    assert set(secrecy.SCORE_ACTIONS) - {("update", "candidatefeedback"), ("decision", "shortlistdecision")} <= written
    # an unknown kind is refused rather than shown
    with pytest.raises(ValueError):
        p.score_values_hidden_because(w["hr"], p.ScoreRecord("scores of some new kind", w["vacancy"], 1),
                                      p.SubmissionFacts())


@pytest.mark.parametrize("kind", p.SCORE_KINDS)
def test_the_rule_for_each_kind_while_scoring_is_open(app, session, kind):
    """A matrix over every kind: HR off the panel, a panel member who has not submitted, one
    who has, and the author, for a record of another member who has submitted."""
    hr = make_user(session, "hr", "Priya Shah", "priya@example.org")
    author = make_user(session, "panelist", "John O'Neill", "john@example.org")
    member = make_user(session, "hr", "Hana Panel", "hana@example.org")
    chair = make_user(session, "chair", "Chris Morgan", "chair@example.org")
    interview = kind in (p.INTERVIEW_SCORES, p.INTERVIEW_PANEL, p.FEEDBACK)
    v = make_shortlisting_vacancy(session, "K-1", [(chair, "chair"), (author, "patient"), (member, "staff")],
                                  status=VacancyStatus.INTERVIEWING if interview else VacancyStatus.SHORTLISTING)
    record = p.ScoreRecord(kind, v, 7, author.id)
    done = {(7, author.id)}
    before = p.SubmissionFacts(shortlisting=set(done), interview=set(done))
    after = p.SubmissionFacts(shortlisting=done | {(7, member.id)}, interview=done | {(7, member.id)})
    hidden = p.score_values_hidden_because
    assert hidden(author, record, before) is None
    expected_hr = {p.SHORTLISTING_SCORES: p.UNTIL_SHORTLISTING_ENDS, p.SHORTLISTING_DECISION: None,
                   p.INTERVIEW_SCORES: None, p.INTERVIEW_PANEL: None, p.FEEDBACK: None}[kind]
    assert hidden(hr, record, before) == expected_hr
    if kind == p.SHORTLISTING_DECISION:  # HR sees decisions on the candidate pages
        assert hidden(member, record, before) is None
    elif kind == p.FEEDBACK:
        assert hidden(member, record, before) is None  # HR reads feedback on its page
    else:
        assert hidden(member, record, before) == p.UNTIL_YOU_SUBMIT
        assert hidden(member, record, after) is None
    if kind in (p.SHORTLISTING_SCORES, p.INTERVIEW_SCORES):  # a draft: only its author
        draft = p.ScoreRecord(kind, v, 7, chair.id)
        assert hidden(member, draft, after) == p.UNTIL_THEY_SUBMIT
        assert hidden(hr, draft, after) in (p.UNTIL_THEY_SUBMIT, p.UNTIL_SHORTLISTING_ENDS)
        assert hidden(chair, draft, after) is None


def test_audit_page_reads_score_facts_in_a_fixed_number_of_queries(app, session, as_user):
    w = _shortlisting(app, session)
    hana = as_user(w["hrp"])
    _audit(hana)
    with count_queries(app) as small:
        _audit(hana)
    from panel.shortlisting import services as sl

    extra = [add_candidate(session, w["v"], n, f"Extra{n}", "Person", f"extra{n}@candidates.example").id
             for n in range(3, 15)]
    session.close()
    with app.app_context():
        s = db()
        vacancy = s.get(type(w["v"]), w["v"].id)
        crit = scored(vacancy)
        for cid in extra:
            c = s.get(type(w["c1"]), cid)
            john = s.get(type(w["john"]), w["john"].id)
            sl.declare_conflict(s, john, vacancy, c, False, None, False)
            existing = {}
            sl.save_scores(s, john, vacancy, c, crit, {cr.id: {"score": 1, "comment": "x"} for cr in crit}, existing)
            sl.submit_scores(s, john, vacancy, c, crit, existing)
        s.commit()
    with count_queries(app) as large:
        _audit(hana)
    assert len(large) == len(small), (len(small), len(large))


# --- contact details stay with HR -------------------------------------------------------

def _after_shortlisting(app, session):
    w = _shortlisting(app, session)
    from panel.models import Candidate, ShortlistDecision

    for c, outcome in ((w["c1"], ShortlistOutcome.SHORTLIST), (w["c2"], ShortlistOutcome.REJECT)):
        session.add(ShortlistDecision(candidate_id=c.id, outcome=outcome, reason="decided", decided_by_id=w["chair"].id))
    w["v"].status = VacancyStatus.INTERVIEWING
    session.commit()
    w["contacts"] = [x for c in session.scalars(select(Candidate).where(Candidate.vacancy_id == w["v"].id))
                     for x in (c.email, c.phone)]
    return w


def test_chairs_shortlisting_csv_names_candidates_without_contact_details(app, session, as_user):
    """Before the fix the chair's CSV held every candidate's email and phone once interviewing started."""
    w = _after_shortlisting(app, session)
    url = f"/vacancies/{w['v'].id}/shortlisting/export.csv"
    chair_csv = as_user(w["chair"]).get(url).get_data(as_text=True)
    assert "Aoife" in chair_csv and "Byrne" in chair_csv  # names, to recognise a conflict
    assert not [x for x in w["contacts"] if x in chair_csv]
    header = next(csv.reader(io.StringIO(chair_csv.lstrip("\ufeff"))))
    assert "Email" not in header and "Phone" not in header and "First name" in header
    hr_csv = as_user(w["hr"]).get(url).get_data(as_text=True)
    assert "aoife@candidates.example" in hr_csv and "07700 900101" in hr_csv


def test_no_page_or_csv_the_panel_can_reach_shows_contact_details(app, session, as_user):
    """The chair and a panel member walk every page of the vacancy they can open; HR still sees them."""
    w = _after_shortlisting(app, session)
    base = f"/vacancies/{w['v'].id}"
    urls = [base, f"{base}/candidates", f"{base}/candidates/{w['c1'].id}", f"{base}/candidates/{w['c2'].id}",
            f"{base}/shortlisting", f"{base}/shortlisting/moderation", f"{base}/shortlisting/export.csv",
            f"{base}/interviews", f"{base}/interviews/results", f"{base}/interviews/export.csv", f"{base}/plan",
            f"{base}/plan/timetable", f"{base}/packs", f"{base}/feedback", f"{base}/feedback/{w['c1'].id}"]
    for who in ("chair", "john"):
        client = as_user(w[who])
        opened = 0
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            opened += 1
            body = response.get_data(as_text=True)
            assert not [x for x in w["contacts"] if x in body], (who, url)
        assert opened >= 5, who
    page = as_user(w["hr"]).get(f"{base}/candidates/{w['c1'].id}").get_data(as_text=True)
    assert "aoife@candidates.example" in page and "07700 900101" in page


def test_packs_hold_no_contact_details(app, session):
    from panel.models import PlanQuestion
    from panel.packs import context

    w = _after_shortlisting(app, session)
    session.add(PlanQuestion(vacancy_id=w["v"].id, position=1, text="Why this job?"))
    session.commit()
    with app.app_context():
        vacancy = context.load_vacancy(w["v"].id)
        datas = [context.build(kind, vacancy) for kind in ("panel",)]
        datas.append(context.build("panelist", vacancy, panelist_user_id=w["john"].id))
    text = repr(datas)
    assert not [x for x in w["contacts"] if x in text]
