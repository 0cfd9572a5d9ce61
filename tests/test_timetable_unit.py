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


# --- what would make everyone fit (issue 12, walk) ---------------------------------------

def _messages(settings, n):
    return [s.message for s in tt.suggest(settings, n)]


def test_no_suggestions_when_everyone_fits():
    assert tt.suggest(day(), 3) == []
    assert tt.suggest(day(), 0) == []


def test_a_shorter_gap_the_smallest_change_that_fits():
    # 9:30 to 12:00, 45-minute interviews 15 apart: 2 fit (9:30, 10:30); 3 need the gap down to 7 minutes
    settings = day(starts="9:30", ends="12:00", slot=45, gap=15)
    [gap] = [s for s in tt.suggest(settings, 3) if s.kind == "gap"]
    assert gap.message == "Shorten the gap between interviews from 15 to 7 minutes to fit all 3"
    assert tt.fits(gap.settings, 3) and not tt.fits(tt.DaySettings(**{**gap.settings.__dict__, "gap_minutes": 8}), 3)


def test_removing_the_gap_is_said_as_such():
    settings = day(starts="9:00", ends="11:00", slot=60, gap=15)
    assert "Remove the 15-minute gap between interviews to fit both" in _messages(settings, 2)


def test_shorter_interviews_in_whole_five_minutes_never_below_half():
    # 9:00 to 13:00, 60-minute slots 15 apart: 3 fit; 4 fit with 45-minute slots (4 x 45 + 3 x 15 = 225 <= 240)
    settings = day(starts="9:00", ends="13:00", slot=60, gap=15)
    [slot] = [s for s in tt.suggest(settings, 4) if s.kind == "slot"]
    assert slot.message == "Shorten each interview from 60 to 45 minutes to fit all 4"
    assert slot.settings.slot_minutes == 45 and tt.fits(slot.settings, 4)
    # 12 would need 5-minute interviews: not suggested (under half of 60), a second day is
    kinds = [s.kind for s in tt.suggest(settings, 12)]
    assert "slot" not in kinds and "gap_and_slot" not in kinds and "second_day" in kinds


def test_gap_and_slot_together_when_neither_alone_is_enough():
    # 9:00 to 12:00, 60 + 15: 2 fit. No gap: 3 fit. 30-minute slots 15 apart: 4 fit.
    # 5 need no gap and 35-minute slots (5 x 35 = 175 minutes).
    settings = day(starts="9:00", ends="12:00", slot=60, gap=15)
    suggestions = {s.kind: s for s in tt.suggest(settings, 5)}
    assert "gap" not in suggestions and "slot" not in suggestions
    assert suggestions["gap_and_slot"].message == ("Remove the 15-minute gap between interviews and shorten each "
                                                   "interview from 60 to 35 minutes to fit all 5")


def test_an_earlier_start_or_a_later_finish_on_the_quarter_hour():
    # 9:30 to 12:00, 45 + 15: 2 fit. 3 fit from 9:15 (9:15, 10:15, 11:15-12:00), or until 12:15
    settings = day(starts="9:30", ends="12:00", slot=45, gap=15)
    messages = _messages(settings, 3)
    assert "Start at 9:15am instead of 9:30am to fit all 3" in messages
    assert "Finish at 12:15pm instead of 12:00pm to fit all 3" in messages


def test_earlier_and_later_stay_within_office_hours():
    settings = day(starts="8:00", ends="18:00", slot=60, gap=0)
    kinds = [s.kind for s in tt.suggest(settings, 11)]
    assert "start" not in kinds and "end" not in kinds


def test_a_second_day_says_how_many_would_be_on_it():
    # 9:30 to 12:00, 45 + 15: 2 a day. 8 candidates fit in no single change but more days.
    settings = day(starts="9:30", ends="12:00", slot=45, gap=15)
    assert _messages(settings, 3)[-1] == "Add a second day with the same times: 1 candidate would be interviewed on it"
    assert _messages(settings, 4)[-1] == "Add a second day with the same times: 2 candidates would be interviewed on it"
    assert _messages(settings, 8)[-1] == "Add 3 more days with the same times: 6 candidates would be interviewed on them"


def test_suggestions_respect_the_breaks():
    # 9:00 to 13:00 with lunch 11:00-12:00, 60-minute slots, no gap: 9, 10, 12 = 3 fit
    settings = day(starts="9:00", ends="13:00", slot=60, gap=0, breaks="11:00-12:00")
    assert tt.capacity(settings) == 3
    for s in tt.suggest(settings, 4):
        if s.settings is not None:
            assert tt.fits(s.settings, 4)
            assert [b for b in s.settings.breaks] == [b for b in settings.breaks]


def test_every_suggested_day_really_fits_everyone():
    for settings in (day(starts="9:30", ends="16:00", slot=60, gap=15, breaks="12:30-13:15"),
                     day(date=SUMMER, starts="10:00", ends="15:00", slot=50, gap=10),
                     day(starts="9:00", ends="17:00", slot=90, gap=30, breaks="12:00-13:00, 15:00-15:15")):
        for n in range(tt.capacity(settings) + 1, tt.capacity(settings) + 6):
            suggestions = tt.suggest(settings, n)
            assert suggestions and suggestions[-1].kind == "second_day"
            for s in suggestions[:-1]:
                assert tt.fits(s.settings, n), (s.message, n)
