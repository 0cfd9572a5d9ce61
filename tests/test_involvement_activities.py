"""What each person did is derived from their work: shortlisting, interview days and questions
proposed (panel/involvement/activities.py), the one source for "My involvement" and claims."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from panel.db import counted_queries
from panel.involvement.activities import (INTERVIEW_DAY, QUESTIONS, SHORTLISTING, activities_for, activity_key,
                                          activity_of, quarter_hours)


def _interviewed_vacancy(build, chair, john, *, reference, day, candidates=2):
    v = build.vacancy(reference=reference, criteria=3, panel=[(chair, "chair"), (john, "patient")])
    people = [build.candidate(v) for _ in range(candidates)]
    build.advance(v)
    build.shortlist(v)  # everyone scores every candidate and the chair shortlists them all
    build.advance(v)
    q = build.plan_question(v, "Why this job?")
    build.interview_day(v, day, start=dt.time(9, 30), end=dt.time(13, 0), breaks="")
    for member in (chair, john):
        build.interview_scores(people[0], member, [q], [3])
    return v


def test_activities_come_from_the_work_done(build, session):
    chair = build.user("chair", name="Chris Morgan")
    john = build.user("panelist", name="John O'Neill")
    spare = build.user("panelist", name="Zoë Ashworth")
    v = _interviewed_vacancy(build, chair, john, reference="ACT-1", day=dt.date(2027, 1, 12), candidates=4)
    build.bank_question("What does recovery mean to you?", proposed_by=john, vacancy=v, approve=None)
    build.bank_question("How would you explain CBT?", proposed_by=john, vacancy=v, approve=False)
    build.commit()

    found = {a.kind: a for a in activities_for(session, john.id)}
    assert set(found) == {SHORTLISTING, INTERVIEW_DAY, QUESTIONS}
    assert found[SHORTLISTING].count == 4 and found[SHORTLISTING].hours == Decimal("1.25")  # 4 x 20 minutes
    assert found[SHORTLISTING].detail == "4 applications"
    day = found[INTERVIEW_DAY]
    assert (day.on, day.hours, day.count, day.vacancy_title) == (dt.date(2027, 1, 12), Decimal("3.5"), 1, v.title)
    assert day.key == activity_key(INTERVIEW_DAY, v.id) == f"interview_day:{v.id}"
    assert found[QUESTIONS].count == 2 and found[QUESTIONS].hours == Decimal("0.5")
    assert activity_of(session, john.id, day.key) == day
    assert activity_of(session, spare.id, day.key) is None  # did not do it: nothing to claim
    assert activities_for(session, spare.id) == []


def test_the_number_of_queries_does_not_grow_with_the_vacancies(app, build, session):
    chair = build.user("chair")
    john = build.user("panelist")
    _interviewed_vacancy(build, chair, john, reference="Q-1", day=dt.date(2027, 1, 12))
    build.commit()
    with counted_queries(app) as one:
        assert len(activities_for(session, john.id)) == 2
    _interviewed_vacancy(build, chair, john, reference="Q-2", day=dt.date(2027, 2, 12))
    _interviewed_vacancy(build, chair, john, reference="Q-3", day=dt.date(2027, 3, 12))
    build.commit()
    with counted_queries(app) as three:
        listed = activities_for(session, john.id)
    assert len(listed) == 6 and [a.on for a in listed if a.kind == INTERVIEW_DAY] == [
        dt.date(2027, 3, 12), dt.date(2027, 2, 12), dt.date(2027, 1, 12)]  # newest first
    assert len(three) == len(one)


@pytest.mark.parametrize("minutes, hours", [(0, "0"), (7, "0"), (8, "0.25"), (20, "0.25"), (23, "0.5"),
                                            (60, "1"), (210, "3.5")])
def test_hours_are_rounded_to_the_nearest_quarter(minutes, hours):
    assert quarter_hours(minutes) == Decimal(hours)


def test_an_unknown_kind_has_no_key():
    with pytest.raises(ValueError):
        activity_key("tea", 1)
