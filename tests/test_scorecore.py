"""Unit tests for the one scoring arithmetic (panel/scorecore.py), shared by shortlisting
and interviews: means and totals are never rounded while computed; one rounding rule
(half up, 2 places) when shown; ranks compare totals as shown."""
from __future__ import annotations

import pytest

from panel import scorecore as core


@pytest.mark.parametrize("values,expected", [
    ([], None), ([None, None], None), ([2], 2.0), ([1, 2], 1.5), ([0, 1, 2], 1.0), ([2, 2, 1], 5 / 3),
    ([0, None, 2], 1.0), ([4, 0, 4, 4], 3.0), ([3, None, 1], 2.0),
])
def test_mean_leaves_out_blanks_and_is_not_rounded(values, expected):
    assert core.mean(values) == expected


def test_total_is_the_sum_of_the_values_given():
    assert core.total([1.5, 2.0, 0.5]) == pytest.approx(4.0)
    assert core.total([None, 1.0]) == 1.0
    assert core.total([None, None]) is None and core.total([]) is None


def test_a_total_of_means_is_rounded_only_when_shown():
    # three criteria each scored 1, 1 and 2 by three people: 4/3 + 4/3 + 4/3 is 4, never 3.99
    scores = {(criterion, user): s for criterion in (1, 2, 3) for user, s in zip((7, 8, 9), (1, 1, 2))}
    assert core.total_of_means(scores) == pytest.approx(4.0)
    assert core.format_score(core.total_of_means(scores)) == "4"
    assert core.format_score(core.total(core.mean([1, 1, 2]) for _ in range(3))) == "4"
    assert core.format_score(core.mean([1, 1, 2])) == "1.33"
    assert core.total_of_means({}) is None


def test_spread_is_highest_minus_lowest():
    assert core.spread([1, 3, 2]) == 2 and core.spread([2]) == 0
    assert core.spread([None, 4, 0]) == 4 and core.spread([]) is None


@pytest.mark.parametrize("values,flag_at,expected", [
    ([0, 2], 2, True), ([0, 1], 2, False), ([2, 4], 2, True), ([2, 3], 2, False), ([None], 2, False), ([1, 4], 3, True),
])
def test_flagged(values, flag_at, expected):
    assert core.flagged(values, flag_at) is expected


def test_valid_score_is_a_whole_number_on_the_scale():
    assert core.valid_score(2, range(0, 3)) and not core.valid_score(3, range(0, 3))
    assert not core.valid_score(True, range(0, 3)) and not core.valid_score(1.0, range(0, 3))
    assert not core.valid_score("1", range(0, 3)) and not core.valid_score(None, range(0, 3))


@pytest.mark.parametrize("value,text", [
    (3, "3"), (3.0, "3"), (2.5, "2.5"), (2.67, "2.67"), (10.75, "10.75"), (None, "–"), (0, "0"), (0.0, "0"),
    (5 / 3, "1.67"), (4 / 3, "1.33"), (3.9999999999999996, "4"),
    # half up, not half to even and not float binary rounding
    (2.675, "2.68"), (0.125, "0.13"), (1.005, "1.01"),
])
def test_one_rounding_rule_half_up_to_two_places(value, text):
    assert core.format_score(value) == text


def test_ranks_with_ties_and_unscored_candidates():
    assert core.rank({"a": 10, "b": 8, "c": 8, "d": 5, "e": None}) == {"a": 1, "b": 2, "c": 2, "d": 4, "e": None}
    assert core.rank({"a": 1.1 + 2.2, "b": 3.3}) == {"a": 1, "b": 1}  # floating point noise is a tie
    assert core.rank({}) == {}


def test_totals_that_read_the_same_share_a_rank():
    assert core.rank({"a": 4 / 3 * 3, "b": 4.0, "c": 3.99}) == {"a": 1, "b": 1, "c": 3}


def test_rank_labels():
    assert [core.rank_label(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]
    assert core.rank_label(2, tied=True) == "Joint 2nd" and core.rank_label(None) == "Not ranked"
