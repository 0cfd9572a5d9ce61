"""Subject access: everything the app holds about one candidate, as plain data.

The same data feeds the JSON download and the PDF (templates/records/subject_access.html).
It is read in a fixed number of queries, whatever the number of scores and notes, and it
contains only rows that belong to this candidate (never another candidate's).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from panel import permissions
from panel.db import utcnow
from panel.models import (
    Candidate,
    CandidateEvidence,
    CandidateFeedback,
    CandidateInvitation,
    InterviewBooking,
    InterviewOutcome,
    InterviewScore,
    InterviewSlot,
    ModeratedScore,
    PanelRole,
    PlanQuestion,
    Role,
    ShortlistDecision,
    ShortlistScore,
    User,
    Vacancy,
)
from panel.records import secrecy

FORMAT_VERSION = 1


def _iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _booking(session: Session, candidate_id: int) -> dict | None:
    """What the candidate told us through their booking link (their own words and choices)."""
    booking = session.scalar(select(InterviewBooking).where(InterviewBooking.candidate_id == candidate_id))
    if booking is None:
        return None
    slot = booking.booked_slot
    return {"answer": booking.status.label, "booked_time": _iso(slot.starts_at) if slot else None,
            "message": booking.message, "adjustments": booking.adjustment_lines, "answered_at": _iso(booking.answered_at)}


def load_candidate(session: Session, vacancy_id: int, candidate_id: int) -> Candidate | None:
    stmt = (select(Candidate)
            .where(Candidate.id == candidate_id, Candidate.vacancy_id == vacancy_id)
            .options(selectinload(Candidate.evidence).selectinload(CandidateEvidence.criterion),
                     selectinload(Candidate.decision)))
    return session.scalar(stmt)


def build(session: Session, vacancy: Vacancy, candidate: Candidate, *, viewer) -> dict[str, Any]:
    """The subject access export for ``candidate`` (already loaded with load_candidate).

    Who wrote each note is given by name for staff; a patient panelist (a former patient,
    perhaps of the candidate: their identity is shown to candidates nowhere) is "Patient panel
    member 1", "2" ... in the same order for every export of the vacancy. HR may make it at
    any stage, so it obeys the score secrecy rule for ``viewer`` like every other view
    (permissions.score_values_hidden_because): a score or note HR may not read yet (all of
    shortlisting while it is open, an unsubmitted interview draft) is withheld with the reason,
    and the export says to make it again once scoring ends. Nothing is left out silently."""
    cid = candidate.id
    facts = secrecy.load_facts(session, {cid}, {cid} if permissions.shares_the_reading(vacancy) else set())
    withheld: list[str] = []

    def shown(item: dict[str, Any], kind: str, keys: tuple[str, ...], author_id=None, typed_by_id=None):
        why = permissions.score_values_hidden_because(
            viewer, permissions.ScoreRecord(kind, vacancy, cid, author_id, typed_by_id), facts)
        if why is None:
            return item
        text = secrecy.PLACEHOLDERS[why]
        if text not in withheld:
            withheld.append(text)
        return {**item, **{k: None for k in keys}, "withheld": text}
    shortlist_scores = list(session.scalars(
        select(ShortlistScore).where(ShortlistScore.candidate_id == cid).order_by(ShortlistScore.criterion_id,
                                                                                  ShortlistScore.user_id)))
    interview_scores = list(session.scalars(
        select(InterviewScore).where(InterviewScore.candidate_id == cid)
        .order_by(InterviewScore.plan_question_id, InterviewScore.user_id)))
    moderated = list(session.scalars(select(ModeratedScore).where(ModeratedScore.candidate_id == cid)
                                     .order_by(ModeratedScore.plan_question_id)))
    outcome = session.scalar(select(InterviewOutcome).where(InterviewOutcome.candidate_id == cid))
    feedback = session.scalar(select(CandidateFeedback).where(CandidateFeedback.candidate_id == cid))
    invitations = list(session.scalars(select(CandidateInvitation).where(CandidateInvitation.candidate_id == cid)
                                       .order_by(CandidateInvitation.created_at, CandidateInvitation.id)))
    slots = list(session.scalars(select(InterviewSlot).where(InterviewSlot.candidate_id == cid)
                                 .order_by(InterviewSlot.starts_at)))
    questions = {q.id: q for q in session.scalars(select(PlanQuestion).where(PlanQuestion.vacancy_id == vacancy.id))}
    decision: ShortlistDecision | None = candidate.decision
    user_ids = ({s.user_id for s in shortlist_scores} | {s.user_id for s in interview_scores}
                | {s.entered_by_id for s in interview_scores} | {m.moderated_by_id for m in moderated}
                | {getattr(outcome, "decided_by_id", None), getattr(feedback, "updated_by_id", None),
                   getattr(decision, "decided_by_id", None)} | {i.sent_by_id for i in invitations})
    user_ids.discard(None)
    people = list(session.scalars(select(User).where(User.id.in_(user_ids)))) if user_ids else []
    patients = sorted({m.user_id for m in vacancy.panel_members if m.panel_role == PanelRole.PATIENT}
                      | {u.id for u in people if u.role == Role.PANELIST})
    users = {u.id: u.name for u in people}
    users.update({user_id: f"Patient panel member {n}" for n, user_id in enumerate(patients, start=1)})
    criteria = {c.id: c for c in vacancy.criteria}

    def who(user_id: int | None) -> str | None:
        if user_id is None:
            return None
        return users.get(user_id, "a person whose account was removed")

    def criterion(criterion_id: int) -> str:
        c = criteria.get(criterion_id)
        return f"Criterion {c.position}: {c.text}" if c else "A criterion since removed"

    def question(question_id: int) -> str:
        q = questions.get(question_id)
        return f"Question {q.position}: {q.text}" if q else "A question since removed"

    export = {
        "format_version": FORMAT_VERSION,
        "generated_at": _iso(utcnow()),
        "organisation": current_app.config["ORGANISATION_NAME"],
        "data_controller": current_app.config["DATA_CONTROLLER"] or current_app.config["ORGANISATION_NAME"],
        "vacancy": {"reference": vacancy.reference, "title": vacancy.title, "band": vacancy.band,
                    "site": vacancy.site, "stage": vacancy.status.label, "closed_at": _iso(vacancy.closed_at)},
        "candidate": {
            "label": candidate.label,
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "email": candidate.email,
            "phone": candidate.phone,
            "disability_confident": candidate.disability_confident,
            "added_at": _iso(candidate.created_at),
            "withdrawn_at": _iso(candidate.withdrawn_at),
            "personal_data_purged_at": _iso(candidate.purged_at),
        },
        "application": {
            "supporting_information": candidate.supporting_information,
            "application_file_name": candidate.application_filename,
            "evidence": [{"criterion": criterion(e.criterion_id), "text": e.text}
                         for e in sorted(candidate.evidence, key=lambda e: criteria[e.criterion_id].position
                                         if e.criterion_id in criteria else 0)],
        },
        "shortlisting": {
            "scores": [shown({"criterion": criterion(s.criterion_id), "score": s.score, "comment": s.comment,
                              "written_by": who(s.user_id), "updated_at": _iso(s.updated_at)},
                             permissions.SHORTLISTING_SCORES, ("score", "comment"), s.user_id)
                       for s in shortlist_scores],
            "decision": (shown({"outcome": decision.outcome.label, "reason": decision.reason,
                                "decided_by": who(decision.decided_by_id), "decided_at": _iso(decision.decided_at)},
                               permissions.SHORTLISTING_DECISION, ("outcome", "reason"), decision.decided_by_id)
                         if decision else None),
        },
        "interview": {
            "slots": [{"starts_at": _iso(s.starts_at), "ends_at": _iso(s.ends_at), "location": s.location}
                      for s in slots],
            "scores": [shown({"question": question(s.plan_question_id), "score": s.score, "notes": s.notes,
                              "written_by": who(s.user_id), "typed_in_from_paper_by": who(s.entered_by_id),
                              "updated_at": _iso(s.updated_at)},
                             permissions.INTERVIEW_SCORES, ("score", "notes"), s.user_id, s.entered_by_id)
                       for s in interview_scores],
            "agreed_scores": [shown({"question": question(m.plan_question_id), "score": m.score, "reason": m.reason,
                                     "agreed_by": who(m.moderated_by_id), "agreed_at": _iso(m.moderated_at)},
                                    permissions.INTERVIEW_PANEL, ("score", "reason"), m.moderated_by_id)
                              for m in moderated],
            "outcome": (shown({"outcome": outcome.outcome.label, "rationale": outcome.rationale,
                               "decided_by": who(outcome.decided_by_id), "decided_at": _iso(outcome.decided_at)},
                              permissions.INTERVIEW_PANEL, ("outcome", "rationale"), outcome.decided_by_id)
                        if outcome else None),
        },
        "feedback": (shown({"text": feedback.text, "scores_included": feedback.include_scores,
                            "written_by": who(feedback.updated_by_id), "updated_at": _iso(feedback.updated_at),
                            "sent_at": _iso(feedback.sent_at)},
                           permissions.FEEDBACK, ("text",), feedback.updated_by_id) if feedback else None),
        "invitations": [{"subject": i.subject, "body": i.body,
                         "status": i.notification.status.label if i.notification else i.status,
                         "created_at": _iso(i.created_at), "sent_at": _iso(i.delivered_at), "sent_by": who(i.sent_by_id)}
                        for i in invitations],
        "booking": _booking(session, cid),
    }
    export["withheld"] = ([*withheld, "Make this export again once scoring has ended to include them."]
                          if withheld else [])
    return export
