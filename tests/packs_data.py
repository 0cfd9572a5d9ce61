"""Test data and PDF readers for the pack tests (no tests here)."""
from __future__ import annotations

import datetime as dt
import io
import math

from pypdf import PdfReader

from panel.db import utcnow
from panel.models import (
    Candidate,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSlot,
    InterviewSubmission,
    Outcome,
    PlanQuestion,
    PlanQuestionCriterion,
    ShortlistDecision,
    ShortlistOutcome,
    Vacancy,
    VacancyStatus,
)

NAMES = [("Amira", "Ahmed"), ("Ben", "Baker"), ("Chloe", "Clarke"), ("Dev", "Dhillon"), ("Ella", "Evans")]


def add_plan(session, vacancy: Vacancy, texts: list[str]) -> list[PlanQuestion]:
    questions = []
    for i, text in enumerate(texts, start=1):
        q = PlanQuestion(vacancy_id=vacancy.id, position=i, text=text, guidance="Gives a real example\nSays what they learnt",
                         follow_ups="What would you do differently?", minutes=5,
                         asker_id=vacancy.panel_members[(i - 1) % len(vacancy.panel_members)].id)
        q.criteria_links.append(PlanQuestionCriterion(criterion_id=vacancy.criteria[0].id))
        session.add(q)
        questions.append(q)
    session.commit()
    return questions


def add_candidates(session, vacancy: Vacancy, n: int, outcome=ShortlistOutcome.SHORTLIST, slots: bool = True,
                   start: int = 1) -> list[Candidate]:
    out = []
    begins = dt.datetime(2026, 3, 3, 9, 30, tzinfo=dt.timezone.utc)
    for i in range(start, start + n):
        first, last = NAMES[(i - 1) % len(NAMES)]
        c = Candidate(vacancy_id=vacancy.id, number=i, first_name=first, last_name=f"{last}{i}",
                      email=f"{first.lower()}{i}@candidates.example.org", phone=f"07700 900{i:03d}",
                      supporting_information=f"Supporting information of candidate {i}.\n\nSecond paragraph.")
        if outcome is not None:
            c.decision = ShortlistDecision(outcome=outcome, reason="")
        session.add(c)
        out.append(c)
    session.flush()
    if slots:
        for k, c in enumerate(out):
            s = begins + dt.timedelta(hours=k)
            session.add(InterviewSlot(vacancy_id=vacancy.id, candidate_id=c.id, starts_at=s,
                                      ends_at=s + dt.timedelta(minutes=45), location="Room 2"))
    session.commit()
    return out


def score_all(session, vacancy: Vacancy, candidates, questions, users, sign_off_by=None) -> dict:
    """Submitted scores for everyone (a known pattern), an outcome each, optionally a sign-off.
    Returns {(candidate id, question id, user id): score}."""
    scores = {}
    for ci, c in enumerate(candidates):
        for ui, u in enumerate(users):
            for qi, q in enumerate(questions):
                value = (ci + 2 * ui + qi) % 5
                scores[(c.id, q.id, u.id)] = value
                session.add(InterviewScore(candidate_id=c.id, plan_question_id=q.id, user_id=u.id, score=value))
            session.add(InterviewSubmission(candidate_id=c.id, user_id=u.id))
        session.add(InterviewOutcome(candidate_id=c.id, outcome=[Outcome.PREFERRED, Outcome.RESERVE,
                                                                  Outcome.NOT_APPOINTABLE][min(ci, 2)],
                                     rationale=f"Rationale for candidate {ci + 1}."))
    if sign_off_by is not None:
        session.add(InterviewSignOff(vacancy_id=vacancy.id, signed_off_by_id=sign_off_by.id, signed_off_at=utcnow()))
    session.commit()
    return scores


def ready_for_interviews(session, vacancy: Vacancy, questions: int = 2, candidates: int = 2,
                         status=VacancyStatus.INTERVIEWING) -> tuple[list[PlanQuestion], list[Candidate]]:
    vacancy.status = status
    session.commit()
    qs = add_plan(session, vacancy, [f"Tell us about topic {i}." for i in range(1, questions + 1)])
    cs = add_candidates(session, vacancy, candidates)
    return qs, cs


# --- reading PDFs back -----------------------------------------------------------

def pdf(data: bytes) -> PdfReader:
    assert data[:5] == b"%PDF-", data[:200]
    return PdfReader(io.BytesIO(data))


def page_texts(reader: PdfReader) -> list[str]:
    """Each page's text, with no-break and em spaces read as plain spaces."""
    return [(p.extract_text() or "").replace("\xa0", " ").replace("\u2003", " ") for p in reader.pages]


def font_sizes(page) -> list[tuple[str, float]]:
    """(text, size in points) of every piece of text drawn on a page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        if text and text.strip():
            a = tm[0] * cm[0] + tm[1] * cm[2]
            b = tm[0] * cm[1] + tm[1] * cm[3]
            found.append((text.strip(), abs(font_size) * math.hypot(a, b)))

    page.extract_text(visitor_text=visit)
    return found


def in_order(text: str, parts: list[str]) -> bool:
    position = -1
    for part in parts:
        position = text.find(part, position + 1)
        if position < 0:
            return False
    return True
