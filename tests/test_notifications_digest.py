"""Issue 15 item 3, "how often": a person may hear the messages that can wait as things happen or
in one daily digest (9am London). Essential messages (being added to a panel, interview day
invitations and cancellations) always go at once. A digest keeps the outbox's guarantees: every
held row is sent exactly once, inside exactly one digest, and none is lost."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from panel.models import AuditEvent, Notification, NotificationStatus
from panel.notifications import channels, services, worker
from tests.conftest import login, outbox_messages
from tests.test_notifications import LONDON, at, rows, run_worker, set_deadlines
from tests.snapshots import snapshotted


@pytest.fixture()
@snapshotted
def people(build):
    daily = build.user("panelist", name="Dee Daily")
    daily.message_frequency = "daily"
    now = build.user("panelist", name="Ian Immediate")
    chair = build.user("chair", name="Chris Chair")
    build.commit()
    return {"daily": daily, "now": now, "chair": chair}


def shortlisting_open(app, build, people, member, deadline=dt.date(2027, 3, 9), **vacancy):
    """On Monday 8 March: a vacancy with one application, ``member`` on its panel, shortlisting open
    until ``deadline``; the messages due at once sent. Returns the vacancy."""
    with at(8):
        v = build.vacancy(panel=[(people["chair"], "chair"), (member, "patient")], **vacancy)
        build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=deadline)
        build.advance(v)
        build.commit()
        run_worker(app)
    return v


def _mails(app, person):
    return [m for m in outbox_messages(app) if m["To"] == person.email]


def test_a_daily_reader_gets_one_digest_and_essentials_at_once(app, build, people):
    daily, now = people["daily"], people["now"]
    with at(8):  # Monday 8 March 2027, 10am: HR sets up the vacancy and opens shortlisting
        v = build.vacancy(panel=[(people["chair"], "chair"), (daily, "patient"), (now, "patient")])
        c1 = build.candidate(v)
        set_deadlines(build, v, shortlisting_deadline=dt.date(2027, 3, 10))
        build.advance(v)
        build.commit()
        held = [n for n in rows(build.session, v) if n.user_id == daily.id and n.held_until is not None]
        # "shortlisting has opened" and the "2 days before" reminder (due now) wait for tomorrow's
        # digest; the reminder on the day for its own 9am
        assert sorted((n.kind, n.held_until) for n in held) == [
            ("shortlisting_opened", dt.datetime(2027, 3, 9, 9, tzinfo=LONDON)),
            ("shortlisting_reminder", dt.datetime(2027, 3, 9, 9, tzinfo=LONDON)),
            ("shortlisting_reminder", dt.datetime(2027, 3, 10, 9, tzinfo=LONDON))]
        run_worker(app)
        # being added to a panel is essential: sent at once to both; the rest at once only to Ian
        assert [m["Subject"].split(" for ")[0] for m in _mails(app, daily)] == ["You have been added to the interview panel"]
        assert len(_mails(app, now)) == 3
    with at(9, 8):
        assert len(run_worker(app).sent) == 0
    with at(9, 9):  # Tuesday 9am: one email carries both held messages
        result = run_worker(app)
        mails = _mails(app, daily)
        assert len(mails) == 2
        digest = mails[-1]
        assert digest["Subject"] == "Your daily digest: 2 messages about your panels"
        text = digest.get_content()
        assert text.startswith("Hello Dee,") and text.count("Hello Dee,") == 1
        assert text.index("1. Shortlisting has opened") < text.index(
            "2. Reminder: Shortlisting closes on Wednesday 10 March, in 2 days")
        sent = [n for n in rows(build.session, v) if n.user_id == daily.id and n.id in result.sent]
        assert len(sent) == 2 and {n.provider_id for n in sent} == {digest["Message-ID"]}
        assert run_worker(app).sent == []  # nothing twice
        assert len(_mails(app, daily)) == 2
    # Ian heard each message on its own, as it happened
    assert all("digest" not in m["Subject"] for m in _mails(app, now))
    build.shortlist_scores(c1, daily, [2, 2])
    build.commit()
    with at(10, 9):  # finished: the day's reminder is cancelled at digest time, nothing is sent
        run_worker(app)
        mine = [n for n in rows(build.session, v) if n.user_id == daily.id and n.kind == "shortlisting_reminder"]
        assert sorted(n.status.value for n in mine) == ["cancelled", "sent"]
        assert len(_mails(app, daily)) == 2
    # nothing lost: every held row ended sent or cancelled
    assert {n.status for n in rows(build.session, v) if n.user_id == daily.id} <= {
        NotificationStatus.SENT, NotificationStatus.CANCELLED}


def test_interview_day_invitation_is_never_held(app, build, people):
    from panel.plans import services as plan_services, timetable

    daily = people["daily"]
    v = build.vacancy(panel=[(people["chair"], "chair"), (daily, "patient")])
    settings = timetable.DaySettings(date=dt.date(2027, 4, 13), starts=dt.time(9, 30), ends=dt.time(16, 0),
                                     slot_minutes=45, gap_minutes=15)
    with at(8), build.context():
        plan_services.save_day(build.session, build.actor, v, settings, "Room 4")
    build.commit()
    mine = {n.kind: n.held_until for n in rows(build.session, v) if n.user_id == daily.id}
    assert mine["interview_day"] is None and mine["added_to_panel"] is None
    assert mine["interview_day_reminder"] == dt.datetime(2027, 4, 12, 9, tzinfo=LONDON)  # its own 9am: no later


def test_a_digest_is_retried_whole_and_sent_once(app, build, people, monkeypatch):
    daily = people["daily"]
    v = shortlisting_open(app, build, people, daily)
    calls = []

    class Flaky:
        name = "email"

        def send(self, message, user):
            if user.id != daily.id:
                return "provider-0"
            calls.append(message.subject)
            if len(calls) == 1:
                raise channels.TemporaryFailure("SMTP down")
            return "provider-1"

    monkeypatch.setitem(worker.CHANNELS, "email", Flaky())
    with at(9, 9):  # "opened" and the on-the-day reminder: one digest, which fails once
        result = run_worker(app)
        assert len(result.retrying) == 2  # both rows of the one digest
    with at(9, 10):
        assert run_worker(app).sent == result.retrying
    assert calls == ["Your daily digest: 2 messages about your panels"] * 2
    mine = [n for n in rows(build.session, v) if n.user_id == daily.id and n.held_until]
    assert {(n.status, n.provider_id) for n in mine} == {(NotificationStatus.SENT, "provider-1")}


def test_a_held_message_another_worker_holds_is_not_taken(app, build, people):
    daily = people["daily"]
    shortlisting_open(app, build, people, daily)
    with at(9, 9), app.app_context():
        first = worker.claim("a")
        held = [i for i in first if build.session.get(Notification, i).user_id == daily.id]
        assert len(held) == 2
        assert worker.claim_digest("b", daily.id, "email") == []  # "a" holds them: "b" sends no digest
        assert sorted(worker.claim_digest("a", daily.id, "email")) == sorted(held)


def test_text_message_digest_says_only_first_name_count_and_link(app, build, people):
    daily = people["daily"]
    daily.contact_preference, daily.mobile = "text", "+447700900982"
    build.commit()
    v = shortlisting_open(app, build, people, daily, title="Clinical Psychologist")
    with at(9, 9), app.app_context():
        held = [n for n in rows(build.session, v) if n.user_id == daily.id and n.held_until]
        message = worker.summary.digest(held, daily)
    assert message.channel == "sms"
    assert message.body == "Hi Dee, you have 2 new messages about your panels: http://localhost/account/messages"


def test_changing_how_often_moves_waiting_messages(app, client, build, people):
    now = people["now"]
    v = shortlisting_open(app, build, people, now, dt.date(2027, 3, 12))
    with at(8):
        login(client, now.email)
        page = client.get("/account").get_data(as_text=True)
        assert "How often should we send messages that can wait?" in page
        r = client.post_form("/account", {"contact_preference": "email", "message_frequency": "daily"})
        assert r.status_code == 302
        waiting = [n for n in rows(build.session, v) if n.user_id == now.id and n.status == NotificationStatus.QUEUED]
        assert waiting and all(n.held_until == n.due_at for n in waiting)  # reminders are due at 9am: the digest time
        bad = client.post_form("/account", {"contact_preference": "email", "message_frequency": "hourly"})
        assert bad.status_code == 400 and "Not a valid choice" in bad.get_data(as_text=True)
        r = client.post_form("/account", {"contact_preference": "email", "message_frequency": "immediate"})
        assert r.status_code == 302
    waiting = [n for n in rows(build.session, v) if n.user_id == now.id and n.status == NotificationStatus.QUEUED]
    assert waiting and all(n.held_until is None for n in waiting)
    changes = list(build.session.scalars(select(AuditEvent.changes).where(AuditEvent.summary == "Preferences changed")))
    assert [c["message_frequency"] for c in changes] == [{"before": "immediate", "after": "daily"},
                                                         {"before": "daily", "after": "immediate"}]


def test_held_until_is_the_next_9am_london():
    from panel.models import User

    daily, eager = User(message_frequency="daily"), User(message_frequency="immediate")
    nine = dt.datetime(2027, 7, 8, 9, tzinfo=LONDON)  # BST
    assert services.held_until(daily, "shortlisting_opened", nine) == nine
    assert services.held_until(daily, "shortlisting_opened", nine + dt.timedelta(seconds=1)) == nine + dt.timedelta(days=1)
    assert services.held_until(daily, "results_signed_off", nine - dt.timedelta(hours=9)) == nine
    assert services.held_until(daily, "interview_day", nine + dt.timedelta(hours=1)) is None
    assert services.held_until(eager, "shortlisting_opened", nine) is None
