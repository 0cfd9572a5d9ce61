"""The involvement record (issue 17): profiles and who sees each item, consent, training and its
expiry, panel composition rules at every stage move with overrides, the roadmap, the "before
you start" pages, the involvement lead, retention and the subject access export."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from panel import permissions
from panel.builders import Builder
from panel.models import (
    AuditEvent,
    InvolvementProfile,
    PanelRuleOverride,
    ProfileConsent,
    TrainingKind,
    TrainingRecord,
    User,
    Vacancy,
    VacancyStatus,
)
from panel.profiles import composition, items, records, roadmap
from tests.conftest import PASSWORD
from tests.test_permissions import check, row

RULES_ON = {"COMPOSITION_MIN_PATIENTS": 1, "COMPOSITION_TRAINED_MEMBER": True, "COMPOSITION_TRAINED_CHAIR": True}

ROUTES = [
    row("GET", "/profile", other=200),
    row("POST", "/profile", hr=302, chair=302, panelist=302, other=302),  # nothing ticked: saved as empty
    row("GET", "/involvement", chair=404, panelist=404),
    row("GET", "/involvement/roadmap", chair=404, panelist=404),
    # a person's whole record: HR and the lead only (the person reads theirs on /profile)
    row("GET", "/involvement/people/{panelist_id}", chair=404, panelist=404),
    row("GET", "/involvement/people/999999", hr=404, chair=404, panelist=404),
    row("POST", "/involvement/people/{panelist_id}/training", hr=400, chair=404, panelist=404),  # empty: errors shown
    row("POST", "/involvement/people/{panelist_id}/shadowing", hr=400, chair=404, panelist=404),
    row("POST", "/involvement/people/{panelist_id}/lead", hr=302, chair=404, panelist=404),
    row("GET", "/involvement/people/{panelist_id}/export.json", chair=404, panelist=404),
    row("GET", "/vacancies/{a}/panel/rules"),
    row("GET", "/vacancies/{b}/panel/rules", chair=404, panelist=404, other=200),
    row("POST", "/vacancies/{a}/panel/rules", hr=302, chair=404, panelist=404),  # rules off: nothing to override
    row("GET", "/before-you-start", other=200),
    row("GET", "/before-you-start/glossary", other=200),
    row("GET", "/before-you-start/patient/shortlisting", other=200),
    row("GET", "/before-you-start/chair/interviews", other=200),
    row("GET", "/before-you-start/nobody/shortlisting", hr=404, chair=404, panelist=404, other=404),
]


@pytest.mark.parametrize("method,url,expected", ROUTES, ids=[f"{m} {u}" for m, u, _ in ROUTES])
def test_permission_matrix(as_user, world, method, url, expected):
    check(as_user, world, method, url, expected)


@pytest.fixture()
def lead(app, session, world):
    """A staff chair who is not on any panel, named the involvement lead by HR."""
    build = Builder(session, world["hr"], app=app, password=PASSWORD)
    lead = build.user("chair", name="Lee Ward", email="lead@example.org")
    lead.involvement_lead = True
    build.commit()
    return lead


def test_the_involvement_lead_reads_records_and_records_training_like_hr(as_user, world, lead, session):
    client = as_user(lead)
    person = world["panelist"].id
    for url in ("/involvement", "/involvement/roadmap", f"/involvement/people/{person}",
                f"/involvement/people/{person}/export.json"):
        assert client.get(url).status_code == 200, url
    r = client.post_form(f"/involvement/people/{person}/training",
                         {"kind": "recruitment", "completed_on-day": "1", "completed_on-month": "3",
                          "completed_on-year": "2026"})
    assert r.status_code == 302
    record = session.scalar(select(TrainingRecord).where(TrainingRecord.user_id == person))
    assert record.recorded_by_id == lead.id and record.kind == TrainingKind.RECRUITMENT
    # only HR names the lead
    assert client.post_form(f"/involvement/people/{person}/lead", {"lead": "y"}).status_code == 404
    # a lead whose account is deactivated loses it
    lead.active = False
    assert not permissions.can_manage_involvement(lead)


def test_hr_names_the_involvement_lead(as_user, world, session):
    hr, chair = world["hr"], world["chair"]
    assert as_user(chair).get("/involvement").status_code == 404
    r = as_user(hr).post_form(f"/involvement/people/{chair.id}/lead", {"lead": "y"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(User, chair.id).involvement_lead is True
    assert as_user(chair).get("/involvement").status_code == 200
    assert session.scalar(select(AuditEvent).where(AuditEvent.summary.like("%is now the involvement lead")))


# --- the profile and who sees each item ------------------------------------------------

FULL_PROFILE = {
    "contact_by_phone": "y", "phone": "01205 445 000", "contact_by_post": "y",
    "postal_address": "1 Sibsey Road, Boston", "easy_read": "y", "large_print": "y",
    "needs": ["step_free", "breaks", "bsl_interpreter"], "break_every": "every hour",
    "other_needs": "A chair with arms", "share": ["step_free", "breaks", "large_print"],
    "preferred_sites": ["Boston", "Lincoln"], "travel": "Up to 20 miles", "availability": "Weekday mornings",
}


def fill_profile(client, data=None):
    r = client.post_form("/profile", data or FULL_PROFILE)
    assert r.status_code == 302, r.get_data(as_text=True)
    return r


def test_a_panelist_fills_their_profile_with_consent_per_item_and_dates(as_user, world, session):
    me = world["other"]
    client = as_user(me)
    fill_profile(client)
    session.expire_all()
    profile = session.scalar(select(InvolvementProfile).where(InvolvementProfile.user_id == me.id))
    assert profile.step_free and profile.breaks and profile.bsl_interpreter and not profile.quiet_room
    assert profile.preferred_sites == "Boston,Lincoln" and profile.phone == "01205 445 000"
    assert session.get(User, me.id).large_print is True  # the one large-print setting, read by packs
    consents = {c.item: c for c in session.scalars(select(ProfileConsent).where(ProfileConsent.user_id == me.id))}
    assert set(consents) == {"step_free", "breaks", "large_print"}
    assert all(c.given_at is not None for c in consents.values())
    assert "You agreed to share" in client.get("/profile").get_data(as_text=True)
    # withdrawing consent deletes it; the audit log says what changed, never the values
    fill_profile(client, {**FULL_PROFILE, "share": ["breaks"]})
    session.expire_all()
    assert {c.item for c in session.scalars(select(ProfileConsent).where(ProfileConsent.user_id == me.id))} == {"breaks"}
    events = session.scalars(select(AuditEvent).where(AuditEvent.summary == "Involvement profile changed")).all()
    assert len(events) == 2
    assert "A chair with arms" not in json.dumps([e.changes for e in events])
    assert "Sibsey" not in json.dumps([e.changes for e in events])


def test_bad_profile_input_is_refused_next_to_the_field_and_changes_nothing(as_user, world, session):
    client = as_user(world["other"])
    r = client.post_form("/profile", {"contact_by_phone": "y", "phone": "", "share": ["diagnosis"]})
    assert r.status_code == 400
    page = r.get_data(as_text=True)
    assert "Enter a phone number to be called on" in page
    assert session.scalar(select(InvolvementProfile)) is None


def test_the_account_page_no_longer_resets_large_print(as_user, world, session):
    me = world["other"]
    client = as_user(me)
    fill_profile(client)
    assert client.post_form("/account", {"contact_preference": "email"}).status_code == 302
    session.expire_all()
    assert session.get(User, me.id).large_print is True
    assert "/profile" in client.get("/account").get_data(as_text=True)


def _interview_day(app, session, world, date: dt.date):
    build = Builder(session, world["hr"], app=app, password=PASSWORD)
    build.interview_day(world["a"], date)
    build.commit()


def test_the_chair_sees_only_shared_needs_for_the_interview_day_on_the_timetable(app, as_user, world, session):
    """The panelist on A shares step-free access and breaks (not the BSL interpreter, not the
    free text); the chair of A reads one sentence on A's timetable, until the day is over."""
    fill_profile(as_user(world["panelist"]))
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    _interview_day(app, session, world, tomorrow)
    a = world["a"].id
    chair_page = as_user(world["chair"]).get(f"/vacancies/{a}/timetable").get_data(as_text=True)
    assert "John O&#39;Neill needs step-free access, a break every hour and large print papers." in chair_page
    assert "British Sign Language" not in chair_page and "A chair with arms" not in chair_page
    assert "01205" not in chair_page and "Sibsey" not in chair_page  # no contact details
    # the panelist (not the chair) sees no arrangements; the other panel's member cannot open it
    own = as_user(world["panelist"]).get(f"/vacancies/{a}/timetable").get_data(as_text=True)
    assert "What to arrange" not in own and "needs step-free" not in own
    assert as_user(world["other"]).get(f"/vacancies/{a}/timetable").status_code == 404
    # the whole profile: not for the chair
    assert as_user(world["chair"]).get(f"/involvement/people/{world['panelist'].id}").status_code == 404


def test_after_the_interview_day_the_chair_no_longer_sees_the_needs(app, as_user, world, session):
    fill_profile(as_user(world["panelist"]))
    _interview_day(app, session, world, dt.date.today() - dt.timedelta(days=1))
    page = as_user(world["chair"]).get(f"/vacancies/{world['a'].id}/timetable").get_data(as_text=True)
    assert "needs step-free" not in page and "What to arrange" not in page


VIEWERS = ["self", "hr", "lead", "chair_on_the_day", "chair_after_the_day", "other_panelist", "anon"]


@pytest.mark.parametrize("item", ["phone", "postal_address", "availability", "preferred_sites", "travel"]
                         + list(permissions.SHAREABLE_ITEMS))
@pytest.mark.parametrize("consented", [True, False])
def test_who_sees_each_profile_item(item, consented):
    """Self, HR and the lead: every item. The chair: a shareable item the person agreed to
    share, on the interview day only. Another panelist and anonymous: nothing."""

    class Person:
        def __init__(self, uid, role="panelist", lead=False, hr=False):
            from panel.models import Role
            self.id, self.is_authenticated, self.is_active = uid, True, True
            self.role = Role.HR if hr else Role(role)
            self.involvement_lead = lead

    class Anonymous:
        is_authenticated = False
        id = None

    me = 1
    viewers = {"self": Person(me), "hr": Person(2, hr=True), "lead": Person(3, "chair", lead=True),
               "chair_on_the_day": Person(4, "chair"), "chair_after_the_day": Person(4, "chair"),
               "other_panelist": Person(5), "anon": Anonymous()}
    shareable = item in permissions.SHAREABLE_ITEMS
    expected = {"self": True, "hr": True, "lead": True, "chair_on_the_day": shareable and consented,
                "chair_after_the_day": False, "other_panelist": False, "anon": False}
    for who in VIEWERS:
        seen = permissions.can_see_profile_item(viewers[who], me, item, consented=consented,
                                                chairs_on_the_day=who == "chair_on_the_day")
        assert seen is expected[who], (who, item, consented)


def test_the_arrangement_sentence_names_what_to_arrange_never_why():
    class P:
        step_free, hearing_loop, bsl_interpreter, breaks, quiet_room, remote = True, False, False, True, False, False
        easy_read, break_every, other_needs = False, "every hour", ""

    class U:
        large_print = False

    keys = items.needed(P, U)
    assert items.arrangement("Zoë", P, keys)["sentence"] == "Zoë needs step-free access and a break every hour."
    assert items.arrangement("Zoë", P, []) is None


def test_the_chairs_pack_lists_the_arrangements_and_the_panelists_pack_does_not(app, as_user, world, session):
    from panel.db import db as request_db
    from panel.packs import context

    fill_profile(as_user(world["panelist"]))
    build = Builder(session, world["hr"], app=app, password=PASSWORD)
    a = world["a"]
    c = build.candidate(a, first_name="Alex", last_name="Smith", email="alex@candidates.example")
    build.decided(c, "shortlist", "Meets the essential criteria")
    build.plan_question(a, "Tell us about a time you listened well")
    build.interview_day(a, dt.date.today() + dt.timedelta(days=3))
    build.commit()
    with app.test_request_context():
        v = context.load_vacancy(a.id)
        panel = context.build("panel", v)
        mine = context.build("panelist", v, panelist_user_id=world["panelist"].id)
        request_db().close()
    assert [x["sentence"] for x in panel["arrangements"]] == [
        "John O'Neill needs step-free access, a break every hour and large print papers."]
    assert mine["arrangements"] == []


# --- training ---------------------------------------------------------------------------

def _train(session, user, kind, done, expires=None, by=None):
    session.add(TrainingRecord(user_id=user.id, kind=kind, completed_on=done, expires_on=expires,
                               recorded_by_id=by.id if by else None))
    session.commit()


def test_expired_training_shows_as_expired_and_does_not_count(app, as_user, world, session):
    panelist, hr = world["panelist"], world["hr"]
    today = dt.date.today()
    _train(session, panelist, TrainingKind.RECRUITMENT, today - dt.timedelta(days=800), today - dt.timedelta(days=1), hr)
    page = as_user(hr).get(f"/involvement/people/{panelist.id}").get_data(as_text=True)
    assert "Expired" in page and "In date" not in page
    home = as_user(hr).get("/involvement").get_data(as_text=True)
    assert "Recruitment and selection: <strong>expired</strong>" in home
    app.config.update(RULES_ON)
    with app.test_request_context():
        from panel.db import db as request_db
        checks = {c.rule: c for c in composition.rules_for(request_db(), request_db().get(Vacancy, world["a"].id))}
    assert not checks[composition.TRAINED_MEMBER].met
    _train(session, panelist, TrainingKind.RECRUITMENT, today - dt.timedelta(days=10), today + dt.timedelta(days=355), hr)
    page = as_user(hr).get(f"/involvement/people/{panelist.id}").get_data(as_text=True)
    assert "Expired" in page and "In date" in page


def test_training_with_bad_dates_is_refused(as_user, world, session):
    url = f"/involvement/people/{world['panelist'].id}/training"
    future = dt.date.today() + dt.timedelta(days=5)
    r = as_user(world["hr"]).post_form(url, {"kind": "chairing", "completed_on-day": str(future.day),
                                             "completed_on-month": str(future.month),
                                             "completed_on-year": str(future.year)})
    assert r.status_code == 400 and "must be today or in the past" in r.get_data(as_text=True)
    r = as_user(world["hr"]).post_form(url, {"kind": "chairing", "completed_on-day": "2", "completed_on-month": "3",
                                             "completed_on-year": "2026", "expires_on-day": "1",
                                             "expires_on-month": "3", "expires_on-year": "2026"})
    assert r.status_code == 400 and "expiry date must be after" in r.get_data(as_text=True)
    assert session.scalar(select(TrainingRecord)) is None


# --- composition rules ------------------------------------------------------------------

MOVES = [VacancyStatus.DRAFT, VacancyStatus.SHORTLISTING, VacancyStatus.INTERVIEWING, VacancyStatus.DECISIONS]


def _next(status: VacancyStatus) -> VacancyStatus:
    return list(VacancyStatus)[list(VacancyStatus).index(status) + 1]


def _vacancy_at(app, session, world, status: VacancyStatus) -> Vacancy:
    """A vacancy moved (rules off) to ``status``, ready to move on: its panel is a chair and a
    staff member (no patient panelist, no training)."""
    return _ready_vacancy(app, session, world, f"R-{status.value}", status,
                          [(world["chair"], "chair"), (world["hr"], "staff")])


def _ready_vacancy(app, session, world, reference, status, panel) -> Vacancy:
    """A vacancy at ``status`` whose stage's readiness check passes (candidates decided,
    results signed off), so only the panel rules can stop it moving on."""
    build = Builder(session, world["hr"], app=app, password=PASSWORD)
    v = build.vacancy(reference=reference, panel=panel)
    if status != VacancyStatus.DRAFT:
        c = build.candidate(v, first_name="Alex", last_name="Smith", email="alex@candidates.example",
                            supporting_information="I have listened to people for years")
        build.decided(c, "shortlist", "Meets the essential criteria")
    if status == VacancyStatus.DECISIONS:
        build.jump_to(v, VacancyStatus.INTERVIEWING)
        q = build.plan_question(v, "Tell us about a time you listened well")
        for m in v.panel_members:
            build.interview_scores(c, m.user, [q], [3], ["Clear"], submit=True)
        build.outcome(c, "preferred")
        build.jump_to(v, status)
        build.sign_off(v)
    build.jump_to(v, status)
    build.commit()
    return v


@pytest.mark.parametrize("status", MOVES, ids=[s.value for s in MOVES])
def test_a_broken_rule_stops_every_stage_move_until_a_reason_is_given(app, as_user, world, session, status):
    v = _vacancy_at(app, session, world, status)
    app.config.update(RULES_ON)
    client = as_user(world["hr"])
    page = client.get(f"/vacancies/{v.id}/status").get_data(as_text=True)
    assert "Not met" in page and "Why go ahead anyway?" in page
    r = client.post_form(f"/vacancies/{v.id}/status", {"from": status.value})
    assert r.status_code == 400
    assert "The panel has 0 patient panelists; it needs at least 1." in r.get_data(as_text=True)
    r = client.post_form(f"/vacancies/{v.id}/status", {"from": status.value, "reason": "   "})
    assert r.status_code == 400
    session.expire_all()
    assert session.get(Vacancy, v.id).status == status
    assert session.scalar(select(PanelRuleOverride)) is None
    r = client.post_form(f"/vacancies/{v.id}/status", {"from": status.value, "reason": "No patient panelist free this month"})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Vacancy, v.id).status == _next(status)
    overrides = session.scalars(select(PanelRuleOverride).where(PanelRuleOverride.vacancy_id == v.id)).all()
    assert {o.rule for o in overrides} == {composition.PATIENTS, composition.TRAINED_MEMBER, composition.TRAINED_CHAIR}
    assert all(o.reason == "No patient panelist free this month" and o.at_status == status.value for o in overrides)
    assert len(session.scalars(select(AuditEvent).where(AuditEvent.action == "override",
                                                        AuditEvent.vacancy_id == v.id)).all()) == 3
    shown = client.get(f"/vacancies/{v.id}").get_data(as_text=True)
    assert "Overridden" in shown and "No patient panelist free this month" in shown


@pytest.mark.parametrize("status", MOVES, ids=[s.value for s in MOVES])
def test_a_panel_that_meets_the_rules_moves_on_without_a_reason(app, as_user, world, session, status):
    v = _ready_vacancy(app, session, world, f"OK-{status.value}", status,
                       [(world["chair"], "chair"), (world["panelist"], "patient")])
    today = dt.date.today()
    _train(session, world["panelist"], TrainingKind.RECRUITMENT, today, today + dt.timedelta(days=365))
    _train(session, world["chair"], TrainingKind.CHAIRING, today)
    app.config.update(RULES_ON)
    r = as_user(world["hr"]).post_form(f"/vacancies/{v.id}/status", {"from": status.value})
    assert r.status_code == 302
    session.expire_all()
    assert session.get(Vacancy, v.id).status == _next(status)
    assert session.scalar(select(PanelRuleOverride)) is None


def test_an_override_on_the_panel_page_is_refused_without_a_reason(app, as_user, world, session):
    app.config.update(RULES_ON)
    a = world["a"]
    client = as_user(world["hr"])
    page = client.get(f"/vacancies/{a.id}/panel").get_data(as_text=True)
    assert "Not met" in page and "Go ahead with this panel anyway" in page
    r = client.post_form(f"/vacancies/{a.id}/panel/rules", {"reason": ""})
    assert r.status_code == 400
    assert "Give a reason for going ahead" in r.get_data(as_text=True)
    assert session.scalar(select(PanelRuleOverride)) is None
    r = client.post_form(f"/vacancies/{a.id}/panel/rules", {"reason": "<script>x</script> training booked for May"})
    assert r.status_code == 302
    page = client.get(f"/vacancies/{a.id}").get_data(as_text=True)
    assert "&lt;script&gt;x&lt;/script&gt; training booked for May" in page
    # the panel sees the rules and the reason, but cannot override
    assert "training booked for May" in as_user(world["panelist"]).get(f"/vacancies/{a.id}/panel/rules").get_data(as_text=True)
    assert as_user(world["chair"]).post_form(f"/vacancies/{a.id}/panel/rules", {"reason": "x"}).status_code == 404


def test_the_rules_follow_the_settings(app, world):
    class V:
        panel_members = world["a"].panel_members
    config = {"COMPOSITION_MIN_PATIENTS": 2, "COMPOSITION_TRAINED_MEMBER": False, "COMPOSITION_TRAINED_CHAIR": False}
    (rule, _name, text, met, problem), = composition.check(V, {}, config)
    assert rule == composition.PATIENTS and text == "At least 2 patient panelists" and not met
    assert composition.check(V, {}, {**config, "COMPOSITION_MIN_PATIENTS": 0}) == []


# --- roadmap ----------------------------------------------------------------------------

def test_the_roadmap_steps_and_who_is_ready():
    core = frozenset(roadmap.CORE_TRAINING)
    member = roadmap.position(roadmap.Facts(frozenset()))
    assert member.step.key == "member" and member.next.key == "trained" and not member.ready
    assert "Recruitment and selection training" in member.missing
    ready_to_shadow = roadmap.position(roadmap.Facts(core, panels=2))
    assert ready_to_shadow.step.key == "trained" and ready_to_shadow.ready
    shadow = roadmap.position(roadmap.Facts(core, panels=3, shadowed=1))
    assert shadow.step.key == "shadow" and shadow.missing == ["Chairing training"]
    ready_to_chair = roadmap.position(roadmap.Facts(core | {TrainingKind.CHAIRING}, panels=3, shadowed=1))
    assert ready_to_chair.ready and ready_to_chair.next.key == "chair"
    chair = roadmap.position(roadmap.Facts(core | {TrainingKind.CHAIRING}, panels=4, shadowed=1, chaired=1))
    assert chair.step.key == "chair" and chair.next is None


def test_hr_sees_who_is_ready_for_the_next_step(as_user, world, session):
    today = dt.date.today()
    for kind in roadmap.CORE_TRAINING:
        _train(session, world["other"], kind, today)
    page = as_user(world["hr"]).get("/involvement/roadmap").get_data(as_text=True)
    assert "Zoë Ashworth" in page and "Trained member" in page and "1 more panel" in page
    assert "Chris Morgan" not in page  # a staff chair is not on the patient panelists' roadmap
    home = as_user(world["hr"]).get("/involvement").get_data(as_text=True)
    chair_row = home[home.index("Chris Morgan"):][:400]
    assert "Panel chair" in chair_row and "Member" not in chair_row  # their role, not a roadmap step
    assert "John O&#39;Neill" in page or "John O'Neill" in page


# --- before you start -------------------------------------------------------------------

def test_before_you_start_is_linked_from_the_home_page_and_says_who_to_call(app, as_user, world):
    client = as_user(world["panelist"])
    assert "/before-you-start" in client.get("/").get_data(as_text=True)
    page = client.get("/before-you-start/patient/shortlisting").get_data(as_text=True)
    for words in ("What is asked of you", "How long it usually takes", "0 – no evidence", "Person specification",
                  "Disability Confident", "Conflict of interest", "Moderation", "Who to call"):
        assert words in page, words


# --- the lead's home page ----------------------------------------------------------------

def test_the_lead_home_shows_training_availability_and_the_hook_columns(as_user, world, session, monkeypatch):
    from panel.profiles import hooks

    fill_profile(as_user(world["other"]))
    monkeypatch.setattr(hooks, "debrief_column", lambda s, ids: {world["other"].id: "Debrief offered 3 March"})
    monkeypatch.setattr(hooks, "waiting_for_reply_column", lambda s, ids: {world["other"].id: "Asked for a call"})
    page = as_user(world["hr"]).get("/involvement").get_data(as_text=True)
    assert "Weekday mornings" in page and "Debrief offered 3 March" in page and "Asked for a call" in page
    assert "No training recorded" in page


# --- retention and subject access ---------------------------------------------------------

def test_the_export_holds_the_whole_involvement_record(as_user, world, session):
    fill_profile(as_user(world["other"]))
    _train(session, world["other"], TrainingKind.CONFIDENTIALITY, dt.date(2026, 1, 5), dt.date(2026, 2, 1), world["hr"])
    r = as_user(world["hr"]).get(f"/involvement/people/{world['other'].id}/export.json")
    data = r.get_json()
    assert data["profile"]["other_needs"] == "A chair with arms"
    assert {s["item"] for s in data["shared_with_the_chair"]} == {"step_free", "breaks", "large_print"}
    assert data["training"][0]["kind"] == "Confidentiality" and data["training"][0]["in_date"] is False
    assert data["training"][0]["recorded_by"] == "Priya Shah"
    assert r.headers["Cache-Control"] == "no-store"


def test_involvement_records_are_purged_after_the_retention_period(app, as_user, world, session):
    fill_profile(as_user(world["other"]))
    _train(session, world["other"], TrainingKind.RECRUITMENT, dt.date(2026, 1, 5))
    days = app.config["PROFILE_RETENTION_DAYS"]
    from panel.db import utcnow
    with app.app_context():
        soon = utcnow() + dt.timedelta(days=days - 1)
        assert records.purge(session, soon).user_ids == []
        later = utcnow() + dt.timedelta(days=days + 1)
        dry = records.purge(session, later, dry_run=True)
        assert world["other"].id in dry.user_ids and "would delete" in dry.lines()[0]
        assert session.scalar(select(InvolvementProfile)) is not None
        done = records.purge(session, later)
        session.commit()
    assert world["other"].id in done.user_ids
    assert session.scalar(select(InvolvementProfile)) is None
    assert session.scalar(select(ProfileConsent)) is None
    assert session.scalar(select(TrainingRecord)) is None
    assert session.get(User, world["other"].id) is not None  # the account stays


def test_the_demo_loads_with_the_rules_on_and_shows_profiles_training_and_an_override(app, session):
    app.config.update(RULES_ON)
    result = app.test_cli_runner().invoke(args=["demo-data"])
    assert result.exit_code == 0, result.output
    zoe = session.scalar(select(User).where(User.email == "zoe.ashworth@example.org"))
    profile = session.scalar(select(InvolvementProfile).where(InvolvementProfile.user_id == zoe.id))
    assert profile.step_free and profile.break_every == "every hour"
    kinds = {(t.kind, t.in_date(dt.date.today())) for t in
             session.scalars(select(TrainingRecord).where(TrainingRecord.user_id == zoe.id))}
    assert (TrainingKind.RECRUITMENT, False) in kinds  # expired
    hit = session.scalar(select(Vacancy).where(Vacancy.reference == "HIT-LIN-0311"))
    assert session.scalars(select(PanelRuleOverride).where(PanelRuleOverride.vacancy_id == hit.id)).all()
    assert session.scalar(select(User).where(User.involvement_lead.is_(True))).name == "Dr Amara Okafor"


def test_flask_purge_reports_the_involvement_records(app, world):
    result = app.test_cli_runner().invoke(args=["purge", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Involvement records: nothing is due for purging." in result.output
