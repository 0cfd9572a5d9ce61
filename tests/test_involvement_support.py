"""Issue 17, items 5-7: conflicts asked again when names are revealed (flowing into scoring,
results, reminders, packs and the timetable), support contacts, asking preferences, private
check-ins and debriefs, concerns, My involvement with corrected hours, and the certificate and
reference letter read back from the pack pipeline."""
from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from panel.models import (
    AT_SHORTLISTING,
    AuditEvent,
    CheckIn,
    Concern,
    ConflictDeclaration,
    HoursCorrection,
    InterviewScore,
    Notification,
    SupportContact,
    VacancyStatus,
)
from tests.builders_plugin import (
    PASSWORD,
    add_pack_candidates,
    builder,
    interview_world,
    page_texts,
    pdf,
    ready_for_interviews,
    score_and_submit,
)
from tests.test_permissions import LOGIN, check, row
from tests.snapshots import snapshotted

NONE = dict(hr=404, chair=404, panelist=404, other=404)
SIGNED_IN = dict(hr=200, chair=200, panelist=200, other=200)
ME_ONLY = dict(hr=404, chair=404, panelist=200, other=404)
HR_ONLY = dict(hr=200, chair=404, panelist=404, other=404)

# Vacancy A is at interviewing with two shortlisted candidates; B is in draft ("other" is its
# patient panelist). The panelist has a check-in on A ({check_in}) and asked for their
# certificate ({job_id}).
ROUTES = [
    row("GET", "/vacancies/{a}/interviews/do-you-know", hr=404, chair=200, panelist=200, other=404),
    row("POST", "/vacancies/{a}/interviews/do-you-know", hr=404, chair=303, panelist=303, other=404),  # knows nobody
    row("GET", "/vacancies/{b}/interviews/do-you-know", **NONE),  # no names shown yet
    row("GET", "/vacancies/{a}/support", **HR_ONLY),
    row("POST", "/vacancies/{a}/support", hr=400, chair=404, panelist=404, other=404),  # no name: refused
    row("GET", "/vacancies/{b}/support", **HR_ONLY),
    row("GET", "/vacancies/{a}/asking-preference", **ME_ONLY),  # patient panelists only
    row("POST", "/vacancies/{a}/asking-preference", hr=404, chair=404, panelist=400, other=404),
    row("GET", "/vacancies/{b}/asking-preference", hr=404, chair=404, panelist=404, other=200),
    row("GET", "/vacancies/{a}/debriefs", hr=200, chair=200, panelist=404, other=404),
    row("POST", "/vacancies/{a}/debriefs", hr=400, chair=400, panelist=404, other=404),
    row("GET", "/vacancies/{b}/debriefs", **NONE),  # no interviews yet
    row("GET", "/me/check-ins/{check_in}", **ME_ONLY),  # never the chair, never HR (they read it on their page)
    row("POST", "/me/check-ins/{check_in}", hr=404, chair=404, panelist=400, other=404),
    row("GET", "/me/check-ins/999999", **NONE),
    row("GET", "/involvement/check-ins", **HR_ONLY),
    row("POST", "/involvement/check-ins/{check_in}/call", hr=303, chair=404, panelist=404, other=404),
    row("GET", "/concerns/new", **SIGNED_IN),
    row("POST", "/concerns/new", hr=400, chair=400, panelist=400, other=400),  # nothing written
    row("GET", "/involvement/concerns", **HR_ONLY),
    row("GET", "/me/involvement", **SIGNED_IN),
    row("GET", "/me/involvement/certificate.pdf", hr=303, chair=303, panelist=303, other=303),  # a job started
    row("GET", "/me/involvement/reference.pdf", hr=303, chair=303, panelist=303, other=303),
    row("GET", "/me/involvement/other.pdf", **NONE),
    row("GET", "/me/involvement/jobs/{job_id}", **ME_ONLY),
    row("GET", "/me/involvement/jobs/{job_id}/status", **ME_ONLY),
    row("GET", "/involvement/people/{panelist_id}/hours", **HR_ONLY),
    row("POST", "/involvement/people/{panelist_id}/hours", hr=400, chair=404, panelist=404, other=404),
    row("GET", "/involvement/people/999999", **NONE),
    row("GET", "/involvement/people/{panelist_id}/export.json", **HR_ONLY),
]


@pytest.fixture()
@snapshotted
def inv_world(app, world, session):
    a = world["a"]
    ready_for_interviews(session, a, questions=1, candidates=2)
    check_in = CheckIn(vacancy_id=a.id, user_id=world["panelist"].id)
    session.add(check_in)
    session.commit()
    with app.app_context():
        from panel.db import db
        from panel.involvement import documents
        from panel.models import User
        from panel.packs import jobs

        person = db().get(User, world["panelist"].id)
        job = jobs.start_or_join(db(), person, None, documents.build(db(), person, "certificate"))
        db().commit()
        job_id = job.id
    return {"check_in": check_in.id, "job_id": job_id}


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_involvement_permission_matrix(as_user, world, inv_world, method, url, expected):
    for key, value in inv_world.items():
        url = url.replace("{" + key + "}", str(value))
    check(as_user, world, method, url, expected)


def test_anonymous_is_sent_to_sign_in():
    assert all(expected["anon"] == LOGIN for _m, _u, expected in ROUTES)


# --- conflicts at reveal ------------------------------------------------------------------

@pytest.fixture()
@snapshotted
def iv(app, session):
    w = interview_world(session, candidates=2, questions=2)
    b = builder(session)
    for k, c in enumerate(w["candidates"]):
        b.slot(w["vacancy"], c, dt.date(2027, 1, 12), dt.time(9 + k, 30), 45)
    session.commit()
    return w


def _url(w, tail=""):
    return f"/vacancies/{w['vacancy'].id}{tail}"


def test_the_interview_pages_ask_first_once_names_are_revealed(as_user, world, session):
    a = world["a"]
    _qs, (c1, c2) = ready_for_interviews(session, a, questions=1, candidates=2)
    john = as_user(world["panelist"])
    first = john.get(f"/vacancies/{a.id}/interviews")
    assert first.status_code == 302 and "/interviews/do-you-know" in first.headers["Location"]
    page = john.get(first.headers["Location"]).get_data(as_text=True)
    assert "Do you know any of these people?" in page and c1.full_name in page and c2.full_name in page
    assert john.get(f"/vacancies/{a.id}/interviews/{c1.id}/score").status_code == 302  # every interview page
    # HR, not on the panel, is never asked
    assert as_user(world["hr"]).get(f"/vacancies/{a.id}/interviews").status_code == 200
    answered = john.post_form(f"/vacancies/{a.id}/interviews/do-you-know",
                              {"next": f"/vacancies/{a.id}/interviews/{c1.id}/score"})
    assert answered.status_code == 303 and answered.headers["Location"].endswith(f"/interviews/{c1.id}/score")
    assert john.get(f"/vacancies/{a.id}/interviews").status_code == 200  # asked once
    # a next that leaves the vacancy is not followed
    assert john.post_form(f"/vacancies/{a.id}/interviews/do-you-know",
                          {"next": "https://evil.example/"}).headers["Location"].endswith(f"/vacancies/{a.id}/interviews")
    # a candidate added later (a reserve called up) is asked about again
    add_pack_candidates(session, a, 1, start=3, slots=False)
    assert john.get(f"/vacancies/{a.id}/interviews").status_code == 302


def test_stepping_aside_at_reveal_flows_into_scoring_results_reminders_packs_and_timetable(app, as_user, iv, session):
    from panel.involvement import queries as iq
    from panel.notifications import queries as nq

    v, (c1, c2), qs = iv["vacancy"], iv["candidates"], iv["questions"]
    p1 = iv["p1"]
    score_and_submit(session, c1, p1, qs, [3, 2], submit=False)  # started, not submitted
    john = as_user(p1)
    page = john.get(_url(iv, "/interviews/do-you-know")).get_data(as_text=True)
    assert c1.full_name in page
    answered = john.post_form(_url(iv, "/interviews/do-you-know"), {"known": str(c1.id)})
    assert answered.status_code == 303
    session.expire_all()
    # his unsubmitted scores are gone; he cannot score the candidate; no reason was asked or kept
    assert not session.scalars(select(InterviewScore).where(InterviewScore.candidate_id == c1.id,
                                                            InterviewScore.user_id == p1.id)).all()
    score_page = john.get(_url(iv, f"/interviews/{c1.id}/score")).get_data(as_text=True)
    assert "You stepped aside for Candidate 01" in score_page
    refused = john.post(_url(iv, f"/interviews/{c1.id}/score/{qs[0].id}"), json={"score": 3, "notes": ""},
                        headers={"X-CSRFToken": john.csrf_token()})
    assert refused.status_code in (400, 403, 404, 409)
    # a "Yes" at reveal never rewrites the shortlisting record
    assert not session.scalars(select(ConflictDeclaration).where(
        ConflictDeclaration.user_id == p1.id, ConflictDeclaration.aside_at(AT_SHORTLISTING))).all()
    # reminders do not chase him for that candidate
    assert nq.scoring_owed(session, v.id, p1.id) == 1
    # results: everyone else's scores are all that is needed for candidate 1
    for who in (iv["chair"], iv["p2"], iv["staff"]):
        score_and_submit(session, c1, who, qs, [3, 3])
    with app.test_request_context():
        from panel.db import db
        from panel.scoring import queries as sq
        from panel.scoring import services as ss
        from panel.vacancies.queries import vacancy_with_everything

        vacancy = vacancy_with_everything(v.id)
        data = sq.everything(vacancy)
        results = ss.build_results(vacancy, data, {c.id for c in data.candidates})
        assert c1.id not in {c.id for c, _missing in ss.not_submitted(results)}
        assert p1.id not in {m.user_id for m in results.expected[c1.id]}
        # his panel member's pack leaves the candidate out and says so
        from panel.packs import context as pack_context

        pack = pack_context.build("panelist", pack_context.load_vacancy(v.id), panelist_user_id=p1.id)
        sheet = pack["sheets"][0]
        assert sheet["stepped_aside"] == ["Candidate 01"]
        assert [pack["candidates"][i]["label"] for i in sheet["candidates"]] == ["Candidate 02"]
        assert iq.stepped_aside_names(db(), vacancy) == {c1.id: ["John O'Neill"]}
    # the chair sees it on the timetable (never why); another panel member does not
    timetable = as_user(iv["chair"]).get(_url(iv, "/timetable")).get_data(as_text=True)
    assert "Stepped aside (knows the candidate):" in timetable and "John O&#39;Neill" in timetable
    assert "Stepped aside (knows the candidate):" not in as_user(iv["p2"]).get(_url(iv, "/timetable")).get_data(as_text=True)


def test_no_stepping_aside_once_scores_are_submitted(as_user, iv, session):
    c2, p2 = iv["candidates"][1], iv["p2"]
    score_and_submit(session, c2, p2, iv["questions"], [2, 2])
    response = as_user(p2).post_form(_url(iv, "/interviews/do-you-know"), {"known": str(c2.id)})
    assert response.status_code == 400
    assert "already submitted your scores for" in response.get_data(as_text=True)
    session.expire_all()
    assert not session.scalars(select(ConflictDeclaration).where(
        ConflictDeclaration.user_id == p2.id, ConflictDeclaration.knows_candidate.is_(True))).all()


# --- support contact, asking preferences -----------------------------------------------------

def test_support_contact_is_set_by_hr_and_shown_to_the_panel(as_user, iv, session):
    hr = as_user(iv["hr"])
    bad = hr.post_form(_url(iv, "/support"), {"name": "Pat Support", "email": "not an email"})
    assert bad.status_code == 400 and "correct format" in bad.get_data(as_text=True)
    assert session.scalar(select(SupportContact)) is None
    saved = hr.post_form(_url(iv, "/support"), {"name": "Pat <b>Support</b>", "phone": "01522 000000", "email": ""})
    assert saved.status_code == 303
    john = as_user(iv["p1"])
    for path in ("", "/interviews", f"/interviews/{iv['candidates'][0].id}/score"):
        text = john.get(_url(iv, path)).get_data(as_text=True)
        assert "Pat &lt;b&gt;Support&lt;/b&gt;" in text and "01522 000000" in text, path
    assert session.scalars(select(AuditEvent).where(AuditEvent.entity_type == "supportcontact")).all()


def test_a_patient_panelist_would_rather_not_ask_a_question_with_a_content_note(as_user, iv, session):
    from panel.models import PanelMember, PlanQuestion

    v, q = iv["vacancy"], iv["questions"][0]
    member = session.scalar(select(PanelMember).where(PanelMember.vacancy_id == v.id, PanelMember.user_id == iv["p1"].id))
    q.content_note = "Talks about self-harm"
    q.asker_id = member.id
    session.commit()
    john = as_user(iv["p1"])
    assert "rather not ask a question that has a content note" in john.get(_url(iv, "/plan")).get_data(as_text=True)
    assert john.post_form(_url(iv, "/asking-preference"), {}).status_code == 400
    assert john.post_form(_url(iv, "/asking-preference"), {"avoid": "yes"}).status_code == 303
    chair = as_user(iv["chair"])
    plan = chair.get(_url(iv, "/plan")).get_data(as_text=True)
    assert "Check the asker" in plan and "would rather not ask a question with a content note" in plan
    form = chair.get(_url(iv, f"/plan/questions/{q.id}/edit")).get_data(as_text=True)
    assert "John O&#39;Neill (patient panelist) – would rather not ask a question with a content note" in form
    assert session.get(PlanQuestion, q.id) is not None


# --- check-ins, debriefs and concerns --------------------------------------------------------

SECRET = "The <script>second candidate</script> reminded me of my own therapy"


def test_check_ins_are_private_to_the_person_and_the_involvement_lead(app, as_user, iv, session):
    from panel.involvement import queries as iq
    from panel.involvement import records

    v, p1, p2 = iv["vacancy"], iv["p1"], iv["p2"]
    builder(session).advance(v)  # the interviews are over: decisions
    session.commit()
    check_ins = {c.user_id: c for c in session.scalars(select(CheckIn).where(CheckIn.vacancy_id == v.id))}
    assert set(check_ins) == {p1.id, p2.id}  # the patient panelists only
    invitation = session.scalar(select(Notification).where(Notification.kind == "check_in", Notification.user_id == p1.id))
    assert f"/me/check-ins/{check_ins[p1.id].id}" in invitation.body
    assert iq.debrief_status(session, [p1.id, p2.id, iv["chair"].id]) == {p1.id: iq.WAITING_FOR_REPLY,
                                                                         p2.id: iq.WAITING_FOR_REPLY}
    john = as_user(p1)
    url = f"/me/check-ins/{check_ins[p1.id].id}"
    assert john.post_form(url, {"wants_call": "yes"}).status_code == 400  # how it went: not chosen
    assert john.post_form(url, {"how_it_went": "hard", "wants_call": "yes", "troubles": SECRET}).status_code == 303
    assert SECRET not in john.get("/me/involvement").get_data(as_text=True)
    session.expire_all()
    assert iq.debrief_status(session, [p1.id, p2.id]) == {p1.id: iq.CALL_REQUESTED, p2.id: iq.WAITING_FOR_REPLY}

    chair = as_user(iv["chair"])
    escaped = "The &lt;script&gt;second candidate&lt;/script&gt; reminded me"
    for path in (url, "/involvement/check-ins", _url(iv, "/debriefs"), _url(iv), _url(iv, "/interviews"),
                 _url(iv, "/results"), "/me/involvement"):
        response = chair.get(path)
        assert "reminded me of my own therapy" not in response.get_data(as_text=True), path
    assert as_user(p2).get(url).status_code == 404
    lead = as_user(iv["hr"])
    assert escaped in lead.get("/involvement/check-ins").get_data(as_text=True)
    # the chair records that a debrief was offered, not what was said
    assert chair.post_form(_url(iv, "/debriefs"), {"user_id": str(p1.id)}).status_code == 303
    assert chair.post_form(_url(iv, "/debriefs"), {"user_id": str(iv["staff"].id)}).status_code == 404
    assert "Debrief offered" in chair.get(_url(iv, "/debriefs")).get_data(as_text=True)
    # the audit log and every message keep no word of it
    session.expire_all()
    assert all("reminded me" not in f"{e.summary} {e.changes}" for e in session.scalars(select(AuditEvent)))
    assert all("reminded me" not in n.body for n in session.scalars(select(Notification)))
    assert lead.post_form(f"/involvement/check-ins/{check_ins[p1.id].id}/call").status_code == 303
    session.expire_all()
    assert iq.debrief_status(session, [p1.id]) == {p1.id: iq.CHECK_IN_DONE}
    # subject access: in the person's export; purged after the involvement retention period
    export = lead.get(f"/involvement/people/{p1.id}/export.json").get_json()["support_and_recognition"]
    assert export["check_ins"][0]["anything_troubling"] == SECRET
    assert export["debriefs_offered"] and export["person"]["name"] == "John O'Neill"
    with app.app_context():
        later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(days=app.config["INVOLVEMENT_RETENTION_DAYS"] + 1)
        from panel.db import db

        assert records.purge(db(), later)["check-ins"] == 2
        db().commit()
    session.expire_all()
    assert session.scalar(select(CheckIn)) is None


def test_check_ins_are_sent_once(session, iv):
    from panel.involvement import services

    v = iv["vacancy"]
    builder(session).advance(v)
    session.commit()
    with builder(session).context():
        assert services.invite_check_ins(session, v) == []
    assert len(session.scalars(select(CheckIn)).all()) == 2


def test_a_concern_goes_to_the_involvement_lead_and_its_words_stay_out_of_the_audit_log(as_user, iv, session):
    john = as_user(iv["p1"])
    form = john.get(f"/concerns/new?vacancy={iv['vacancy'].id}").get_data(as_text=True)
    assert "Raise a concern about this process" in form and iv["vacancy"].title in form
    # the footer link is on every page
    assert "/concerns/new" in john.get("/").get_data(as_text=True)
    words = "=HYPERLINK(\"x\") the chair talked over Zoë every time"
    sent = john.post_form("/concerns/new", {"text": words, "vacancy": str(iv["vacancy"].id), "wants_reply": "y"})
    assert sent.status_code == 200 and "Your concern has been sent" in sent.get_data(as_text=True)
    concern = session.scalar(select(Concern))
    assert concern.text == words and concern.vacancy_id == iv["vacancy"].id and concern.wants_reply
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "concern"))
    assert event.actor_id == iv["p1"].id and "talked over" not in f"{event.summary} {event.changes}"
    told = session.scalars(select(Notification).where(Notification.kind == "concern_raised")).all()
    assert [n.user_id for n in told] == [iv["hr"].id] and all("talked over" not in n.body for n in told)
    assert "the chair talked over Zoë" in as_user(iv["hr"]).get("/involvement/concerns").get_data(as_text=True)
    assert as_user(iv["chair"]).get("/involvement/concerns").status_code == 404
    # a vacancy the person may not see is not recorded (nor revealed)
    outsider = as_user(iv["outsider"])
    assert iv["vacancy"].title not in outsider.get(f"/concerns/new?vacancy={iv['vacancy'].id}").get_data(as_text=True)


# --- recognition ------------------------------------------------------------------------------

def test_my_involvement_lists_the_work_and_hr_corrects_the_hours(as_user, iv, session):
    c1, p1 = iv["candidates"][0], iv["p1"]
    score_and_submit(session, c1, p1, iv["questions"], [3, 3])
    john = as_user(p1)
    page = john.get("/me/involvement").get_data(as_text=True)
    assert "Interview day" in page and iv["vacancy"].title in page and "Patient panelist" in page
    assert "7 hours" in page  # a full day: the interview day has no times set
    hr = as_user(iv["hr"])
    key = f"interview_day:{iv['vacancy'].id}"
    person = f"/involvement/people/{p1.id}/hours"
    assert "quarter hours" in hr.post_form(person, {"key": key, "hours": "2.1"}).get_data(as_text=True)
    assert hr.post_form(person, {"key": key, "hours": "lots"}).status_code == 400
    assert hr.post_form(person, {"key": "interview_day:999999", "hours": "2"}).status_code == 400
    assert session.scalar(select(HoursCorrection)) is None
    assert hr.post_form(person, {"key": key, "hours": "5.5"}).status_code == 303
    page = john.get("/me/involvement").get_data(as_text=True)
    assert "5.5 hours" in page and "corrected by the recruitment team; estimated 7 hours" in page
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "hours"))
    assert event.changes["hours"] == {"before": "7", "after": "5.5"} and event.changes["activity"] == key
    # back to the estimate: the correction goes
    assert hr.post_form(person, {"key": key, "hours": "7"}).status_code == 303
    session.expire_all()
    assert session.scalar(select(HoursCorrection)) is None


def _document(client, url):
    from panel.packs import jobs

    response = client.get(url)
    assert response.status_code == 303 and "/me/involvement/jobs/" in response.headers["Location"]
    progress = client.get(response.headers["Location"])
    assert progress.status_code == 200 and "being made" in progress.get_data(as_text=True)
    app = client.application
    with app.app_context():
        jobs.run_pending(app)
    assert "is ready" in client.get(response.headers["Location"]).get_data(as_text=True)
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    return " ".join(page_texts(pdf(response.get_data())))


def test_the_certificate_and_reference_letter_are_made_by_the_pack_pipeline_with_no_candidate_data(as_user, iv, session):
    c1, p1 = iv["candidates"][0], iv["p1"]
    score_and_submit(session, c1, p1, iv["questions"], [3, 3])
    john = as_user(p1)
    text = re.sub(r"\s+", " ", _document(john, "/me/involvement/certificate.pdf"))
    assert "Certificate of involvement" in text and "John O'Neill" in text
    assert "about 7 hours" in text and "Patient panelist" in text and iv["vacancy"].title in text
    letter = re.sub(r"\s+", " ", _document(john, "/me/involvement/reference.pdf"))
    assert "Draft reference letter" in letter and "Reference for John O'Neill" in letter
    for c in iv["candidates"]:
        for leaked in (c.first_name, c.last_name, c.email, c.label):
            assert leaked not in text and leaked not in letter
    assert session.scalars(select(AuditEvent).where(AuditEvent.action == "download",
                                                    AuditEvent.actor_id == p1.id)).all()


def test_the_demo_has_a_past_vacancy_with_check_ins(app, session):
    from panel.involvement import queries as iq
    from panel.models import User, Vacancy

    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    past = session.scalar(select(Vacancy).where(Vacancy.reference == "AP-SKE-0925"))
    assert past.status == VacancyStatus.CLOSED
    people = {u.email: u.id for u in session.scalars(select(User))}
    john, zoe = people["john.oneill@example.org"], people["zoe.ashworth@example.org"]
    assert iq.debrief_status(session, [john, zoe]) == {john: iq.CALL_REQUESTED, zoe: iq.WAITING_FOR_REPLY}
    assert session.scalar(select(SupportContact).where(SupportContact.vacancy_id == past.id)) is not None
    assert session.scalar(select(Concern)) is not None


def test_a_member_who_submitted_before_the_question_is_not_stuck(as_user, world, session):
    """Scores submitted for every candidate before answering: no box to tick (too late to step
    aside), one button to go on, and the interview pages open."""
    a = world["a"]
    qs, (c1,) = ready_for_interviews(session, a, questions=1, candidates=1)
    score_and_submit(session, c1, world["panelist"], qs, [2])
    john = as_user(world["panelist"])
    asked = john.get(f"/vacancies/{a.id}/interviews/do-you-know").get_data(as_text=True)
    assert "You have submitted your scores for" in asked and 'name="known"' not in asked and "Continue" in asked
    assert john.post_form(f"/vacancies/{a.id}/interviews/do-you-know").status_code == 303
    assert john.get(f"/vacancies/{a.id}/interviews").status_code == 200
