"""Slot generation and the clash check (panel/plans/timetable.py): pure functions, no app."""
from __future__ import annotations

import datetime as dt

import pytest

from panel.plans import timetable as tt
from panel.plans.timetable import Break, DaySettings, SlotView, TimetableError

UTC = dt.timezone.utc
WINTER = dt.date(2026, 1, 14)  # GMT: London == UTC
SUMMER = dt.date(2026, 6, 17)  # BST: London == UTC + 1


def t(text: str) -> dt.time:
    return tt.parse_time(text)


def day(date=WINTER, starts="09:00", ends="17:00", slot=45, gap=15, breaks="") -> DaySettings:
    return DaySettings(date, t(starts), t(ends), slot, gap, tuple(tt.parse_breaks(breaks)))


def london_times(slots) -> list[str]:
    return [f"{tt.to_london(s.starts_at):%H:%M}-{tt.to_london(s.ends_at):%H:%M}" for s in slots]


# --- reading times and breaks ---------------------------------------------------------

@pytest.mark.parametrize("text,expected", [
    ("9:30", dt.time(9, 30)), ("09:30", dt.time(9, 30)), ("14.15", dt.time(14, 15)), ("2pm", dt.time(14, 0)),
    ("2:30 PM", dt.time(14, 30)), ("12am", dt.time(0, 0)), ("12pm", dt.time(12, 0)), ("9", dt.time(9, 0)),
])
def test_parse_time(text, expected):
    assert tt.parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "nine", "25:00", "9:75", "13pm", "0am", "9:3"])
def test_parse_time_refuses_nonsense(text):
    with pytest.raises(TimetableError):
        tt.parse_time(text)


def test_parse_breaks_sorted_with_several_separators():
    breaks = tt.parse_breaks("15:00-15:15; 12:30 to 13:15\n10:30–10:40")
    assert [str(b) for b in breaks] == ["10:30-10:40", "12:30-13:15", "15:00-15:15"]
    assert tt.format_breaks(breaks) == "10:30-10:40, 12:30-13:15, 15:00-15:15"
    assert tt.parse_breaks("") == [] and tt.parse_breaks(" , ") == []


@pytest.mark.parametrize("text,message", [
    ("12:30", "not a break"),
    ("13:00-12:00", "ends before it starts"),
    ("12:00-13:00, 12:30-13:30", "overlap"),
    ("lunch", "not a break"),
])
def test_parse_breaks_refuses_bad_breaks(text, message):
    with pytest.raises(TimetableError, match=message):
        tt.parse_breaks(text)


# --- generation ------------------------------------------------------------------------

def test_generates_slots_with_gaps_in_order():
    result = tt.generate(day(starts="09:00", ends="12:00", slot=45, gap=15), ["A", "B", "C"])
    assert [s.candidate for s in result.slots] == ["A", "B", "C"]
    assert london_times(result.slots) == ["09:00-09:45", "10:00-10:45", "11:00-11:45"]
    assert result.fits and result.unplaced == []


def test_no_gap():
    result = tt.generate(day(starts="09:00", ends="11:00", slot=30, gap=0), [1, 2, 3, 4])
    assert london_times(result.slots) == ["09:00-09:30", "09:30-10:00", "10:00-10:30", "10:30-11:00"]


def test_a_slot_that_would_run_into_a_break_starts_after_it():
    result = tt.generate(day(starts="10:00", ends="16:00", slot=45, gap=15, breaks="12:30-13:15"), list("ABCDE"))
    # 10:00, 11:00, then 12:00-12:45 would hit lunch: the next starts at 13:15 (no extra gap after a break)
    assert london_times(result.slots) == ["10:00-10:45", "11:00-11:45", "13:15-14:00", "14:15-15:00", "15:15-16:00"]
    assert result.fits


def test_a_slot_ending_exactly_when_a_break_starts_is_fine():
    result = tt.generate(day(starts="11:45", ends="14:00", slot=45, gap=0, breaks="12:30-13:00"), ["A", "B"])
    assert london_times(result.slots) == ["11:45-12:30", "13:00-13:45"]


def test_several_breaks_in_a_row_are_all_skipped():
    result = tt.generate(day(starts="09:00", ends="13:00", slot=60, gap=0, breaks="09:30-10:00, 10:30-11:00"), ["A", "B"])
    assert london_times(result.slots) == ["11:00-12:00", "12:00-13:00"]


def test_a_day_that_does_not_fit_everyone_lists_who_is_left_over():
    result = tt.generate(day(starts="09:00", ends="12:00", slot=45, gap=15), list("ABCDE"))
    assert [s.candidate for s in result.slots] == ["A", "B", "C"]
    assert result.unplaced == ["D", "E"]
    assert not result.fits


def test_the_last_slot_may_end_exactly_at_the_end_of_the_day():
    result = tt.generate(day(starts="09:00", ends="10:30", slot=45, gap=0), ["A", "B", "C"])
    assert london_times(result.slots) == ["09:00-09:45", "09:45-10:30"]
    assert result.unplaced == ["C"]


def test_no_candidates_no_slots():
    result = tt.generate(day(), [])
    assert result.slots == [] and result.fits


def test_capacity():
    assert tt.capacity(day(starts="09:00", ends="17:00", slot=45, gap=15, breaks="12:30-13:15")) == 7


@pytest.mark.parametrize("settings,field", [
    (dict(starts="12:00", ends="09:00"), "ends"),
    (dict(starts="09:00", ends="09:00"), "ends"),
    (dict(slot=0), "slot_minutes"),
    (dict(gap=-5), "gap_minutes"),
    (dict(starts="09:00", ends="12:00", breaks="12:30-13:00"), "breaks"),
])
def test_bad_days_are_refused_with_the_field_to_fix(settings, field):
    with pytest.raises(TimetableError) as info:
        tt.generate(day(**settings), ["A"])
    assert info.value.field == field


# --- London and UTC ---------------------------------------------------------------------

def test_winter_london_is_utc():
    result = tt.generate(day(WINTER, starts="09:30", ends="10:30", slot=60, gap=0), ["A"])
    assert result.slots[0].starts_at == dt.datetime(2026, 1, 14, 9, 30, tzinfo=UTC)
    assert result.slots[0].starts_at.tzinfo is not None


def test_summer_london_is_an_hour_ahead_of_utc():
    result = tt.generate(day(SUMMER, starts="09:30", ends="10:30", slot=60, gap=0), ["A"])
    assert result.slots[0].starts_at == dt.datetime(2026, 6, 17, 8, 30, tzinfo=UTC)
    assert tt.clock(result.slots[0].starts_at) == "9:30am"


def test_a_day_across_the_clocks_going_forward_keeps_real_lengths():
    # 29 March 2026: at 1am GMT the clocks go forward to 2am BST.
    settings = DaySettings(dt.date(2026, 3, 29), dt.time(0, 0), dt.time(4, 0), 60, 0)
    result = tt.generate(settings, ["A", "B", "C", "D"])
    # 00:00-04:00 London is only 3 real hours: three one-hour interviews fit.
    assert london_times(result.slots) == ["00:00-02:00", "02:00-03:00", "03:00-04:00"]
    assert all(s.ends_at - s.starts_at == dt.timedelta(hours=1) for s in result.slots)
    assert [s.starts_at.hour for s in result.slots] == [0, 1, 2]  # UTC
    assert result.unplaced == ["D"]


def test_a_day_across_the_clocks_going_back():
    # 25 October 2026: at 2am BST the clocks go back to 1am GMT; 00:00-03:00 London is 4 real hours.
    settings = DaySettings(dt.date(2026, 10, 25), dt.time(0, 0), dt.time(3, 0), 60, 0)
    result = tt.generate(settings, list("ABCDE"))
    assert len(result.slots) == 4 and result.unplaced == ["E"]


def test_a_time_the_clocks_skip_is_refused():
    with pytest.raises(TimetableError, match="does not exist"):
        tt.london_to_utc(dt.date(2026, 3, 29), dt.time(1, 30))
    with pytest.raises(TimetableError) as info:
        DaySettings(dt.date(2026, 3, 29), dt.time(1, 30), dt.time(5, 0), 60).validate()
    assert info.value.field == "starts"


# --- the clash check ---------------------------------------------------------------------

def utc(h, m=0, date=WINTER):
    return dt.datetime.combine(date, dt.time(h, m), tzinfo=UTC)


def slot(id, h1, m1, h2, m2, candidate=None, date=WINTER):
    return SlotView(id, utc(h1, m1, date), utc(h2, m2, date), candidate, f"Candidate {candidate:02d}" if candidate else "")


def kinds(problems):
    return sorted(p.kind for p in problems)


def test_a_good_timetable_has_no_problems():
    slots = [slot(1, 9, 0, 9, 45, 1), slot(2, 10, 0, 10, 45, 2)]
    assert tt.check(slots, day(), [(1, "Candidate 01"), (2, "Candidate 02")]) == []


def test_two_candidates_at_once():
    problems = tt.check([slot(1, 9, 0, 9, 45, 1), slot(2, 9, 30, 10, 15, 2)])
    assert kinds(problems) == ["overlap"]
    assert problems[0].slot_ids == (1, 2)
    assert "Candidate 01 (9:00am to 9:45am) and Candidate 02 (9:30am to 10:15am) are at the same time" == problems[0].message


def test_back_to_back_slots_do_not_clash():
    assert tt.check([slot(1, 9, 0, 9, 45, 1), slot(2, 9, 45, 10, 30, 2)]) == []


def test_a_candidate_twice():
    problems = tt.check([slot(1, 9, 0, 9, 45, 3), slot(2, 11, 0, 11, 45, 3)])
    assert kinds(problems) == ["twice"]
    assert problems[0].message.startswith("Candidate 03 has 2 slots")


def test_a_slot_outside_the_day():
    settings = day(starts="09:00", ends="12:00")
    problems = tt.check([slot(1, 8, 30, 9, 15, 1), slot(2, 11, 30, 12, 15, 2), slot(3, 10, 0, 10, 45, 3,
                                                                                  date=dt.date(2026, 1, 15))],
                        settings)
    assert kinds(problems) == ["outside", "outside", "outside"]
    assert "outside the interview day (14 January 2026, 9:00am to 12:00pm)" in problems[0].message


def test_a_slot_in_a_break():
    problems = tt.check([slot(1, 12, 0, 12, 45, 1)], day(breaks="12:30-13:15"))
    assert kinds(problems) == ["break"]


def test_zero_length_slot():
    assert "length" in kinds(tt.check([slot(1, 9, 0, 9, 0, 1)]))


def test_shortlisted_without_a_slot_and_slots_for_others():
    problems = tt.check([slot(1, 9, 0, 9, 45, 1), slot(2, 10, 0, 10, 45, 9)], None,
                        [(1, "Candidate 01"), (2, "Candidate 02")])
    assert kinds(problems) == ["no_slot", "not_shortlisted"]
    assert "Candidate 02 has no interview slot yet" in [p.message for p in problems]


def test_clashes_with_refuses_overlap_twice_and_zero_length():
    others = [slot(1, 9, 0, 9, 45, 1), slot(2, 10, 0, 10, 45, 2)]
    assert tt.clashes_with(slot(3, 11, 0, 11, 45, 3), others) == []
    assert kinds(tt.clashes_with(slot(3, 9, 30, 10, 15, 3), others)) == ["overlap", "overlap"]
    assert kinds(tt.clashes_with(slot(3, 11, 0, 11, 45, 2), others)) == ["twice"]
    assert kinds(tt.clashes_with(slot(3, 11, 0, 11, 0, 3), others)) == ["length"]
    # a slot does not clash with itself when it is changed
    assert tt.clashes_with(slot(1, 9, 15, 9, 55, 1), others) == []


def test_clash_messages_use_london_time_in_summer():
    summer = [slot(1, 8, 0, 8, 45, 1, date=SUMMER), slot(2, 8, 30, 9, 15, 2, date=SUMMER)]
    message = tt.check(summer)[0].message
    assert "9:00am to 9:45am" in message and "9:30am to 10:15am" in message


def test_break_dataclass_str():
    assert str(Break(dt.time(12, 30), dt.time(13, 15))) == "12:30-13:15"


def test_describe_breaks_in_words():
    assert tt.describe_breaks(tt.parse_breaks("12:30-13:15, 15:00-15:15")) == "12:30pm to 1:15pm, 3:00pm to 3:15pm"
    assert tt.describe_breaks([]) == ""
