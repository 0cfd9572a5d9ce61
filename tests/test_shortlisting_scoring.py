"""Unit tests for the shortlisting score rules (panel/shortlisting/scoring.py)."""
from __future__ import annotations

import pytest

from panel.shortlisting import scoring
from panel.shortlisting.scoring import CriterionInfo

E1 = CriterionInfo(id=10, number=1, text="Experience", essential=True)
D2 = CriterionInfo(id=20, number=2, text="Groups", essential=False)
E4 = CriterionInfo(id=40, number=4, text="Records", essential=True)
CRITERIA = [E1, D2, E4]


def scores_for(rows: dict[int, list[int | None]], users=(1, 2, 3)):
    """rows: criterion id -> one score per user."""
    return {(cid, u): s for cid, values in rows.items() for u, s in zip(users, values)}


@pytest.mark.parametrize("values,expected", [
    ([0, 2], True), ([2, 1, 0], True), ([0, 1], False), ([1, 2], False), ([2, 2], False), ([0], False), ([], False),
    ([0, None, 2], True), ([None, 2], False),
])
def test_disagreement_is_the_whole_scale(values, expected):
    assert scoring.disagreement(values) is expected


@pytest.mark.parametrize("criterion,mean,expected", [
    (E1, 0.5, True), (E1, 0.99, True), (E1, 1.0, False), (E1, 2.0, False), (E1, None, False), (D2, 0.0, False),
])
def test_essential_not_met_is_a_mean_below_one(criterion, mean, expected):
    assert scoring.criterion_not_met(criterion, mean) is expected


@pytest.mark.parametrize("value,ok", [(0, True), (1, True), (2, True), (3, False), (-1, False), (None, False),
                                      ("1", False), (True, False), (1.0, False)])
def test_valid_score(value, ok):
    assert scoring.valid_score(value) is ok


def test_is_complete_needs_every_criterion():
    assert scoring.is_complete(CRITERIA, {10: 0, 20: 1, 40: 2})
    assert not scoring.is_complete(CRITERIA, {10: 0, 20: 1})
    assert not scoring.is_complete(CRITERIA, {10: 0, 20: None, 40: 2})
    assert scoring.count_scored(CRITERIA, {10: 0, 20: None, 40: 2}) == 2


def test_moderate_uses_only_submitted_scores_of_those_not_stepped_aside():
    scores = scores_for({10: [2, 0, 1], 20: [1, 1, 1], 40: [2, 2, 0]})
    r = scoring.moderate(7, CRITERIA, panel_ids=[1, 2, 3], stepped_aside_ids=[], submitted_ids=[1, 2], scores=scores)
    assert r.submitted_ids == [1, 2] and r.scorer_ids == [1, 2, 3]
    assert not r.all_in
    first = r.criteria[0]
    assert first.scores == {1: 2, 2: 0}  # user 3's unsubmitted 1 is not used
    assert first.mean == 1.0 and first.disagreement
    assert r.criteria[2].mean == 2.0
    assert r.total == pytest.approx(1.0 + 1.0 + 2.0)
    assert r.disagreements == 1
    assert r.max_total == 6.0


def test_moderate_all_in_when_everyone_not_stepped_aside_has_submitted():
    scores = scores_for({10: [2, None, 2], 20: [1, None, 2], 40: [1, None, 1]})
    r = scoring.moderate(7, CRITERIA, [1, 2, 3], stepped_aside_ids=[2], submitted_ids=[1, 3], scores=scores)
    assert r.all_in and r.stepped_aside_ids == [2] and r.scorer_ids == [1, 3]
    assert r.total == pytest.approx(2.0 + 1.5 + 1.0)
    assert r.essential_not_met == []


def test_essential_not_met_is_flagged_per_criterion():
    scores = scores_for({10: [0, 1, 1], 20: [0, 0, 0], 40: [2, 2, 2]})
    r = scoring.moderate(7, CRITERIA, [1, 2, 3], [], [1, 2, 3], scores)
    assert [c.number for c in r.essential_not_met] == [1]  # mean 2/3; desirable 2 never counts
    assert r.criteria[0].not_met and not r.criteria[1].not_met


@pytest.mark.parametrize("dc,values,submitted,expected", [
    (True, {10: [1, 1], 20: [0, 0], 40: [2, 1]}, [1, 2], True),      # meets every essential criterion
    (True, {10: [1, 0], 20: [2, 2], 40: [2, 2]}, [1, 2], False),     # essential 1 mean 0.5
    (True, {10: [2, 2], 20: [2, 2], 40: [2, 2]}, [1], False),        # not all scores in yet
    (False, {10: [2, 2], 20: [2, 2], 40: [2, 2]}, [1, 2], False),    # not Disability Confident
])
def test_guaranteed_interview(dc, values, submitted, expected):
    r = scoring.moderate(7, CRITERIA, [1, 2], [], submitted, scores_for(values, users=(1, 2)), disability_confident=dc)
    assert r.guaranteed_interview is expected


def test_guaranteed_interview_needs_some_scores():
    r = scoring.moderate(7, CRITERIA, [1], stepped_aside_ids=[1], submitted_ids=[], scores={}, disability_confident=True)
    assert r.all_in and r.total is None and not r.guaranteed_interview


def _result(cid, total, all_in=True):
    return scoring.CandidateResult(candidate_id=cid, criteria=[], scorer_ids=[], submitted_ids=[], stepped_aside_ids=[],
                                   total=total, all_in=all_in, essential_not_met=[], guaranteed_interview=False,
                                   disagreements=0)


def test_rank_by_total_with_shared_ranks_and_waiting_last():
    results = [_result(1, 3.0), _result(2, 5.5), _result(3, 3.0), _result(4, 6.0, all_in=False), _result(5, 1.0)]
    ranked = scoring.rank(results, {1: 1, 2: 2, 3: 3, 4: 4, 5: 5})
    assert [(r.candidate_id, r.rank) for r in ranked] == [(2, 1), (1, 2), (3, 2), (5, 4), (4, None)]


def test_panelist_order_is_stable_per_person_and_differs_between_people():
    ids = list(range(1, 31))
    a1 = scoring.panelist_order(1, 101, ids)
    assert a1 == scoring.panelist_order(1, 101, list(reversed(ids)))  # same whatever the input order
    assert sorted(a1) == ids and a1 != ids
    b = scoring.panelist_order(1, 102, ids)
    assert b != a1
    # adding a candidate does not reshuffle the others
    with_new = scoring.panelist_order(1, 101, ids + [31])
    assert [i for i in with_new if i != 31] == a1
