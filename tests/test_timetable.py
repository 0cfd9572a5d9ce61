"""The timetable pages: the interview day, generating slots, editing one slot, warnings."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from panel.models import AuditEvent, InterviewDay, InterviewSlot, VacancyStatus

UTC = dt.timezone.utc


def _slots(session, vacancy_id):
    session.expire_all()
    return list(session.scalars(select(InterviewSlot).where(InterviewSlot.vacancy_id == vacancy_id)
                                .order_by(InterviewSlot.starts_at)))


def _day(session, vacancy_id):
    session.expire_all()
    return session.scalar(select(InterviewDay).where(InterviewDay.vacancy_id == vacancy_id))


def day_form(**overrides):
    data = {"date-day": "16", "date-month": "6", "date-year": "2027", "starts": "9:30", "ends": "12:00",
            "slot_minutes": "45", "gap_minutes": "15", "breaks": "", "default_location": "Room 2"}
    data.update(overrides)
    return data


def test_the_chair_sets_a_summer_day_stored_in_utc(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    response = chair.post_form(f"/vacancies/{a.id}/timetable/day", day_form(breaks="10:30-10:45"))
    assert response.status_code == 302, response.get_data(as_text=True)
    day = _day(session, a.id)
    assert day.starts_at == dt.datetime(2027, 6, 16, 8, 30, tzinfo=UTC)  # 9:30am BST
    assert day.ends_at == dt.datetime(2027, 6, 16, 11, 0, tzinfo=UTC)
    assert (day.slot_minutes, day.gap_minutes, day.breaks, day.default_location) == (45, 15, "10:30-10:45", "Room 2")
    page = chair.get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
    assert "16 June 2027" in page and "9:30am to 12:00pm" in page
    # the form shows the London times back
    form = chair.get(f"/vacancies/{a.id}/timetable/day").get_data(as_text=True)
    assert 'value="09:30"' in form and 'value="12:00"' in form
    assert session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "interview_day")).actor_id == plan_world["chair"].id


def test_bad_days_are_refused_and_nothing_is_saved(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    before = _day(session, a.id)
    before_values = (before.starts_at, before.ends_at, before.slot_minutes)
    cases = [
        ({"starts": "14:00", "ends": "09:00"}, "The day must end after it starts"),
        ({"starts": "9:00", "ends": "9:00"}, "The day must end after it starts"),
        ({"starts": "nine"}, "is not a time"),
        ({"slot_minutes": "0"}, "Each interview must last between 5 and 240 minutes"),
        ({"gap_minutes": "-1"}, "The gap must be between 0 and 120 minutes"),
        ({"breaks": "13:00-14:00"}, "is outside the day"),
        ({"breaks": "10:00-9:00"}, "ends before it starts"),
        ({"date-day": "31", "date-month": "2"}, "Interview date must be a real date"),
        ({"date-day": "", "date-month": "", "date-year": ""}, "Enter the interview date"),
        ({"date-day": "28", "date-month": "3", "date-year": "2027", "starts": "1:30", "ends": "5:00"}, "because the clocks go forward"),
    ]
    for overrides, message in cases:
        response = chair.post_form(f"/vacancies/{a.id}/timetable/day", day_form(**overrides))
        assert response.status_code == 400, overrides
        assert message in response.get_data(as_text=True), (overrides, message)
    after = _day(session, a.id)
    assert (after.starts_at, after.ends_at, after.slot_minutes) == before_values


def test_generating_the_timetable_for_the_shortlisted_candidates(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    chair.post_form(f"/vacancies/{a.id}/timetable/day", day_form())
    preview = chair.get(f"/vacancies/{a.id}/timetable/generate").get_data(as_text=True)
    assert "9:30am to 10:15am" in preview and "10:30am to 11:15am" in preview
    assert "Candidate 01" in preview and "Candidate 02" in preview and "Candidate 03" not in preview
    assert "This replaces the 1 slot" in preview
    response = chair.post_form(f"/vacancies/{a.id}/timetable/generate", {})
    assert response.status_code == 302
    slots = _slots(session, a.id)
    assert [(s.candidate_id, s.starts_at, s.location) for s in slots] == [
        (plan_world["a1"].id, dt.datetime(2027, 6, 16, 8, 30, tzinfo=UTC), "Room 2"),
        (plan_world["a2"].id, dt.datetime(2027, 6, 16, 9, 30, tzinfo=UTC), "Room 2"),
    ]
    event = session.scalar(select(AuditEvent).where(AuditEvent.entity_type == "timetable"))
    assert event.changes == {"slots": {"before": 1, "after": 2}}
    page = chair.get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
    assert "Check the timetable" not in page


def test_a_day_that_does_not_fit_everyone(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    chair.post_form(f"/vacancies/{a.id}/timetable/day", day_form(starts="9:30", ends="10:30"))
    preview = chair.get(f"/vacancies/{a.id}/timetable/generate").get_data(as_text=True)
    assert "Not everyone fits" in preview and "1 candidate does not fit in the day" in preview
    response = chair.post_form(f"/vacancies/{a.id}/timetable/generate", {}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "1 candidate does not fit in the day" in page
    assert "Candidate 02 has no interview slot yet" in page
    assert len(_slots(session, a.id)) == 1


def test_generating_needs_a_day_and_shortlisted_candidates(as_user, world, session):
    a = world["a"]
    chair = as_user(world["chair"])
    response = chair.get(f"/vacancies/{a.id}/timetable/generate")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/vacancies/{a.id}/timetable/day")
    chair.post_form(f"/vacancies/{a.id}/timetable/day", day_form())
    page = chair.get(f"/vacancies/{a.id}/timetable/generate").get_data(as_text=True)
    assert "Nobody is shortlisted for interview yet" in page
    chair.post_form(f"/vacancies/{a.id}/timetable/generate", {})
    assert _slots(session, a.id) == []


def slot_form(**overrides):
    data = {"date-day": "12", "date-month": "1", "date-year": "2027", "starts": "11:00", "ends": "11:45",
            "candidate_id": "0", "location": "Video: https://meet.example/abc"}
    data.update(overrides)
    return data


def test_add_and_change_a_slot(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    page = chair.get(f"/vacancies/{a.id}/timetable/slots/new").get_data(as_text=True)
    assert "Candidate 02" in page and "Candidate 03" not in page
    response = chair.post_form(f"/vacancies/{a.id}/timetable/slots/new", slot_form(candidate_id=str(plan_world["a2"].id)))
    assert response.status_code == 302, response.get_data(as_text=True)
    new = _slots(session, a.id)[1]
    assert new.candidate_id == plan_world["a2"].id and new.location == "Video: https://meet.example/abc"
    assert new.starts_at == dt.datetime(2027, 1, 12, 11, 0, tzinfo=UTC)  # winter: London is UTC
    slot = plan_world["slot"]
    response = chair.post_form(f"/vacancies/{a.id}/timetable/slots/{slot.id}/edit",
                               slot_form(starts="9:00", ends="9:45", candidate_id=str(plan_world["a1"].id),
                                         location="Room 9"))
    assert response.status_code == 302
    changed = _slots(session, a.id)[0]
    assert changed.id == slot.id and changed.location == "Room 9"
    assert changed.starts_at == dt.datetime(2027, 1, 12, 9, 0, tzinfo=UTC)
    # removing a slot
    assert chair.post_form(f"/vacancies/{a.id}/timetable/slots/{slot.id}/delete", {}).status_code == 302
    assert [s.id for s in _slots(session, a.id)] == [new.id]


def test_bad_slots_are_refused_and_nothing_is_saved(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    cases = [
        ({"starts": "9:45", "ends": "10:30"}, "This slot overlaps Candidate 01 (9:30am to 10:15am)"),
        ({"starts": "9:00", "ends": "11:00"}, "This slot overlaps Candidate 01"),
        ({"candidate_id": str(plan_world["a1"].id)}, "Candidate 01 already has a slot (9:30am to 10:15am)"),
        ({"starts": "11:00", "ends": "11:00"}, "The slot must end after it starts"),
        ({"starts": "11:00", "ends": "10:00"}, "The slot must end after it starts"),
        ({"candidate_id": str(plan_world["a3"].id)}, "Choose one of the shortlisted candidates"),
        ({"candidate_id": str(plan_world["b1"].id)}, "Choose one of the shortlisted candidates"),
        ({"starts": "soon"}, "is not a time"),
        ({"location": "x" * 501}, "Room or video link must be 500 characters or fewer"),
    ]
    for overrides, message in cases:
        response = chair.post_form(f"/vacancies/{a.id}/timetable/slots/new", slot_form(**overrides))
        assert response.status_code == 400, overrides
        assert message in response.get_data(as_text=True), (overrides, message)
    assert len(_slots(session, a.id)) == 1


def test_a_slot_outside_the_day_is_saved_with_a_warning(as_user, plan_world, session):
    a = plan_world["a"]
    chair = as_user(plan_world["chair"])
    response = chair.post_form(f"/vacancies/{a.id}/timetable/slots/new",
                               slot_form(starts="17:00", ends="17:45", candidate_id=str(plan_world["a2"].id)))
    assert response.status_code == 302
    page = chair.get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
    assert "Check the timetable" in page
    assert "The slot for Candidate 02 (12 January 2027, 5:00pm to 5:45pm) is outside the interview day" in page


def test_clashes_already_in_the_timetable_are_warned_about(as_user, plan_world, session):
    a = plan_world["a"]
    session.add(InterviewSlot(vacancy_id=a.id, candidate_id=plan_world["a1"].id,
                              starts_at=dt.datetime(2027, 1, 12, 10, 0, tzinfo=UTC),
                              ends_at=dt.datetime(2027, 1, 12, 10, 45, tzinfo=UTC)))
    session.commit()
    page = as_user(plan_world["chair"]).get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
    assert "are at the same time" in page
    assert "Candidate 01 has 2 slots" in page
    assert "Candidate 02 has no interview slot yet" in page
    assert page.count("Check this slot") == 2


def test_the_panel_reads_the_timetable_in_london_time_without_names_until_interviewing(as_user, plan_world, session):
    a = plan_world["a"]
    panelist = as_user(plan_world["panelist"])
    page = panelist.get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
    assert "9:30am to 10:15am" in page and "Candidate 01" in page and "Alex Smith" not in page
    assert "Change the interview day" not in page and "Add a slot by hand" not in page
    assert "Invitations to candidates" not in page
    a.status = VacancyStatus.INTERVIEWING
    session.commit()
    page = panelist.get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
    assert "Candidate 01 (Alex Smith)" in page
    assert "alex.smith@candidates.example" not in page
    assert "Invitations to candidates" in as_user(plan_world["hr"]).get(f"/vacancies/{a.id}/timetable").get_data(as_text=True)
