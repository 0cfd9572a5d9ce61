"""What the outbox reads: the work a panel member still owes (so a reminder goes only to those
who have not finished), counts for HR, a vacancy's and a person's messages."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, selectinload

from panel.models import (
    AT_INTERVIEWS,
    AT_SHORTLISTING,
    Candidate,
    ConflictDeclaration,
    InterviewOutcome,
    InterviewSubmission,
    Notification,
    NotificationStatus,
    Outcome,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistSubmission,
    User,
    Vacancy,
)


def application_count(session: Session, vacancy: Vacancy) -> int:
    return session.scalar(select(func.count(Candidate.id)).where(
        Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None), Candidate.purged_at.is_(None))) or 0


def shortlisting_owed(session: Session, vacancy_id: int, user_id: int) -> int:
    """Applications this person has neither submitted scores for nor stepped aside from."""
    submitted = ShortlistSubmission.by(Candidate.id, user_id)
    return session.scalar(select(func.count(Candidate.id)).where(
        Candidate.vacancy_id == vacancy_id, Candidate.withdrawn_at.is_(None), Candidate.purged_at.is_(None),
        ~submitted, ~ConflictDeclaration.aside_from(Candidate.id, user_id, AT_SHORTLISTING))) or 0


def scoring_owed(session: Session, vacancy_id: int, user_id: int) -> int:
    """Shortlisted candidates this person has neither submitted interview scores for nor stepped aside from."""
    submitted = InterviewSubmission.by(Candidate.id, user_id)
    return session.scalar(select(func.count(Candidate.id)).join(
        ShortlistDecision, and_(ShortlistDecision.candidate_id == Candidate.id,
                                ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST)).where(
        Candidate.vacancy_id == vacancy_id, Candidate.withdrawn_at.is_(None), ~submitted,
        ~ConflictDeclaration.aside_from(Candidate.id, user_id, AT_INTERVIEWS))) or 0


OWED = {"shortlisting_reminder": shortlisting_owed, "scoring_reminder": scoring_owed}


def outcome_summary(session: Session, vacancy: Vacancy) -> dict:
    """How many candidates were interviewed and found appointable (no names)."""
    rows = list(session.scalars(select(InterviewOutcome.outcome).join(Candidate).where(Candidate.vacancy_id == vacancy.id)))
    return {"decided": len(rows), "appointable": sum(o != Outcome.NOT_APPOINTABLE for o in rows),
            "preferred": sum(o == Outcome.PREFERRED for o in rows)}


def queued_of_kind(session: Session, vacancy_id: int, kind: str) -> list[Notification]:
    return list(session.scalars(select(Notification).where(
        Notification.vacancy_id == vacancy_id, Notification.kind == kind,
        Notification.status == NotificationStatus.QUEUED)))


def queued_reminders(session: Session, vacancy: Vacancy, kinds: tuple[str, ...]) -> list[Notification]:
    return list(session.scalars(select(Notification).where(
        Notification.vacancy_id == vacancy.id, Notification.kind.in_(kinds),
        Notification.status == NotificationStatus.QUEUED)))


def undelivered_count(session: Session, vacancy_id: int) -> int:
    return session.scalar(select(func.count(Notification.id)).where(
        Notification.vacancy_id == vacancy_id, Notification.status == NotificationStatus.FAILED)) or 0


def for_vacancy(session: Session, vacancy_id: int) -> list[Notification]:
    """Every message about the vacancy, with the person or candidate it is to (in a fixed number
    of queries: a candidate's invitation each, hundreds of them, once they are sent)."""
    return list(session.scalars(select(Notification).where(Notification.vacancy_id == vacancy_id)
                                .options(selectinload(Notification.user), selectinload(Notification.candidate))
                                .order_by(Notification.due_at, Notification.id)))


def for_user(session: Session, user_id: int) -> list[Notification]:
    """The messages sent (or being sent) to this person, newest first; planned ones are not shown."""
    return list(session.scalars(select(Notification).where(
        Notification.user_id == user_id,
        Notification.status.in_((NotificationStatus.SENT, NotificationStatus.FAILED, NotificationStatus.SENDING)))
        .order_by(Notification.due_at.desc(), Notification.id.desc())))


def invited_user_ids(session: Session, vacancy_id: int) -> set[int]:
    """People who have been sent (or are due) an interview-day invitation for this vacancy."""
    return set(session.scalars(select(Notification.user_id).where(
        Notification.vacancy_id == vacancy_id, Notification.kind == "interview_day").distinct()))


def invitations(session: Session, prefix: str) -> list[Notification]:
    """One person's invitations and cancellations for one interview day, oldest first (by
    email and by text message: a text message's key is "sms:" + the email's)."""
    return list(session.scalars(select(Notification).where(
        Notification.idempotency_key.startswith(prefix) | Notification.idempotency_key.startswith("sms:" + prefix))
                                .order_by(Notification.id)))


def unreachable(vacancy: Vacancy) -> list[tuple["User", str]]:
    """(panel member, why) of everyone on the vacancy's panel whom messages would not reach."""
    out = []
    for member in vacancy.panel_members:
        user = member.user
        preference = user.contact_preference or "email"
        if not user.active:
            out.append((user, "Their account is deactivated: they get no messages"))
        elif preference in ("text", "both") and not user.mobile:
            out.append((user, "They chose text messages but have not given a mobile number"))
        elif preference in ("email", "essential", "both") and not user.email:
            out.append((user, "They have no email address"))
        elif preference in ("text", "both") and not current_app.config.get("NOTIFY_API_KEY"):
            out.append((user, "They chose text messages, which need GOV.UK Notify (not set up)"))
    return out


def latest_of_kind(session: Session, kind: str, *, candidate_ids: list[int] = (),
                   user_ids: list[int] = ()) -> dict[int, Notification]:
    """Each candidate's (or each person's) newest message of this kind, whether it has gone or
    not, by candidate (or user) id; one query."""
    column = Notification.candidate_id if candidate_ids else Notification.user_id
    ids = list(candidate_ids or user_ids)
    if not ids:
        return {}
    out: dict[int, Notification] = {}
    for row in session.scalars(select(Notification).where(column.in_(ids), Notification.kind == kind)
                               .order_by(Notification.created_at.desc(), Notification.id.desc())):
        out.setdefault(row.candidate_id if candidate_ids else row.user_id, row)
    return out
