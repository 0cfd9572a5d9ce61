"""What stops a vacancy moving on from its stage: the one implementation, one check per stage.

Each check takes the vacancy and answers plain-English problems (empty: ready to move on). The
stage table (panel/stages.py) names the check of each stage; the vacancy page, the "move on"
page, ``advance_status`` and HR's home page all ask ``vacancy.stage.readiness(vacancy)``.
A check that needs no query (it reads only the vacancy's criteria and panel, which the home
page loads up front) can be shown on the home page (``Stage.home_checklist``).
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from panel.candidates.screening import outstanding
from panel.models import Candidate, InterviewSignOff, PanelRole, ShortlistDecision, ShortlistOutcome, Vacancy
from panel.permissions import results_signed_off


def nothing_to_check(vacancy: Vacancy) -> list[str]:
    return []


def set_up_problems(vacancy: Vacancy) -> list[str]:
    """Draft, the part with no query (HR's home page shows it for every draft vacancy): a person
    specification to score against and a panel of at least two with a chair."""
    problems = []
    if not any(c.at_application for c in vacancy.criteria):
        problems.append("Add at least one criterion assessed at application before shortlisting starts")
    if not any(m.panel_role == PanelRole.CHAIR for m in vacancy.panel_members):
        problems.append("Add a chair to the panel before shortlisting starts")
    if len(vacancy.panel_members) < 2:
        problems.append("Add at least two people to the panel, so every application is shortlisted by two people")
    return problems


def applications_missing(vacancy: Vacancy, before: str) -> list[str]:
    """Candidates (not withdrawn) the panel would have nothing to read for: neither supporting
    information nor an application PDF. Either one is enough (an application can be a file only)."""
    session = object_session(vacancy)
    if session is None:
        return []
    numbers = list(session.scalars(
        select(Candidate.number)
        .where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
               Candidate.application_file.is_(None),
               func.coalesce(func.trim(Candidate.supporting_information), "") == "")
        .order_by(Candidate.number)))
    if not numbers:
        return []
    labels = [f"Candidate {n:02d}" for n in numbers]
    shown = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
    return [f"Add the supporting information or upload the application PDF of {shown} before {before}: "
            "the panel has nothing to read for " + ("them" if len(labels) > 1 else "this candidate")]


def identity_check_problems(vacancy: Vacancy) -> list[str]:
    """The identity check (panel/candidates/screening.py): every candidate scanned, and every
    detail that may say who they are removed from the panel's copy or marked as fine by HR."""
    session = object_session(vacancy)
    if session is None:
        return []
    left = outstanding(session, vacancy)
    problems = []
    if left.unchecked:
        labels = [f"Candidate {n:02d}" for n in left.unchecked]
        problems.append(f"Run the identity check (on the candidates page) before shortlisting starts: "
                        f"{_shown(labels)} {'has' if len(labels) == 1 else 'have'} not been checked yet")
    if left.open_by_number:
        labels = [f"Candidate {n:02d} ({count} detail{'s' if count != 1 else ''})"
                  for n, count in left.open_by_number.items()]
        problems.append(f"Review the identity check before shortlisting starts: {_shown(labels)} may say who the "
                        "candidate is. Remove each detail from what the panel reads, or mark it as fine")
    return problems


def _shown(labels: list[str]) -> str:
    return ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")


def ready_to_shortlist(vacancy: Vacancy) -> list[str]:
    """Draft: set up (above), something for the panel to read for every candidate, and the
    identity check done."""
    return (set_up_problems(vacancy) + applications_missing(vacancy, "shortlisting starts")
            + identity_check_problems(vacancy))


def ready_to_interview(vacancy: Vacancy) -> list[str]:
    """Shortlisting: the chair has decided every candidate still in, and shortlisted someone."""
    session = object_session(vacancy)
    if session is None:
        return []
    rows = session.execute(
        select(Candidate.number, ShortlistDecision.outcome, Candidate.identity_open)
        .outerjoin(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
        .where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None))
        .order_by(Candidate.number)
    ).all()
    undecided = sum(1 for _, outcome, _open in rows if outcome is None)
    if not rows:
        return ["Add the candidates and shortlist them before interviewing starts"]
    held = [f"Candidate {number:02d}" for number, _, open_hits in rows if open_hits]
    if held:  # added or changed after shortlisting opened: the panel has not been able to read them
        return [f"Review the identity check for {_shown(held)}: the panel cannot read "
                f"{'this application' if len(held) == 1 else 'these applications'} until you do"]
    if undecided:
        return [f"The chair must record a shortlisting decision for every candidate ({undecided} still to decide)"]
    if not any(outcome == ShortlistOutcome.SHORTLIST for _, outcome, _open in rows):
        return ["Shortlist at least one candidate before interviewing starts"]
    return []


def ready_to_close(vacancy: Vacancy) -> list[str]:
    """Decisions: the chair has signed off the interview results."""
    session = object_session(vacancy)
    signoff = (session.scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))
               if session is not None else None)
    if not results_signed_off(signoff):
        return ["The chair must sign off the interview results before the vacancy closes"]
    return []
