"""Issue 15: deadlines, the notifications outbox, reminders and the worker.

Time travel with time-machine: the clock is moved and the worker run, and the outbox (the
notifications table, and the .eml files the email channel writes in tests) is read at each moment.
"""
from __future__ import annotations

import datetime as dt
import threading
import time
from collections import Counter

import pytest
import time_machine
from sqlalchemy import select

from panel import deadlines
from panel.models import InterviewDay, Notification, NotificationStatus, PanelRole
from panel.notifications import channels, worker
from panel.vacancies import services as vacancy_services
from tests.conftest import login, outbox_messages
from tests.snapshots import snapshotted

LONDON = deadlines.LONDON
MONDAY = dt.datetime(2027, 3, 8, 10, 0, tzinfo=LONDON)  # Monday 8 March 2027, 10am (GMT)


def at(day: int, hour: int = 10, month: int = 3):
    return time_machine.travel(dt.datetime(2027, month, day, hour, 0, tzinfo=LONDON), tick=False)


def rows(session, vacancy=None):
    session.expire_all()
    stmt = select(Notification).order_by(Notification.id)
    if vacancy is not None:
        stmt = stmt.where(Notification.vacancy_id == vacancy.id)
    return list(session.scalars(stmt))


def seen(session, vacancy, *statuses):
    """(kind, recipient name, status) of the vacancy's messages, optionally of some statuses only."""
    return sorted((n.kind, n.user.name, n.status.value) for n in rows(session, vacancy)
                  if not statuses or n.status.value in statuses)


def run_worker(app, summaries=False):
    """Run the worker once; unless ``summaries``, the chair's and HR's daily summaries are left out
    of the result (tests/test_notifications_summary.py counts those)."""
    with app.app_context():
        result = worker.run_once()
        if not summaries:
            with app.extensions["panel.sessionmaker"]() as session:
                daily = set(session.scalars(select(Notification.id).where(Notification.kind == "deadline_summary")))
            for name in ("sent", "retrying", "failed", "cancelled"):
                setattr(result, name, [i for i in getattr(result, name) if i not in daily])
        return result


@pytest.fixture()
@snapshotted
def team(build):
    """A draft vacancy with one candidate to read and a chair, a staff member and a patient panelist."""
    chair = build.user("chair", name="Chris Chair")
    staff = build.user("chair", name="Sam Staff")
    patient = build.user("panelist", name="Pat Patient")
    return {"chair": chair, "staff": staff, "patient": patient}


def set_deadlines(build, vacancy, actor=None, **dates):
    with build.context():
        return vacancy_services.set_deadlines(build.session, actor or build.actor, vacancy, dates)


# --- deadlines in plain English -------------------------------------------------------------

def test_deadline_sentences():
    today = dt.date(2027, 3, 8)
    assert deadlines.phrase("Shortlisting", dt.date(2027, 3, 12), today) == \
        "Shortlisting closes on Friday 12 March, in 4 days"
    assert deadlines.phrase("Shortlisting", today, today) == "Shortlisting closes on Monday 8 March, today"
    assert deadlines.phrase("Shortlisting", dt.date(2027, 3, 9), today).endswith("tomorrow")
    assert deadlines.phrase("Interview scoring", dt.date(2027, 3, 5), today) == \
        "Interview scoring closed on Friday 5 March, 3 days ago"
    assert deadlines.phrase("Shortlisting", dt.date(2028, 1, 3), today) == \
        "Shortlisting closes on Monday 3 January 2028, in 301 days"
    # 9am London is 9am UTC in winter and 8am UTC in summer
    assert deadlines.at_london(dt.date(2027, 3, 8)).hour == 9
    assert deadlines.at_london(dt.date(2027, 7, 8)).hour == 8


def test_hr_sets_deadlines_shown_in_plain_english(app, client, build, team):
    v = build.vacancy(panel=[(team["chair"], "chair"), (team["patient"], "patient")])
    build.commit()
    with at(8):
        login(client, build.actor.email)
        r = client.post_form(f"/vacancies/{v.id}/deadlines", {
            "shortlisting_deadline-day": "12", "shortlisting_deadline-month": "3", "shortlisting_deadline-year": "2027",
            "scoring_deadline-day": "26", "scoring_deadline-month": "3", "scoring_deadline-year": "2027"})
        assert r.status_code == 302
        page = client.get(f"/vacancies/{v.id}").get_data(as_text=True)
    assert "Shortlisting closes on Friday 12 March, in 4 days." in page
    assert "Interview scoring closes on Friday 26 March, in 18 days." in page
    build.session.refresh(v)
    assert v.shortlisting_deadline == dt.date(2027, 3, 12)


@pytest.mark.parametrize("form,field,message", [
    ({"shortlisting_deadline": (7, 3, 2027)}, "shortlisting_deadline",
     "The shortlisting deadline must be today or in the future"),
    ({"shortlisting_deadline": (20, 3, 2027), "scoring_deadline": (19, 3, 2027)}, "scoring_deadline",
     "The interview scoring deadline must be on or after the shortlisting deadline"),
    ({"shortlisting_deadline": (31, 2, 2027)}, "shortlisting_deadline", "Shortlisting deadline must be a real date"),
])
def test_bad_deadlines_refused_next_to_the_field(app, client, build, team, form, field, message):
    v = build.vacancy(panel=[(team["chair"], "chair")])
    build.commit()
    data = {}
    for name, (d, m, y) in form.items():
        data.update({f"{name}-day": str(d), f"{name}-month": str(m), f"{name}-year": str(y)})
    with at(8):
        login(client, build.actor.email)
        r = client.post_form(f"/vacancies/{v.id}/deadlines", data)
    assert r.status_code == 400
    html = r.get_data(as_text=True)
    assert f'id="{field}-error"' in html or f'id="{field}--error-message"' in html or message in html
    assert message in html
    build.session.expire_all()
    assert build.session.get(type(v), v.id).shortlisting_deadline is None
    assert rows(build.session, v) and all(n.kind == "added_to_panel" for n in rows(build.session, v))


def test_the_chair_can_extend_but_not_shorten_or_remove(app, client, build, team):
    v = build.vacancy(panel=[(team["chair"], "chair"), (team["patient"], "patient")])
    with at(8):
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
    build.commit()
    with at(9):
        login(client, team["chair"].email)
        shorter = client.post_form(f"/vacancies/{v.id}/deadlines", {
            "shortlisting_deadline-day": "11", "shortlisting_deadline-month": "3", "shortlisting_deadline-year": "2027"})
        assert shorter.status_code == 400
        assert "You can only move the shortlisting deadline later" in shorter.get_data(as_text=True)
        removed = client.post_form(f"/vacancies/{v.id}/deadlines", {})
        assert removed.status_code == 400
        assert "Only HR can remove the shortlisting deadline" in removed.get_data(as_text=True)
        longer = client.post_form(f"/vacancies/{v.id}/deadlines", {
            "shortlisting_deadline-day": "15", "shortlisting_deadline-month": "3", "shortlisting_deadline-year": "2027"})
        assert longer.status_code == 302
        # a patient panelist may not
        other = app.test_client()
        login(other, team["patient"].email)
        assert other.get(f"/vacancies/{v.id}/deadlines").status_code == 404
    build.session.expire_all()
    assert build.session.get(type(v), v.id).shortlisting_deadline == dt.date(2027, 3, 15)


# --- the outbox through a vacancy's life -----------------------------------------------------

def test_time_travel_walk_through_a_vacancy(app, build, team):
    """Which messages exist, and which are sent, at each moment of a vacancy's life."""
    chair, staff, patient = team["chair"], team["staff"], team["patient"]
    with at(1):  # Monday 1 March: HR sets up the job and its panel, with deadlines
        v = build.vacancy(panel=[(chair, "chair"), (staff, "staff"), (patient, "patient")])
        c1, c2 = build.candidate(v), build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12), scoring_deadline=dt.date(2027, 3, 26))
        build.commit()
        # everyone is told they are on the panel; no reminders while the vacancy is a draft
        assert seen(build.session, v) == [("added_to_panel", n, "queued") for n in
                                          ("Chris Chair", "Pat Patient", "Sam Staff")]
        assert len(run_worker(app).sent) == 3
    with at(8):  # Monday 8 March: shortlisting opens
        build.advance(v)
        build.commit()
        opened = [n for n in rows(build.session, v) if n.kind == "shortlisting_opened"]
        assert len(opened) == 3 and "There are 2 applications to read" in opened[0].body
        reminders = [n for n in rows(build.session, v) if n.kind == "shortlisting_reminder"]
        # 2 days before (Wednesday 10 March) and on the day (Friday 12 March), 9am London, for each of the 3
        assert sorted({n.due_at for n in reminders}) == [deadlines.at_london(dt.date(2027, 3, 10)),
                                                          deadlines.at_london(dt.date(2027, 3, 12))]
        assert len(reminders) == 6
        assert len(run_worker(app).sent) == 3  # the "shortlisting has opened" messages only
        # the chair and the staff member finish; the patient panelist has one application left
        for user in (chair, staff):
            build.shortlist_scores(c1, user, [2, 2])
            build.shortlist_scores(c2, user, [1, 1])
        build.shortlist_scores(c1, patient, [2, 1])
        build.commit()
    with at(10, 8):  # Wednesday 8am: nothing due yet
        assert run_worker(app).sent == []
    with at(10, 9):  # 9am: the reminder goes only to the patient panelist, who has not finished
        result = run_worker(app)
        assert len(result.sent) == 1 and len(result.cancelled) == 2
        build.session.expire_all()
        sent = build.session.get(Notification, result.sent[0])
        assert sent.user_id == patient.id
        assert sent.subject == "Reminder: Shortlisting closes on Friday 12 March, in 2 days"
        assert sent.provider_id and sent.provider_id.startswith("<")
    with at(11):
        build.shortlist_scores(c2, patient, [1, 1])
        build.commit()
    with at(12, 9):  # the day itself: everyone has finished, nobody is chased
        result = run_worker(app)
        assert result.sent == [] and len(result.cancelled) == 3
    assert [m["Subject"] for m in outbox_messages(app)].count(
        "Reminder: Shortlisting closes on Friday 12 March, in 2 days") == 1
    with at(15):  # interviews: the shortlisting reminders are over, the scoring ones planned
        build.decide(c1)
        build.decide(c2, "reject", "Did not meet the essential criteria")
        build.advance(v)
        build.commit()
        assert {n.kind for n in rows(build.session, v) if n.status == NotificationStatus.QUEUED} == {"scoring_reminder", "deadline_summary"}
    assert all(n.status in (NotificationStatus.SENT, NotificationStatus.CANCELLED, NotificationStatus.QUEUED)
               for n in rows(build.session, v))


def test_reminders_replanned_when_the_deadline_moves(app, build, team):
    with at(8):
        v = build.vacancy(panel=[(team["chair"], "chair"), (team["patient"], "patient")])
        build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.advance(v)
        build.commit()
        run_worker(app)  # "added" and "shortlisting has opened"
        old = {n.idempotency_key for n in rows(build.session, v) if n.kind == "shortlisting_reminder"}
        assert len(old) == 4
        set_deadlines(build, v, actor=team["chair"], shortlisting_deadline=dt.date(2027, 3, 19))  # the chair extends
        build.commit()
        reminders = [n for n in rows(build.session, v) if n.kind == "shortlisting_reminder"]
        assert {n.idempotency_key for n in reminders if n.status == NotificationStatus.CANCELLED} == old
        queued = [n for n in reminders if n.status == NotificationStatus.QUEUED]
        assert len(queued) == 4 and not ({n.idempotency_key for n in queued} & old)
        assert sorted({n.due_at for n in queued}) == [deadlines.at_london(dt.date(2027, 3, 17)),
                                                       deadlines.at_london(dt.date(2027, 3, 19))]
    with at(10, 9):  # the old reminder time: nothing is sent
        assert run_worker(app).sent == []
    with at(17, 9):
        assert len(run_worker(app).sent) == 2
    with at(18):  # moved back to an earlier day than the planned reminders, by HR: planned again
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 18))
        build.commit()
        queued = [n for n in rows(build.session, v) if n.kind == "shortlisting_reminder"
                  and n.status == NotificationStatus.QUEUED]
        assert len(queued) == 2  # on the day only: "2 days before" has passed
        assert all(n.due_at == dt.datetime(2027, 3, 18, 10, tzinfo=LONDON) for n in queued)  # due now (after 9am)


def test_stepped_aside_is_not_chased(app, build, team):
    chair, patient = team["chair"], team["patient"]
    with at(8):
        v = build.vacancy(panel=[(chair, "chair"), (patient, "patient")])
        c1, c2 = build.candidate(v), build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.advance(v)
        build.shortlist_scores(c1, patient, [2, 2])
        build.declare(c2, patient, knows=True)  # knows candidate 2: steps aside, owes nothing more
        build.shortlist_scores(c1, chair, [2, 2])  # the chair still owes candidate 2
        build.commit()
        run_worker(app)  # "added" and "shortlisting has opened"
    with at(10, 9):
        result = run_worker(app)
    build.session.expire_all()
    assert [build.session.get(Notification, i).user_id for i in result.sent] == [chair.id]
    cancelled = build.session.get(Notification, result.cancelled[0])
    assert cancelled.user_id == patient.id and cancelled.last_error == "They had already finished"


def test_a_deactivated_person_receives_nothing(app, build, team):
    chair, patient = team["chair"], team["patient"]
    gone = build.user("panelist", name="Gone Person", active=False)
    with at(8):
        v = build.vacancy(panel=[(chair, "chair"), (patient, "patient")])
        build.candidate(v)
        # an inactive account cannot be added to a panel, and so is written no message
        with pytest.raises(vacancy_services.VacancyError):
            build.panel_member(v, gone)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.advance(v)
        build.commit()
        # deactivated once messages are planned: nothing is sent, and no new messages are written
        from panel.auth import services as auth_services
        with build.context():
            auth_services.set_active(build.session, build.actor, patient, False)
        build.commit()
        result = run_worker(app)
    with at(10, 9):
        result2 = run_worker(app)
    for r in (result, result2):
        assert all(build.session.get(Notification, i).user_id != patient.id for i in r.sent)
    mine = [n for n in rows(build.session, v) if n.user_id == patient.id]
    assert mine and all(n.status == NotificationStatus.CANCELLED for n in mine if n.due_at <= MONDAY + dt.timedelta(days=3))
    assert not [m for m in outbox_messages(app) if m["To"] == patient.email]


def test_results_signed_off_thank_everyone_and_tell_patient_panelists_the_outcome(app, build, team):
    chair, patient = team["chair"], team["patient"]
    v = build.vacancy(panel=[(chair, "chair"), (patient, "patient")])
    alex, bea = build.candidate(v, first_name="Alex"), build.candidate(v, first_name="Bea")
    build.advance(v)
    build.shortlist(v, outcomes={2: "reject"})
    build.advance(v)
    q = build.plan_question(v, "Why this job?")
    for member in (chair, patient):
        build.interview_scores(alex, member, [q], [3])
    build.outcome(alex, "preferred")
    build.sign_off(v)
    build.commit()
    thanks = {n.user_id: n for n in rows(build.session, v) if n.kind == "results_signed_off"}
    assert set(thanks) == {chair.id, patient.id}
    assert ("How it ended: 1 candidate was interviewed and 1 was found appointable. "
            "The preferred candidate will be offered the job.") in thanks[patient.id].body
    assert "How it ended" not in thanks[chair.id].body
    for n in rows(build.session, v):  # no message names a candidate
        for c in (alex, bea):
            assert c.first_name not in n.body and c.last_name not in n.body


# --- sending: once, and only once --------------------------------------------------------------

def test_the_same_event_writes_one_message(app, build, team):
    v = build.vacancy(panel=[(team["chair"], "chair")])
    with build.context():
        from panel.notifications import services
        member = v.panel_members[0]
        services.added_to_panel(build.session, v, member)
        services.added_to_panel(build.session, v, member)
    build.commit()
    assert len(rows(build.session, v)) == 1
    run_worker(app)
    assert run_worker(app).sent == []
    assert len(outbox_messages(app)) == 1


def test_two_workers_racing_send_each_message_once(app, build, monkeypatch):
    chair = build.user("chair")
    v = build.vacancy(panel=[(chair, "chair")] + [(build.user("panelist"), "patient") for _ in range(11)])
    build.commit()
    sends: Counter = Counter()
    lock = threading.Lock()

    class Slow:
        name = "email"

        def send(self, notification, user):
            with lock:
                sends[notification.id] += 1
            time.sleep(0.01)  # a slow provider widens any window between claim and send
            return f"fake-{notification.id}"

    monkeypatch.setitem(channels.CHANNELS, "email", Slow())
    monkeypatch.setitem(worker.CHANNELS, "email", Slow())
    results = []

    def work(token):
        with app.app_context():
            results.append(worker.run_once(token, limit=3))

    threads = [threading.Thread(target=work, args=(f"worker-{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(sends) == 12 and set(sends.values()) == {1}
    assert sorted(i for r in results for i in r.sent) == sorted(sends)
    assert {n.status for n in rows(build.session, v)} == {NotificationStatus.SENT}


def test_a_claim_cannot_be_taken_twice(app, build, team):
    v = build.vacancy(panel=[(team["chair"], "chair")])
    build.commit()
    with app.app_context():
        first = worker.claim("a")
        assert worker.claim("b") == []  # taken: the lease has not run out
        assert len(first) == 1
    later = dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=app.config["NOTIFY_LEASE_SECONDS"] + 1)
    with app.app_context(), time_machine.travel(later, tick=False):
        assert worker.claim("b") == first  # "a" died holding it: "b" takes it over
        result = worker.RunResult()
        worker.send_one(first[0], "a", result)  # "a" comes back: its claim is gone, it sends nothing
        assert result.sent == []



def test_of_two_workers_that_saw_a_message_due_only_one_claims_it(app, build, team):
    """The SQLite claim: both saw the row queued; the first UPDATE takes it, the second changes nothing."""
    v = build.vacancy(panel=[(team["chair"], "chair")])
    build.commit()
    nid = rows(build.session, v)[0].id
    now = dt.datetime.now(dt.timezone.utc)
    with app.app_context(), app.extensions["panel.sessionmaker"]() as s:
        values = {"status": NotificationStatus.SENDING, "lease_until": now + dt.timedelta(minutes=5),
                  "attempts": Notification.attempts + 1}
        assert worker.take(s, nid, {**values, "claimed_by": "a"}, now) is True
        assert worker.take(s, nid, {**values, "claimed_by": "b"}, now) is False
    build.session.expire_all()
    row = build.session.get(Notification, nid)
    assert (row.claimed_by, row.attempts) == ("a", 1)


def test_smtp_down_messages_wait_and_the_page_still_works(app, client, build, team):
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=9, SMTP_TIMEOUT=1)  # nothing listens there
    v = build.vacancy(panel=[(team["chair"], "chair")])
    build.commit()
    login(client, build.actor.email)
    r = client.post_form(f"/vacancies/{v.id}/panel", {"user_id": team["patient"].id, "panel_role": "patient"})
    assert r.status_code == 302  # the page that caused the message works
    with at(8):
        result = run_worker(app)
    assert len(result.retrying) == 2 and result.sent == []
    for n in rows(build.session, v):
        assert n.status == NotificationStatus.QUEUED and n.attempts == 1 and n.last_error
        assert n.next_attempt_at == dt.datetime(2027, 3, 8, 10, 1, tzinfo=LONDON)  # a minute later
    with at(8):
        assert run_worker(app).retrying == []  # not again before the back-off ends
    # every try fails: after NOTIFY_MAX_ATTEMPTS the messages are marked as not delivered
    moment = dt.datetime(2027, 3, 8, 10, 0, tzinfo=LONDON)
    for _ in range(app.config["NOTIFY_MAX_ATTEMPTS"] - 1):
        moment += dt.timedelta(days=1)
        with time_machine.travel(moment, tick=False):
            run_worker(app)
    assert {n.status for n in rows(build.session, v)} == {NotificationStatus.FAILED}
    page = client.get(f"/vacancies/{v.id}").get_data(as_text=True)
    assert "2 messages could not be delivered" in page
    listing = client.get(f"/vacancies/{v.id}/messages").get_data(as_text=True)
    assert "Could not be delivered" in listing
    # SMTP back: nothing more is sent for them (HR decides what to do), nothing lost from the table
    app.config["SMTP_HOST"] = ""
    assert run_worker(app).sent == []


def test_worker_command_once(app, build, team):
    build.vacancy(panel=[(team["chair"], "chair")])
    build.commit()
    out = app.test_cli_runner().invoke(args=["notifications", "run", "--once"])
    assert out.exit_code == 0, out.output
    assert "sent 1," in out.output
    assert outbox_messages(app)[0]["Subject"].startswith("You have been added to the interview panel")


def test_messages_sent_to_you_and_hrs_list_are_audit_logged(app, client, build, team):
    from panel.models import AuditEvent

    v = build.vacancy(reference="MSG-1", panel=[(team["chair"], "chair"), (team["patient"], "patient")])
    build.commit()
    run_worker(app)
    login(client, team["patient"].email)
    page = client.get("/account/messages").get_data(as_text=True)
    assert "You have been added to the interview panel for Psychological Wellbeing Practitioner" in page
    assert "Chris Chair" not in page  # only their own messages
    hr = app.test_client()
    login(hr, build.actor.email)
    listing = hr.get(f"/vacancies/{v.id}/messages").get_data(as_text=True)
    assert listing.count("You have been added to the interview panel") == 2 and listing.count(">Sent<") == 2
    build.session.expire_all()
    actions = list(build.session.scalars(select(AuditEvent.summary).where(AuditEvent.action == "view")))
    assert "Viewed the messages sent to them" in actions and "Messages of MSG-1 viewed" in actions


# --- calendar invitations for the interview day -------------------------------------------------

def _calendars(session, vacancy, user):
    import icalendar

    out = []
    for n in rows(session, vacancy):
        if n.user_id == user.id and n.kind in ("interview_day", "interview_day_cancelled") \
                and n.status != NotificationStatus.CANCELLED:
            out.append((n, icalendar.Calendar.from_ical(n.attachment)))
    return out


def test_interview_day_invitations_update_and_cancel(app, build, team):
    from panel.plans import services as plan_services, timetable

    chair, patient = team["chair"], team["patient"]
    v = build.vacancy(panel=[(chair, "chair"), (patient, "patient")], interview_venue="Room 4, Pilgrim Hospital")
    build.commit()

    def save_day(hour):
        settings = timetable.DaySettings(date=dt.date(2027, 4, 13), starts=dt.time(hour, 30), ends=dt.time(16, 0),
                                         slot_minutes=45, gap_minutes=15)
        with build.context():
            plan_services.save_day(build.session, build.actor, v, settings, "")
        build.commit()

    save_day(9)
    [(first, cal)] = _calendars(build.session, v, patient)
    assert first.subject == "Interviews for Psychological Wellbeing Practitioner on 13 April 2027"
    assert cal["method"] == "REQUEST"
    event = cal.walk("VEVENT")[0]
    tz = cal.walk("VTIMEZONE")[0]
    assert tz["tzid"] == "Europe/London"
    day_id = build.session.scalar(select(InterviewDay.id).where(InterviewDay.vacancy_id == v.id))
    assert event["uid"] == f"interview-day-{day_id}-{patient.id}@panel"
    assert event["sequence"] == 0 and event["status"] == "CONFIRMED"
    assert event.decoded("dtstart") == dt.datetime(2027, 4, 13, 9, 30, tzinfo=LONDON)  # BST: 8:30 UTC
    assert event.decoded("dtstart").utcoffset() == dt.timedelta(hours=1)
    assert str(event["location"]) == "Room 4, Pilgrim Hospital"
    assert str(event["attendee"]) == f"mailto:{patient.email}"

    def day_before_reminders():
        return [(n.due_at, n.status) for n in rows(build.session, v)
                if n.kind == "interview_day_reminder" and n.user_id == patient.id]

    # the day before, 9am London (BST: 8am UTC)
    assert day_before_reminders() == [(dt.datetime(2027, 4, 12, 8, 0, tzinfo=dt.timezone.utc), NotificationStatus.QUEUED)]
    save_day(9)  # saved again unchanged: nothing new
    assert len(day_before_reminders()) == 1
    assert len(_calendars(build.session, v, patient)) == 1  # (this session now holds the rows as queued)
    run_worker(app)
    save_day(10)  # moved: an update with the same UID, a higher SEQUENCE
    invitations = _calendars(build.session, v, patient)
    assert len(invitations) == 2
    (_, old), (update, new) = invitations
    assert update.subject.startswith("Changed: ")
    e_old, e_new = old.walk("VEVENT")[0], new.walk("VEVENT")[0]
    assert e_new["uid"] == e_old["uid"] and e_new["sequence"] == 1
    assert e_new.decoded("dtstart").hour == 10
    # the reminder re-planned: the old one cancelled, a new one (new key) for the same morning
    assert sorted(st.value for _, st in day_before_reminders()) == ["cancelled", "queued"]
    # the chair's UID is a different one
    (_, chair_cal), _ = _calendars(build.session, v, chair)
    assert chair_cal.walk("VEVENT")[0]["uid"] != e_new["uid"]

    run_worker(app)
    member = next(m for m in v.panel_members if m.user_id == patient.id)
    with build.context():
        vacancy_services.remove_panel_member(build.session, build.actor, member)
    build.commit()
    (n, cancel) = _calendars(build.session, v, patient)[-1]
    assert n.kind == "interview_day_cancelled" and cancel["method"] == "CANCEL"
    e = cancel.walk("VEVENT")[0]
    assert e["uid"] == e_new["uid"] and e["sequence"] == 2 and e["status"] == "CANCELLED"
    assert {st.value for _, st in day_before_reminders()} == {"cancelled"}  # no reminder to someone removed
    run_worker(app)
    sent = [m for m in outbox_messages(app) if m["To"] == patient.email and "interviews" in m["Subject"].lower()]
    parts = [p for p in sent[-1].walk() if p.get_content_type() == "text/calendar"]
    assert parts and parts[0].get_param("method") == "CANCEL"


def test_no_cancellation_for_an_invitation_never_sent(app, build, team):
    from panel.plans import services as plan_services, timetable

    v = build.vacancy(panel=[(team["chair"], "chair"), (team["patient"], "patient")])
    settings = timetable.DaySettings(date=dt.date(2027, 4, 13), starts=dt.time(9, 30), ends=dt.time(16, 0),
                                     slot_minutes=45, gap_minutes=15)
    with build.context():
        plan_services.save_day(build.session, build.actor, v, settings, "Room 4")
        member = next(m for m in v.panel_members if m.user_id == team["patient"].id)
        vacancy_services.remove_panel_member(build.session, build.actor, member)
    build.commit()
    theirs = [n for n in rows(build.session, v) if n.user_id == team["patient"].id and n.kind.startswith("interview_day")]
    assert theirs and {n.status for n in theirs} == {NotificationStatus.CANCELLED}
    assert not [n for n in theirs if n.kind == "interview_day_cancelled"]


def test_hr_previews_every_message_kind(app, client, build, team):
    from panel.notifications.services import KIND_LABELS

    v = build.vacancy(panel=[(team["chair"], "chair")])
    with at(8):
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 12))
        build.commit()
        login(client, build.actor.email)
        page = client.get(f"/vacancies/{v.id}/messages/preview").get_data(as_text=True)
    for label in KIND_LABELS.values():
        assert label in page
    assert "Reminder: Shortlisting closes on Friday 12 March, in 2 days" in page
    assert "How it ended:" in page
    assert len(rows(build.session, v)) == 1  # a preview writes nothing to the outbox
