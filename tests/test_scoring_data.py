"""Test data for the interview scoring tests (no tests here): a vacancy at the
interviewing stage with a plan, a panel and shortlisted candidates, built with the models."""
from __future__ import annotations

from panel.models import (
    Candidate,
    InterviewScore,
    InterviewSubmission,
    PlanQuestion,
    PlanQuestionCriterion,
    ShortlistDecision,
    ShortlistOutcome,
    Vacancy,
    VacancyStatus,
)
from tests.conftest import make_user, make_vacancy

FIRST = ["Amelia", "Ben", "Chloe", "Dev", "Ella", "Femi", "Grace", "Harry", "Isla", "Jack"]


def add_plan(session, vacancy: Vacancy, n: int = 3) -> list[PlanQuestion]:
    interview_criteria = [c for c in vacancy.criteria if c.at_interview] or list(vacancy.criteria)
    questions = []
    for i in range(1, n + 1):
        q = PlanQuestion(vacancy_id=vacancy.id, position=i, text=f"Tell us about question topic {i}.",
                         guidance="Gives a real example\nSays what they learnt", follow_ups="What would you do differently?",
                         minutes=5)
        if interview_criteria:
            q.criteria_links.append(PlanQuestionCriterion(criterion=interview_criteria[(i - 1) % len(interview_criteria)]))
        session.add(q)
        questions.append(q)
    session.commit()
    return questions


def add_candidates(session, vacancy: Vacancy, n: int, outcome: ShortlistOutcome = ShortlistOutcome.SHORTLIST,
                   start: int = 1) -> list[Candidate]:
    out = []
    for i in range(start, start + n):
        first = FIRST[(i - 1) % len(FIRST)]
        c = Candidate(vacancy_id=vacancy.id, number=i, first_name=first, last_name=f"Surname{i}",
                      email=f"{first.lower()}{i}@candidates.example.org", phone="07700 900000")
        c.decision = ShortlistDecision(outcome=outcome, reason="")
        session.add(c)
        out.append(c)
    session.commit()
    return out


def interview_world(session, candidates: int = 3, questions: int = 3, reference: str = "IV-1") -> dict:
    """HR, a chair, two patient panelists and a staff member on one panel; someone on no panel."""
    n = session.query(Vacancy).count()
    hr = make_user(session, "hr", "Priya Shah", f"hr{n}@example.org")
    chair = make_user(session, "chair", "Chris Morgan", f"chair{n}@example.org")
    p1 = make_user(session, "panelist", "John O'Neill", f"john{n}@example.org")
    p2 = make_user(session, "panelist", "Zoë Ashworth", f"zoe{n}@example.org")
    staff = make_user(session, "chair", "Sam Staff", f"staff{n}@example.org")
    outsider = make_user(session, "panelist", "Olu Outsider", f"outsider{n}@example.org")
    vacancy = make_vacancy(session, reference, status=VacancyStatus.INTERVIEWING, criteria=3,
                           panel=[(chair, "chair"), (p1, "patient"), (p2, "patient"), (staff, "staff")])
    qs = add_plan(session, vacancy, questions)
    cands = add_candidates(session, vacancy, candidates)
    return {"hr": hr, "chair": chair, "p1": p1, "p2": p2, "staff": staff, "outsider": outsider,
            "vacancy": vacancy, "questions": qs, "candidates": cands}


def score_and_submit(session, candidate: Candidate, user, questions, scores, notes=None, submit=True) -> None:
    """Store a panel member's scores directly (bypassing the pages)."""
    for i, (q, s) in enumerate(zip(questions, scores)):
        session.add(InterviewScore(candidate_id=candidate.id, plan_question_id=q.id, user_id=user.id, score=s,
                                   notes=(notes[i] if notes else ""), version=1))
    if submit:
        session.add(InterviewSubmission(candidate_id=candidate.id, user_id=user.id))
    session.commit()
