"""The coverage check (panel/plans/coverage.py) and the invitation text helpers: pure functions."""
from __future__ import annotations

from panel.plans import coverage, invitations
from panel.plans.coverage import CriterionInfo, QuestionInfo

CRITERIA = [
    CriterionInfo(1, "Degree", essential=True, at_interview=False, position=1),
    CriterionInfo(2, "Assess risk", essential=True, at_interview=True, position=2),
    CriterionInfo(3, "Lived experience", essential=True, at_interview=True, position=3),
    CriterionInfo(4, "Groups", essential=False, at_interview=True, position=4),
]


def q(id, position, minutes=10, criteria=(), asker=True):
    return QuestionInfo(id, position, minutes, frozenset(criteria), asker)


def test_everything_covered_and_in_time():
    result = coverage.check(CRITERIA, [q(10, 1, criteria={2}), q(11, 2, criteria={3, 4})], 45)
    assert result.ok and result.warnings == [] and result.notes == []
    assert result.covered_by == {1: [], 2: [1], 3: [2], 4: [2]}
    assert result.total_minutes == 20 and not result.over_time


def test_an_uncovered_essential_interview_criterion_is_a_warning():
    result = coverage.check(CRITERIA, [q(10, 1, criteria={2})], 45)
    assert [c.id for c in result.uncovered_essential] == [3]
    assert result.warnings == ["No question covers the essential criterion: Lived experience"]
    # a desirable one is only a note, and application-only criteria never need a question
    assert result.notes == ["No question covers the desirable criterion: Groups"]
    assert not result.ok


def test_no_questions_at_all():
    result = coverage.check(CRITERIA, [], 45)
    assert [c.id for c in result.uncovered_essential] == [2, 3]
    assert result.total_minutes == 0


def test_minutes_over_the_slot():
    result = coverage.check(CRITERIA, [q(1, 1, 25, {2}), q(2, 2, 25, {3})], 45)
    assert result.over_time and result.minutes_over == 5
    assert result.warnings == ["The questions take 50 minutes, but each interview slot is 45 minutes (5 minutes too long)"]


def test_minutes_exactly_the_slot_is_fine():
    assert not coverage.check(CRITERIA, [q(1, 1, 45, {2, 3})], 45).over_time


def test_no_slot_length_means_no_time_check():
    assert not coverage.check(CRITERIA, [q(1, 1, 500, {2, 3})], None).over_time


def test_numbers_follow_the_plan_order_not_the_ids():
    result = coverage.check(CRITERIA, [q(99, 2, criteria={2}), q(5, 1, criteria={3}), q(7, 3, criteria={9}, asker=False)], 45)
    assert result.covered_by[2] == [2] and result.covered_by[3] == [1]
    assert result.questions_without_criteria == [3]
    assert "Question 3 is not linked to any criterion" in result.warnings
    assert result.questions_without_asker == [3]
    assert "Nobody has been chosen to ask Question 3" in result.notes


def test_several_unassigned_questions_listed_together():
    result = coverage.check(CRITERIA, [q(1, 1, criteria={2}, asker=False), q(2, 2, criteria={3}, asker=False),
                                       q(3, 3, criteria={3}, asker=False)], 45)
    assert "Nobody has been chosen to ask Questions 1, 2 and 3" in result.notes


# --- invitation text ----------------------------------------------------------------

def test_panel_by_role_names_nobody():
    text = invitations.panel_by_role(["chair", "patient", "patient", "staff"])
    assert text == ("Your interview panel will be the chair of the panel, who is a member of staff, one other member of "
                    "staff and two people who have used our service and now help us recruit staff (patient panel members).")
    assert invitations.panel_by_role(["chair", "patient"]).startswith("Your interview panel will be the chair")
    assert invitations.panel_by_role([]) == "You will meet an interview panel."
    assert "one member of staff" in invitations.panel_by_role(["staff"])


def test_fill_and_unknown_placeholders():
    assert invitations.fill("Dear {first_name}, {date}", {"first_name": "Sam", "date": "Monday"}) == "Dear Sam, Monday"
    assert invitations.fill("{nope} stays", {}) == "{nope} stays"
    assert invitations.unknown_placeholders("{first_name} {nope} {other} {nope}") == ["nope", "other"]
    assert invitations.unknown_placeholders(invitations.DEFAULT_SUBJECT + invitations.DEFAULT_BODY) == []


def test_named_panel_members_found_ignoring_case_and_spacing():
    names = ["John O'Neill", "Zoë Ashworth"]
    assert invitations.named_panel_members("You will meet  john o'neill and others", names) == ["John O'Neill"]
    assert invitations.named_panel_members("You will meet the panel", names) == []
