"""What stops a vacancy moving on from its stage: the one implementation, one check per stage.

Each check takes the vacancy and answers plain-English problems (empty: ready to move on). The
stage table (panel/stages.py) names the check of each stage; the vacancy page, the "move on"
page, ``advance_status`` and HR's home page all ask ``vacancy.stage.readiness(vacancy)``.
A check that needs no query (it reads only the vacancy's criteria and panel, which the home
page loads up front) can be shown on the home page (``Stage.checklist_on_home``).
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import object_session

from panel.models import Candidate, InterviewSignOff, PanelRole, ShortlistDecision, ShortlistOutcome, Vacancy


def nothing_to_check(vacancy: Vacancy) -> list[str]:
    return []


def ready_to_shortlist(vacancy: Vacancy) -> list[str]:
    """Draft: a person specification to score against and a panel of at least two with a chair."""
    problems = []
    if not any(c.at_application for c in vacancy.criteria):
        problems.append("Add at least one criterion assessed at application before shortlisting starts")
    if not any(m.panel_role == PanelRole.CHAIR for m in vacancy.panel_members):
        problems.append("Add a chair to the panel before shortlisting starts")
    if len(vacancy.panel_members) < 2:
        problems.append("Add at least two people to the panel, so every application is shortlisted by two people")
    return problems


def ready_to_interview(vacancy: Vacancy) -> list[str]:
    """Shortlisting: the chair has decided every candidate still in, and shortlisted someone."""
    session = object_session(vacancy)
    if session is None:
        return []
    rows = session.execute(
        select(Candidate.id, ShortlistDecision.outcome)
        .outerjoin(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
        .where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None))
    ).all()
    undecided = sum(1 for _, outcome in rows if outcome is None)
    if not rows:
        return ["Add the candidates and shortlist them before interviewing starts"]
    if undecided:
        return [f"The chair must record a shortlisting decision for every candidate ({undecided} still to decide)"]
    if not any(outcome == ShortlistOutcome.SHORTLIST for _, outcome in rows):
        return ["Shortlist at least one candidate before interviewing starts"]
    return []


def ready_to_close(vacancy: Vacancy) -> list[str]:
    """Decisions: the chair has signed off the interview results."""
    session = object_session(vacancy)
    signoff = (session.scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))
               if session is not None else None)
    if signoff is None or signoff.signed_off_at is None:
        return ["The chair must sign off the interview results before the vacancy closes"]
    return []
