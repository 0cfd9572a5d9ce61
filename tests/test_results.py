"""Unit tests for the interview results (panel/scoring/results.py; the arithmetic itself is
tested in test_scorecore.py) and the feedback text (panel/scoring/feedback.py): plain data
in, plain data out."""
from __future__ import annotations

import pytest

from panel.scoring import feedback as fb
from panel.scoring import results as r


@pytest.mark.parametrize("scores,flagged", [([2, 3], False), ([2, 4], True), ([0, 4, 2], True),
                                            ([3, 3, 3], False), ([1, None, 2], False), ([None], False), ([1, 3], True)])
def test_flag_where_scores_differ_by_two_or_more(scores, flagged):
    assert r.is_flagged(scores) is flagged


def test_question_result_uses_the_moderated_score_when_there_is_one():
    q = r.question_result(7, {1: 4, 2: 0, 3: 2})
    assert (q.mean, q.spread, q.flagged, q.agreed) == (2, 4, True, 2)
    q = r.question_result(7, {1: 4, 2: 0, 3: 2}, moderated=3, moderation_reason="Agreed")
    assert q.agreed == 3 and q.mean == 2 and q.scores == {1: 4, 2: 0, 3: 2}


def test_candidate_result_totals_member_totals_and_patient_total():
    scores = {(10, 1): 4, (10, 2): 2, (10, 3): 3,
              (11, 1): 3, (11, 2): 1, (11, 3): None}
    res = r.candidate_result(5, [10, 11], scores, scorers=[1, 2, 3], patient_ids=[2, 3],
                             moderated={11: (2, "discussed")})
    assert res.total == 3 + 2  # mean of question 10, agreed score of question 11
    assert res.member_totals == {1: 7, 2: 3, 3: 3}
    assert res.patient_total == 2.5 + 1  # patient means: (2+3)/2 and 1 (3 left blank)
    assert res.flagged_count == 2 and res.moderated_count == 1  # 4 v 2, and 3 v 1


def test_candidate_without_submitted_scores_has_no_total():
    res = r.candidate_result(5, [10, 11], {}, scorers=[])
    assert res.total is None and res.patient_total is None and res.member_totals == {}


def test_rank_results_orders_best_first_unranked_last():
    results = [r.CandidateResult(1, [], [], total=None), r.CandidateResult(2, [], [], total=6, patient_total=9),
               r.CandidateResult(3, [], [], total=9, patient_total=2)]
    ordered = r.rank_results(results)
    assert [x.candidate_id for x in ordered] == [3, 2, 1]
    assert [(x.rank, x.patient_rank) for x in ordered] == [(1, 2), (2, 1), (None, None)]


def test_disagreements_between_the_patient_panelists_ranking_and_the_decision():
    patient_ranks = {"A": 1, "B": 2, "C": 3}
    assert r.ranking_disagreements(patient_ranks, {"A": "preferred", "B": "reserve", "C": "not_appointable"}) == []
    found = r.ranking_disagreements(patient_ranks, {"A": "reserve", "B": "preferred", "C": "not_appointable"})
    assert found == [r.Disagreement("A", "B")]
    # equal outcomes are not a disagreement; neither are ties in the patients' ranking
    assert r.ranking_disagreements({"A": 1, "B": 1}, {"A": "reserve", "B": "preferred"}) == []
    assert r.ranking_disagreements(patient_ranks, {"A": "not_appointable", "B": "not_appointable"}) == []
    # candidates without an outcome or a patient rank are left out
    assert r.ranking_disagreements({"A": 1, "B": None}, {"A": "not_appointable", "B": "preferred"}) == []
    assert r.ranking_disagreements({"A": 1, "B": 2}, {"B": "preferred"}) == []
    # several pairs, patients' best first
    found = r.ranking_disagreements(patient_ranks, {"A": "not_appointable", "B": "reserve", "C": "preferred"})
    assert found == [r.Disagreement("A", "B"), r.Disagreement("A", "C"), r.Disagreement("B", "C")]


# --- feedback text ------------------------------------------------------------------

QUESTIONS = [fb.FeedbackQuestion(1, 1, "Tell us about a time...", ("Listening skills",)),
             fb.FeedbackQuestion(2, 2, "How would you manage risk?", ("Assessing risk",)),
             fb.FeedbackQuestion(3, 3, "Why this service?", ("Values",))]


def _result(scores):
    return r.candidate_result(9, [1, 2, 3], {(q, 1): s for q, s in zip([1, 2, 3], scores)}, scorers=[1])


def test_feedback_draft_from_the_person_specification_and_notes():
    text = fb.draft("Amelia", "PWP", "PWP-1", "reserve", QUESTIONS, _result([4, 1, 2]), 4,
                    {2: ["Did not mention  safety\nplanning"]})
    assert text.startswith("Dear Amelia,")
    assert "reserve list" in text
    strengths = text.split("What went well")[1].split("\n\n")[0]
    develop = text.split("Where you could develop")[1].split("\n\n")[0]
    met = text.split("you met these parts")[1].split("\n\n")[0]
    assert "Listening skills" in strengths and "Assessing risk" in develop and "Values" in met
    assert f"{fb.NOTE_MARK} Question 2: Did not mention safety planning" in text
    assert fb.has_unedited_notes(text)
    assert "4" not in text.replace("PWP", "")  # no scores unless chosen


@pytest.mark.parametrize("outcome,words", [("preferred", "offer you the post"), ("not_appointable", "did not find you appointable"),
                                           (None, "not recorded its decision")])
def test_feedback_outcome_paragraph(outcome, words):
    assert words in fb.draft("B", "T", "R", outcome, QUESTIONS, None, 4, {})


def test_feedback_scores_only_when_chosen():
    scores = fb.scores_section(QUESTIONS, _result([4, 1, 2]), 0, 4)
    assert "Question 2, How would you manage risk?: 1" in scores and "Total: 7 out of 12" in scores
    assert "Your interview scores" not in fb.document("Hello", False, scores)
    assert fb.document("Hello", True, scores).startswith("Hello\n\nYour interview scores")
