"""One arithmetic everywhere (issue 13): the same scores give the same totals, means, ranks
and flags on the shortlisting moderation grid, its CSV, the interview results pages, the
interview CSV and the results pack (read back with pypdf).

The case that used to disagree: three criteria each scored 1, 1 and 2 (a mean of 4/3 each)
showed a shortlisting total of 4 on the moderation grid but 3.99 on the results page and in
the results pack, because the interview helpers rounded each mean to 2 places before adding."""
from __future__ import annotations

import csv
import html
import io
import re

from panel.db import utcnow
from panel.models import (
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSubmission,
    Outcome,
    PlanQuestion,
    ShortlistDecision,
    ShortlistOutcome,
    VacancyStatus,
)
from tests.builders_plugin import page_texts, pdf, put_scores, step_aside
from tests.builders_plugin import fetch_pack

# shortlisting, per candidate: each panel member's scores on criteria 1, 2 and 4 (None: stepped aside)
SHORTLISTING = {
    1: {"chair": [1, 1, 1], "panelist": [1, 1, 1], "panelist2": [2, 2, 2]},  # 4/3 each: total 4, not 3.99
    2: {"chair": [0, 2, 2], "panelist": [2, 2, 1], "panelist2": [1, 2, 2]},  # 1, 2, 5/3: 4.67, criterion 1 flagged
    3: {"chair": [0, 0, 1], "panelist": [1, 0, 1], "panelist2": None},       # 0.5, 0, 1: 1.5, essential 1 not met
}
EXPECTED_SHORTLISTING = {1: ("4", 2, ["1.33", "1.33", "1.33"]), 2: ("4.67", 1, ["1", "2", "1.67"]),
                         3: ("1.5", 3, ["0.5", "0", "1"])}
EXPECTED_FLAGGED_CRITERIA = {1: [], 2: [1], 3: []}

# interviews (scale 0-4), per candidate: each panel member's scores on questions 1, 2 and 3
INTERVIEWS = {
    1: {"chair": [1, 1, 1], "panelist": [1, 1, 1], "panelist2": [2, 2, 2]},  # 4/3 each: total 4
    2: {"chair": [4, 3, 2], "panelist": [2, 3, 2], "panelist2": [3, 3, 3]},  # 3, 3, 7/3: 8.33, question 1 flagged
    3: {"chair": [0, 1, 0], "panelist": [1, 1, 1]},                          # 0.5, 1, 0.5: 2
}
EXPECTED_INTERVIEWS = {1: ("4", "2nd", ["1.33", "1.33", "1.33"]), 2: ("8.33", "1st", ["3", "3", "2.33"]),
                       3: ("2", "3rd", ["0.5", "1", "0.5"])}
EXPECTED_FLAGGED_QUESTIONS = {1: [], 2: [1], 3: []}
OUTCOMES = {1: Outcome.RESERVE, 2: Outcome.PREFERRED, 3: Outcome.NOT_APPOINTABLE}


def text_of(response) -> str:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body))).strip()


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def people(sl) -> dict:
    return {"chair": sl.chair, "panelist": sl.panelist, "panelist2": sl.panelist2}


def test_same_scores_same_numbers_on_every_page_pack_and_csv(app, session, as_user, sl):
    v, who = sl.v, people(sl)
    by_number = {c.number: c for c in sl.candidates}
    for number, scores in SHORTLISTING.items():
        for name, values in scores.items():
            if values is None:
                step_aside(session, by_number[number], who[name])
            else:
                put_scores(session, by_number[number], who[name], values)
    chair = as_user(sl.chair)

    # --- the shortlisting moderation grid, candidate by candidate, and its list --------
    grid = text_of(chair.get(f"/vacancies/{v.id}/shortlisting/moderation"))
    for number, (total, rank, means) in EXPECTED_SHORTLISTING.items():
        c = by_number[number]
        assert f"{rank}. {c.label} Total {total} out of 6" in grid  # no names while shortlisting
        page = text_of(chair.get(f"/vacancies/{v.id}/shortlisting/moderation/{c.id}"))
        shown = re.findall(r"Mean (\d+(?:\.\d+)?)", page)
        assert shown == means, (number, shown)
        assert page.count("0 and 2: panel differs") == len(EXPECTED_FLAGGED_CRITERIA[number])
    assert "1 criterion where the panel differs by 0 and 2" in grid
    assert "Essential criterion 1 not met" in grid

    # --- the shortlisting CSV -------------------------------------------------------------
    rows = read_csv(chair.get(f"/vacancies/{v.id}/shortlisting/export.csv"))
    numbers = {c.label: n for n, c in by_number.items()}
    for row in rows:
        n = numbers[row["Candidate"]]
        total, rank, means = EXPECTED_SHORTLISTING[n]
        assert (row["Candidate total"], row["Rank"]) == (total, str(rank))
        if row["Criterion number"]:  # not the stepped-aside line
            i = [c.position for c in sl.criteria].index(int(row["Criterion number"]))
            assert row["Criterion mean"] == means[i]
            flagged = i + 1 in EXPECTED_FLAGGED_CRITERIA[n]
            assert row["Panel members differ by the whole scale"] == ("Yes" if flagged else "No")
        assert row["Essential criterion not met"] == ("criterion 1" if n == 3 else "")

    # --- on to interviews: shortlist everyone, score, decide, sign off ----------------
    for c in sl.candidates:
        c.decision = ShortlistDecision(outcome=ShortlistOutcome.SHORTLIST, reason="", decided_by_id=sl.chair.id)
    v.status = VacancyStatus.INTERVIEWING
    questions = [PlanQuestion(vacancy_id=v.id, position=i, text=f"Question topic {i}", minutes=5) for i in (1, 2, 3)]
    session.add_all(questions)
    session.flush()
    for number, scores in INTERVIEWS.items():
        c = by_number[number]
        for name, values in scores.items():
            for q, value in zip(questions, values):
                session.add(InterviewScore(candidate_id=c.id, plan_question_id=q.id, user_id=who[name].id, score=value))
            session.add(InterviewSubmission(candidate_id=c.id, user_id=who[name].id))
        session.add(InterviewOutcome(candidate_id=c.id, outcome=OUTCOMES[number], rationale=f"Reasons {number}.",
                                     decided_by_id=sl.chair.id))
    session.add(InterviewSignOff(vacancy_id=v.id, signed_off_by_id=sl.chair.id, signed_off_at=utcnow(),
                                 patient_view_note="The panel discussed it."))
    session.commit()

    # the moderation grid still says the same after the vacancy has moved on (now with names)
    grid = text_of(chair.get(f"/vacancies/{v.id}/shortlisting/moderation"))
    for number, (total, rank, _means) in EXPECTED_SHORTLISTING.items():
        c = by_number[number]
        assert f"{rank}. {c.label} – {c.full_name} Total {total} out of 6" in grid
    hr = as_user(sl.hr)

    # --- the interview results page and each candidate's page ---------------------------
    results = text_of(hr.get(f"/vacancies/{v.id}/results"))
    for number, (total, rank, means) in EXPECTED_INTERVIEWS.items():
        c = by_number[number]
        sl_total = EXPECTED_SHORTLISTING[number][0]
        section = results.split(f"{c.label}: {c.full_name}", 1)[1][:400]
        assert section.startswith(f" Rank {rank} Interview score {total} out of 12"), section
        assert f"Shortlist, shortlisting score {sl_total} Submitted" in section, section
        flagged = EXPECTED_FLAGGED_QUESTIONS[number]
        assert (f"Questions where scores differ by 2 or more {len(flagged)}" in section) == bool(flagged)
        page = text_of(hr.get(f"/vacancies/{v.id}/results/{c.id}"))
        assert re.findall(r"Mean (\d+(?:\.\d+)?) Spread", page) == means
        assert f"shortlisting score {sl_total} " in page
        assert [int(x) for x in re.findall(r"Question (\d): Question topic \d Scores differ", page)] == flagged

    # --- the interview CSV ----------------------------------------------------------------
    rows = read_csv(hr.get(f"/vacancies/{v.id}/interviews/export.csv"))
    names = {u.name: key for key, u in who.items()}
    for row in rows:
        n = numbers[row["Candidate"]]
        assert int(row["Score"]) == INTERVIEWS[n][names[row["Panel member"]]][int(row["Question number"]) - 1]
    assert len(rows) == sum(len(s) * 3 for s in INTERVIEWS.values())

    # --- the results pack, read back --------------------------------------------------------
    response = fetch_pack(hr, f"/vacancies/{v.id}/packs/results.pdf")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    texts = page_texts(pdf(response.get_data()))
    for number, (total, rank, means) in EXPECTED_INTERVIEWS.items():
        c = by_number[number]
        sheet = next(t for t in texts if f"{c.label} – {c.full_name}\nRank" in t)
        meta = " ".join(sheet.split(f"{c.label} – {c.full_name}\n", 1)[1].split("\n")[:2])
        assert f"Rank {rank} · total {total} out of 12" in meta, meta
        assert f"shortlisting total {EXPECTED_SHORTLISTING[number][0]}" in meta, meta
        for q_number, mean in enumerate(means, start=1):
            line = re.search(rf"^{q_number}( ⚑)? (.+)$", sheet, re.M)
            assert line, sheet
            members = len(INTERVIEWS[number])
            assert line.group(2).split()[members] == mean
            assert bool(line.group(1)) == (q_number in EXPECTED_FLAGGED_QUESTIONS[number])


# --- one definition each of signed off and stepped aside, in Python and in SQL ----------

def test_signed_off_and_stepped_aside_read_the_same_in_python_and_in_sql(session, sl):
    import datetime as dt

    from sqlalchemy import select

    from panel.models import ConflictDeclaration
    from panel.permissions import has_stepped_aside, results_signed_off

    v, c = sl.v, sl.candidates[0]
    t = dt.datetime(2026, 3, 3, 12, tzinfo=dt.timezone.utc)
    row = InterviewSignOff(vacancy_id=v.id)
    session.add(row)
    for signed, reopened, expected in [(None, None, False), (t, None, True), (None, t, False),
                                       (t, t - dt.timedelta(hours=1), True), (t, t + dt.timedelta(hours=1), False)]:
        row.signed_off_at, row.reopened_at = signed, reopened
        session.flush()
        assert results_signed_off(row) is expected
        assert (session.scalar(select(InterviewSignOff.id).where(InterviewSignOff.signed_off)) is not None) is expected
    assert results_signed_off(None) is False

    assert has_stepped_aside(None) is False
    for knows in (False, True):
        d = ConflictDeclaration(candidate_id=c.id, user_id=sl.panelist.id, knows_candidate=knows)
        session.add(d)
        session.flush()
        assert has_stepped_aside(d) is knows
        found = session.scalar(select(ConflictDeclaration.id).where(ConflictDeclaration.stepped_aside))
        assert (found is not None) is knows
        session.delete(d)
        session.flush()


def test_every_service_refusal_carries_its_message_and_field():
    from panel.auth.services import AccountError
    from panel.candidates.services import CandidateError
    from panel.errors import ServiceError, StaleEdit
    from panel.plans.services import PlanError
    from panel.plans.timetable import TimetableError
    from panel.questions.services import QuestionError
    from panel.scoring.services import ScoringError
    from panel.shortlisting.services import ShortlistingError, StaleDecisionError, StaleScore
    from panel.uploads import UploadError
    from panel.vacancies.services import VacancyError

    for cls in (AccountError, CandidateError, PlanError, TimetableError, QuestionError, ScoringError,
                ShortlistingError, StaleDecisionError, StaleScore, UploadError, VacancyError):
        # a stale edit is one more shape of the same: it may carry the row as it now stands
        assert issubclass(cls, ServiceError) and cls.__init__ in (ServiceError.__init__, StaleEdit.__init__), cls
        exc = cls("Give a reason", field="reason")
        assert (str(exc), exc.message, exc.field) == ("Give a reason", "Give a reason", "reason")
        assert cls("No field").field is None


# --- one submit page for shortlisting and interviews ------------------------------------

def test_shortlisting_and_interview_submit_pages_are_one_template(app, session, as_user, sl):
    from flask import template_rendered

    v, c = sl.v, sl.candidates[0]
    put_scores(session, c, sl.panelist, [1, None, 2], submit=False)  # criterion 2 not scored yet
    rendered = []

    def record(sender, template, context, **extra):
        rendered.append(template.name)

    template_rendered.connect(record, app)
    try:
        client = as_user(sl.panelist)
        page = text_of(client.get(f"/vacancies/{v.id}/shortlisting/candidates/{c.id}/submit"))
        assert "Criterion 1: " in page and "1 – Some evidence" in page and "Not scored" in page
        assert "Every criterion needs a score before you can submit" in page and "Submit my scores" not in page

        c.decision = ShortlistDecision(outcome=ShortlistOutcome.SHORTLIST, reason="")
        v.status = VacancyStatus.INTERVIEWING
        questions = [PlanQuestion(vacancy_id=v.id, position=i, text=f"Question topic {i}", minutes=5) for i in (1, 2)]
        session.add_all(questions)
        session.flush()
        session.add(InterviewScore(candidate_id=c.id, plan_question_id=questions[0].id, user_id=sl.panelist.id,
                                   score=3, notes="Clear example"))
        session.commit()
        page = text_of(client.get(f"/vacancies/{v.id}/interviews/{c.id}/submit"))
        assert "Question 1: Question topic 1 3 Clear example" in page and "Question 2: Question topic 2 No score No notes" in page
        assert "1 question has no score" in page and "Submit my scores" in page
        r = client.post_form(f"/vacancies/{v.id}/interviews/{c.id}/submit", {})
        assert r.status_code == 400 and "Tick the box to submit anyway" in r.get_data(as_text=True)
    finally:
        template_rendered.disconnect(record, app)
    assert [n for n in rendered if "submit" in n] == ["_submit_scores.html"] * 3


def test_stepping_aside_at_each_round_reads_the_same_from_answers_as_in_sql(session, sl):
    """ConflictDeclaration.aside_at is the one rule; the answers already read (aside_given), the
    EXISTS condition (aside_from) and the pairs of a vacancy (aside_pairs) all follow it."""
    import itertools

    from sqlalchemy import delete, select

    from panel.models import AT_INTERVIEWS, AT_SHORTLISTING, ConflictDeclaration

    v, c, who = sl.v, sl.candidates[0], sl.panelist.id
    for at_shortlisting, at_interviews in itertools.product((None, False, True), repeat=2):
        answers = {AT_SHORTLISTING: at_shortlisting, AT_INTERVIEWS: at_interviews}
        for stage_round, knows in answers.items():
            if knows is not None:
                session.add(ConflictDeclaration(candidate_id=c.id, user_id=who, round=stage_round, knows_candidate=knows))
        session.flush()
        for stage_round in (AT_SHORTLISTING, AT_INTERVIEWS):
            expected = bool(at_shortlisting) or (stage_round == AT_INTERVIEWS and bool(at_interviews))
            assert ConflictDeclaration.aside_given(answers, stage_round) is expected, (answers, stage_round)
            assert session.scalar(select(ConflictDeclaration.aside_from(c.id, who, stage_round))) is expected
            pairs = {tuple(row) for row in session.execute(ConflictDeclaration.aside_pairs(v.id, stage_round))}
            assert ((c.id, who) in pairs) is expected
        session.execute(delete(ConflictDeclaration).where(ConflictDeclaration.candidate_id == c.id))
        session.flush()


def test_submitted_reads_the_same_at_both_stages(session, sl):
    """SubmissionMixin: one 'submitted' condition for shortlisting and interview submissions."""
    from sqlalchemy import select

    from panel.models import InterviewSubmission, ShortlistSubmission

    c, who = sl.candidates[0], sl.panelist.id
    for model in (ShortlistSubmission, InterviewSubmission):
        assert session.scalar(select(model.by(c.id, who))) is False
        session.add(model(candidate_id=c.id, user_id=who))
        session.flush()
        assert session.scalar(select(model.by(c.id, who))) is True
        assert session.scalar(select(model.by(c.id, sl.panelist2.id))) is False
        assert session.scalar(select(model).where(model.of(c.id, who))).user_id == who
