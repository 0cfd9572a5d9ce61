"""Timetable changes update the panel's interview-day calendar events (same UID, SEQUENCE up),
only when a person's start or end actually changed."""
from __future__ import annotations

import datetime as dt

import icalendar

from panel.models import InterviewDay, InterviewSlot, NotificationStatus
from panel.plans import services as plan_services, timetable
from tests.test_notifications import _calendars, rows, run_worker, team  # noqa: F401 (fixture)

from panel.deadlines import LONDON


def test_timetable_change_sends_one_update_only_when_times_change(app, build, team):  # noqa: F811
    chair, patient = team["chair"], team["patient"]
    v = build.vacancy(panel=[(chair, "chair"), (patient, "patient")], interview_venue="Room 4")
    build.commit()
    settings = timetable.DaySettings(date=dt.date(2027, 4, 13), starts=dt.time(9, 0), ends=dt.time(17, 0),
                                     slot_minutes=45, gap_minutes=15)
    with build.context():
        plan_services.save_day(build.session, build.actor, v, settings, "")
    build.commit()
    run_worker(app)
    assert len(_calendars(build.session, v, patient)) == 1
    day = build.session.query(InterviewDay).filter_by(vacancy_id=v.id).one()

    def slot(h1, m1, h2, m2, existing=None):
        others = list(build.session.query(InterviewSlot).filter_by(vacancy_id=v.id))
        with build.context():
            s = plan_services.save_slot(build.session, build.actor, v, existing, date=dt.date(2027, 4, 13),
                                        starts=dt.time(h1, m1), ends=dt.time(h2, m2), candidate=None, location="",
                                        others=others, shortlisted=[], label=lambda c: "")
        build.commit()
        return s

    first = slot(10, 0, 10, 45)  # the panel is now needed 10:00-10:45: one update each
    cals = _calendars(build.session, v, patient)
    assert len(cals) == 2
    n, cal = cals[-1]
    assert n.status == NotificationStatus.QUEUED and n.subject.startswith("Changed: ")
    parsed = icalendar.Calendar.from_ical(n.attachment)
    e = parsed.walk("VEVENT")[0]
    assert e["uid"] == cals[0][1].walk("VEVENT")[0]["uid"] == f"interview-day-{day.id}-{patient.id}@panel"
    assert e["sequence"] == 1 and parsed["method"] == "REQUEST"
    assert e.decoded("dtstart").astimezone(LONDON).time() == dt.time(10, 0)
    assert e.decoded("dtend").astimezone(LONDON).time() == dt.time(10, 45)
    run_worker(app)

    slot(11, 0, 11, 45)  # a later slot: the end moves, one more update
    assert [c.walk("VEVENT")[0]["sequence"] for _, c in _calendars(build.session, v, patient)] == [0, 1, 2]
    run_worker(app)
    inner = slot(10, 50, 10, 55)  # inside the span: start and end unchanged, no update
    assert len(_calendars(build.session, v, patient)) == 3
    with build.context():
        plan_services.delete_slot(build.session, build.actor, v, inner)  # removed, still unchanged: none
    build.commit()
    assert len(_calendars(build.session, v, patient)) == 3
    with build.context():
        plan_services.delete_slot(build.session, build.actor, v, first)  # now 11:00-11:45: an update
    build.commit()
    cals = _calendars(build.session, v, patient)
    assert len(cals) == 4 and cals[-1][1].walk("VEVENT")[0]["sequence"] == 3
    assert cals[-1][1].walk("VEVENT")[0].decoded("dtstart").astimezone(LONDON).time() == dt.time(11, 0)
    assert len([r for r in rows(build.session, v) if r.kind == "interview_day" and r.user_id == chair.id
                and r.status != NotificationStatus.CANCELLED]) == 4
