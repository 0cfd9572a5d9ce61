"""Issue 15 "done when": on the demo data of `make run`, moving the PWP vacancy forward produces the
right messages in the outbox, and moving the clock (time-machine) produces the reminders. Drives
panel/demo.py and the worker's run_once, as `make run` does (its worker polls every few seconds)."""
from __future__ import annotations

import datetime as dt

import icalendar
import pytest
import time_machine
from sqlalchemy import select

from panel.builders import Builder
from panel.models import Candidate, ConflictDeclaration, Notification, NotificationStatus, ShortlistSubmission, User, Vacancy
from panel.plans import services as plan_services, timetable
from tests.conftest import outbox_messages
from tests.test_notifications import LONDON, run_worker

START = dt.datetime(2027, 3, 1, 10, 0, tzinfo=LONDON)  # Monday 1 March 2027: `make run` loads the demo


def clock(month: int, day: int, hour: int = 10):
    return time_machine.travel(dt.datetime(2027, month, day, hour, 0, tzinfo=LONDON), tick=False)


def sent_since(app, seen: int) -> list[tuple[str, str]]:
    """(recipient, subject) of the emails written to the outbox after the first ``seen``."""
    return [(m["To"], m["Subject"].strip()) for m in outbox_messages(app)[seen:]]  # (a long one is folded)


def pwp_rows(session, pwp, *statuses):
    session.expire_all()
    return sorted((n.kind, n.user.name, n.status.value) for n in session.scalars(
        select(Notification).where(Notification.vacancy_id == pwp.id)) if not statuses or n.status.value in statuses)


def finish_shortlisting(build: Builder, pwp: Vacancy) -> None:
    """Everyone on the PWP panel submits the applications they have left (the demo has John part
    way through and Zoë and the chair not started)."""
    n = len([c for c in pwp.criteria if c.at_application])
    done = set(build.session.execute(select(ShortlistSubmission.candidate_id, ShortlistSubmission.user_id)))
    done |= set(build.session.execute(select(ConflictDeclaration.candidate_id, ConflictDeclaration.user_id)
                                      .where(ConflictDeclaration.stepped_aside)))
    for c in build.session.scalars(select(Candidate).where(Candidate.vacancy_id == pwp.id).order_by(Candidate.number)):
        if c.is_withdrawn:
            continue
        for m in pwp.panel_members:
            if (c.id, m.user_id) not in done:
                build.shortlist_scores(c, m.user, [(c.number + i) % 3 for i in range(n)])


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_demo_pwp_vacancy_moved_forward_and_the_clock_moved(app, session):
    from panel.demo import load_demo

    with time_machine.travel(START, tick=False):
        with app.app_context():
            load_demo()
        pwp = session.scalar(select(Vacancy).where(Vacancy.reference == "PWP-BOS-0425"))
        hr = session.scalar(select(User).where(User.email == "priya.shah@example.org"))
        build = Builder(session, hr, app=app)
        panel = ["Chris Morgan", "John O'Neill", "Zoë Ashworth"]
        # the demo's PWP vacancy is in shortlisting, closing on Monday 8 March: its panel has been
        # told they are on it and that shortlisting has opened; reminders and summaries are planned
        assert pwp_rows(session, pwp, "queued") == sorted(
            [("added_to_panel", p, "queued") for p in panel] + [("shortlisting_opened", p, "queued") for p in panel]
            + [("shortlisting_reminder", p, "queued") for p in panel] * 2
            + [("deadline_summary", p, "queued") for p in ("Chris Morgan", "Priya Shah")] * 3)
        run_worker(app)
        assert pwp_rows(session, pwp, "sent") == sorted(
            [("added_to_panel", p, "sent") for p in panel] + [("shortlisting_opened", p, "sent") for p in panel])
        seen = len(outbox_messages(app))

    with clock(3, 6, 8):  # Saturday 6 March, 8am: the chair's and HR's summary (2 days before)
        run_worker(app, summaries=True)
        summaries = sent_since(app, seen)
        assert sorted(to for to, _ in summaries) == ["chris.morgan@example.org", "priya.shah@example.org"]
        assert {s for _, s in summaries} == {"Who has not finished: Shortlisting closes on Monday 8 March, in 2 days"}
        body = outbox_messages(app)[-1].get_content()
        assert "- John O'Neill: 3 candidates left" in body and "- Zoë Ashworth: 9 candidates left" in body
        seen += 2
    with clock(3, 6, 9):  # 9am: the reminders, to everyone who has not finished
        run_worker(app)
        assert sorted(sent_since(app, seen)) == sorted(
            (email, "Reminder: Shortlisting closes on Monday 8 March, in 2 days") for email in
            ("chris.morgan@example.org", "john.oneill@example.org", "zoe.ashworth@example.org"))
        seen += 3

    with clock(3, 6, 11):  # the panel finishes, the chair decides, HR sets the day and moves the vacancy on
        finish_shortlisting(build, pwp)
        for c in session.scalars(select(Candidate).where(Candidate.vacancy_id == pwp.id, Candidate.withdrawn_at.is_(None))
                                 .order_by(Candidate.number)):
            build.decide(c, "shortlist" if c.number <= 4 else "reject",
                         "Meets the essential criteria" if c.number <= 4 else "Does not show the essential criteria")
        with build.context():
            plan_services.save_day(session, hr, pwp, timetable.DaySettings(
                date=dt.date(2027, 4, 5), starts=dt.time(9, 30), ends=dt.time(16, 0), slot_minutes=45,
                gap_minutes=15), "Pilgrim Hospital, Meeting Room 2")
        build.advance(pwp)
        build.commit()
        # the shortlisting reminders and summaries still waiting are withdrawn; the interview
        # scoring ones (Monday 5 and Wednesday 7 April) and the day-before reminder are planned
        queued = pwp_rows(session, pwp, "queued")
        assert [k for k in queued if k[0].startswith("shortlisting")] == []
        assert queued.count(("scoring_reminder", "Zoë Ashworth", "queued")) == 2
        assert ("interview_day_reminder", "John O'Neill", "queued") in queued
        result = run_worker(app)
        invitations = [session.get(Notification, i) for i in result.sent]
        assert sorted(n.kind for n in invitations) == ["interview_day"] * 3
        assert invitations[0].subject == "Interviews for Psychological Wellbeing Practitioner on 5 April 2027"
        event = icalendar.Calendar.from_ical(invitations[0].attachment).walk("VEVENT")[0]
        assert event.decoded("dtstart") == dt.datetime(2027, 4, 5, 9, 30, tzinfo=LONDON)
        parts = [p for p in outbox_messages(app)[-1].walk() if p.get_content_type() == "text/calendar"]
        assert parts and parts[0].get_param("method") == "REQUEST"
        seen += 3

    with clock(3, 8, 9):  # the old shortlisting deadline: nothing for the PWP panel (it was withdrawn)
        sent = run_worker(app, summaries=True).sent
        assert pwp.id not in {session.get(Notification, i).vacancy_id for i in sent}
        seen += len(sent)  # (the demo's interviewing vacancy meets on 8 March: its day-before reminders)
    with clock(4, 4, 9):  # Sunday 4 April, 9am (BST): the day-before reminder
        run_worker(app)
        assert sorted(s for _, s in sent_since(app, seen)) == ["Tomorrow: interviews for Psychological Wellbeing Practitioner"] * 3
        seen += 3
    with clock(4, 5, 9):  # the interview day is also 2 days before the scoring deadline
        run_worker(app, summaries=True)
        subjects = sorted(s for _, s in sent_since(app, seen))
        assert subjects.count("Reminder: Interview scoring closes on Wednesday 7 April, in 2 days") == 3
        assert subjects.count("Who has not finished: Interview scoring closes on Wednesday 7 April, in 2 days") == 2
        seen = len(outbox_messages(app))
    with clock(4, 6, 12):  # the interviews are scored, the chair records outcomes and signs off
        question = build.plan_question(pwp, "Why do you want to be a PWP with us?")
        shortlisted = [c for c in session.scalars(select(Candidate).where(Candidate.vacancy_id == pwp.id)
                                                  .order_by(Candidate.number)) if c.number <= 4]
        for c in shortlisted:
            for m in pwp.panel_members:
                build.interview_scores(c, m.user, [question], [4 if c.number == 1 else 2])
            build.outcome(c, "preferred" if c.number == 1 else "reserve")
        build.advance(pwp)
        build.sign_off(pwp)
        build.commit()
        run_worker(app)
        thanks = [m for m in outbox_messages(app)[seen:] if m["Subject"].strip().startswith("Thank you")]
        assert sorted(m["To"] for m in thanks) == ["chris.morgan@example.org", "john.oneill@example.org",
                                                   "zoe.ashworth@example.org"]
        john = next(m for m in thanks if m["To"] == "john.oneill@example.org").get_content()
        assert "Hello John," in john and "How it ended: 4 candidates were interviewed" in john
        for c in shortlisted:  # no message names a candidate
            assert c.last_name not in john
    # every message of the vacancy was sent once or withdrawn, none failed
    assert {status for _, _, status in pwp_rows(session, pwp)} <= {"sent", "cancelled", "queued"}
    assert len({(n.idempotency_key) for n in session.scalars(select(Notification))}) == \
        len(list(session.scalars(select(Notification))))


def test_messages_are_plain_text_not_html_escaped(app, build):
    """The app escapes every template for HTML; an email or text message must not say O&#39;Brien."""
    obrien = build.user("panelist", name="Siobhán O'Brien")
    v = build.vacancy(title="Research & Development <Lead>", panel=[(obrien, "patient")])
    build.commit()
    [row] = build.session.scalars(select(Notification).where(Notification.vacancy_id == v.id))
    assert row.subject == "You have been added to the interview panel for Research & Development <Lead>"
    assert row.body.startswith("Hello Siobhán,") and "&amp;" not in row.body and "&#39;" not in row.body
