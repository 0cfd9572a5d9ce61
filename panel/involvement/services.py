"""The involvement's changes (issue 17): answering "Do you know any of these people?" again when
names are revealed, a vacancy's support contact, asking preferences, check-ins after the interview
day and the chair's record that a debrief was offered, concerns, and corrected hours.

Every function flushes and audit-logs; none commits. Words a person wrote about how they are
(check-in answers, concerns) are never copied into the audit log or into any message.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from flask import current_app
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from panel import audit, permissions
from panel.db import utcnow
from panel.errors import ServiceError
from panel.involvement import queries
from panel.involvement.activities import QUARTER, activity_of
from panel.mail import external_url
from panel.models import (
    AT_INTERVIEWS,
    AskingPreference,
    CheckIn,
    Concern,
    ConflictDeclaration,
    DebriefOffer,
    HoursCorrection,
    InterviewScore,
    Role,
    SupportContact,
    User,
    Vacancy,
)
from panel.notifications import services as notifications
from panel.permissions import member_of

CHECK_IN_FEELINGS = {"well": "It went well", "mixed": "Some of it was hard", "hard": "It was hard"}
MAX_CONCERN = 5000
MAX_TROUBLES = 3000
MAX_HOURS = Decimal("100")


class InvolvementError(ServiceError):
    pass


# --- conflicts at reveal -------------------------------------------------------------

def answer_reveal(session: Session, actor: User, vacancy: Vacancy, rows: list[queries.RevealRow],
                  known_ids: set[int]) -> list[int]:
    """Record the member's answer to "Do you know any of these people?" for every candidate
    being interviewed they have not stepped aside from: a "Yes" (``known_ids``) steps aside from
    that candidate's interview, asks no reason and cannot be taken back; their unsubmitted
    interview scores for that candidate are removed. A "Yes" for a candidate whose scores they
    have submitted is refused. Returns the ids of the candidates newly stepped aside from."""
    by_id = {r.candidate.id: r for r in rows}
    unknown = known_ids - set(by_id)
    if unknown:
        raise InvolvementError("Choose only from the people listed.", "known")
    too_late = [by_id[cid].candidate for cid in known_ids if by_id[cid].submitted and not by_id[cid].stepped_aside]
    if too_late:
        raise InvolvementError(
            f"You have already submitted your scores for {too_late[0].full_name}, so you cannot step aside from "
            "their interview now. Talk to the chair or your recruitment team.", "known")
    existing = {d.candidate_id: d for d in session.scalars(select(ConflictDeclaration).where(
        ConflictDeclaration.user_id == actor.id, ConflictDeclaration.round == AT_INTERVIEWS,
        ConflictDeclaration.candidate_id.in_(list(by_id))))}
    newly_aside = []
    for cid, row in by_id.items():
        if row.aside_at_shortlisting:
            continue  # already stepped aside when shortlisting: nothing to ask
        knows = cid in known_ids
        declaration = existing.get(cid)
        if declaration is None:
            session.add(ConflictDeclaration(candidate_id=cid, user_id=actor.id, round=AT_INTERVIEWS,
                                            knows_candidate=knows))
        elif knows and not declaration.knows_candidate:
            declaration.knows_candidate = True
            declaration.declared_at = utcnow()
        else:
            continue  # the same answer, or a "Yes" that stays a "Yes"
        if knows:
            newly_aside.append(cid)
            removed = session.execute(delete(InterviewScore).where(
                InterviewScore.candidate_id == cid, InterviewScore.user_id == actor.id)
                .execution_options(synchronize_session=False)).rowcount or 0
            audit.record(session, actor, "step_aside", entity_type="candidate", entity_id=cid, vacancy_id=vacancy.id,
                         candidate_id=cid,
                         summary=f"Stepped aside from {row.candidate.label}'s interview (knows the candidate)",
                         changes={"round": AT_INTERVIEWS, "unsubmitted interview scores removed": removed})
    audit.record(session, actor, "declare", entity_type="vacancy", entity_id=vacancy.id, vacancy_id=vacancy.id,
                 summary=f"Answered \"Do you know any of these people?\" for {vacancy.reference} "
                         f"({len(newly_aside)} stepped aside from)",
                 changes={"round": AT_INTERVIEWS, "stepped aside from": len(newly_aside)})
    session.flush()
    return newly_aside


# --- support ---------------------------------------------------------------------------

def set_support_contact(session: Session, actor: User, vacancy: Vacancy, *, name: str, phone: str,
                        email: str) -> SupportContact:
    if not name:
        raise InvolvementError("Enter the name of the support contact", "name")
    if not phone and not email:
        raise InvolvementError("Enter a phone number or an email address for the support contact", "phone")
    contact = queries.support_contact(session, vacancy.id)
    fields = ["name", "phone", "email"]
    before = audit.snapshot(contact, fields) if contact else {}
    if contact is None:
        contact = SupportContact(vacancy_id=vacancy.id, name=name, phone=phone, email=email)
        session.add(contact)
    else:
        contact.name, contact.phone, contact.email = name, phone, email
    session.flush()
    audit.record(session, actor, "update", contact, vacancy_id=vacancy.id,
                 summary=f"Support contact for {vacancy.reference} set",
                 changes=audit.diff(before, audit.snapshot(contact, fields)))
    return contact


def set_asking_preference(session: Session, actor: User, vacancy: Vacancy, avoid: bool) -> AskingPreference:
    pref = queries.asking_preference(session, vacancy.id, actor.id)
    before = bool(pref.avoid_content_notes) if pref else False
    if pref is None:
        pref = AskingPreference(vacancy_id=vacancy.id, user_id=actor.id, avoid_content_notes=avoid)
        session.add(pref)
    else:
        pref.avoid_content_notes = avoid
    session.flush()
    if before != avoid:
        audit.record(session, actor, "update", pref, vacancy_id=vacancy.id,
                     summary="Asking preference for questions with a content note changed",
                     changes={"avoid_content_notes": {"before": before, "after": avoid}})
    return pref


# --- check-ins and debriefs ---------------------------------------------------------------

def invite_check_ins(session: Session, vacancy: Vacancy) -> list[CheckIn]:
    """After the interview day (the vacancy has moved on to its decisions), each patient
    panelist gets a private check-in, and a message inviting them to it (the outbox). Once only."""
    have = {c.user_id for c in session.scalars(select(CheckIn).where(CheckIn.vacancy_id == vacancy.id))}
    made = []
    for member in queries.patient_members(vacancy):
        if member.user_id in have:
            continue
        check_in = CheckIn(vacancy_id=vacancy.id, user_id=member.user_id)
        session.add(check_in)
        session.flush()
        made.append(check_in)
        user = member.user
        cfg = current_app.config
        notifications.enqueue(
            session, user=user, vacancy=vacancy, kind="check_in", key=f"check_in:v{vacancy.id}:u{user.id}",
            context={"vacancy": vacancy, "user": user, "first_name": (user.name.split() or [""])[0],
                     "organisation": cfg["ORGANISATION_NAME"],
                     "support": cfg.get("SUPPORT_CONTACT") or cfg["MAIL_FROM"], "deadlines": [],
                     "link": external_url("involvement.check_in", check_in_id=check_in.id)})
    if made:
        audit.record(session, None, "invite", entity_type="check_in", vacancy_id=vacancy.id,
                     summary=f"Check-ins after the interview day for {vacancy.reference}: {len(made)} sent",
                     changes={"check-ins": len(made)})
    return made


def answer_check_in(session: Session, actor: User, check_in: CheckIn, *, how_it_went: str, wants_call: bool,
                    troubles: str) -> CheckIn:
    if how_it_went not in CHECK_IN_FEELINGS:
        raise InvolvementError("Choose how the interview day went for you", "how_it_went")
    if len(troubles) > MAX_TROUBLES:
        raise InvolvementError(f"Write no more than {MAX_TROUBLES} characters", "troubles")
    check_in.how_it_went, check_in.wants_call, check_in.troubles = how_it_went, bool(wants_call), troubles
    check_in.answered_at = utcnow()
    check_in.call_done_at = None
    session.flush()
    # that it was answered, never what was said
    audit.record(session, actor, "answer", check_in, summary="Check-in after the interview day answered")
    return check_in


def record_call(session: Session, actor: User, check_in: CheckIn) -> None:
    if check_in.call_done_at is None:
        check_in.call_done_at = utcnow()
        session.flush()
        audit.record(session, actor, "call", check_in, summary="Call after a check-in recorded as made")


def record_debrief(session: Session, actor: User, vacancy: Vacancy, user_id: int) -> DebriefOffer:
    """The chair offered this patient panelist a debrief (only that it was offered)."""
    member = member_of(vacancy, user_id)
    if member is None or not member.is_patient:
        raise InvolvementError("Choose a patient panelist on this panel", "user_id")
    offer = queries.debriefs_offered(session, vacancy.id).get(user_id)
    if offer is None:
        offer = DebriefOffer(vacancy_id=vacancy.id, user_id=user_id, offered_by_id=actor.id)
        session.add(offer)
        session.flush()
        audit.record(session, actor, "debrief", offer, vacancy_id=vacancy.id,
                     summary=f"Debrief offered to {member.user.name} after the interviews for {vacancy.reference}")
    return offer


# --- concerns -----------------------------------------------------------------------------

def involvement_managers(session: Session) -> list[User]:
    """Who is told that a concern was raised: whoever runs the involvement (today: HR)."""
    return [u for u in session.scalars(select(User).where(User.active.is_(True), User.role == Role.HR))
            if permissions.can_manage_involvement(u)]


def raise_concern(session: Session, actor: User, text: str, *, vacancy_id: int | None,
                  wants_reply: bool) -> Concern:
    if not text:
        raise InvolvementError("Tell us what your concern is", "text")
    if len(text) > MAX_CONCERN:
        raise InvolvementError(f"Write no more than {MAX_CONCERN} characters", "text")
    concern = Concern(raised_by_id=actor.id, vacancy_id=vacancy_id, text=text, wants_reply=bool(wants_reply))
    session.add(concern)
    session.flush()
    # that a concern was raised, by whom and when: never its words
    audit.record(session, actor, "raise", concern, vacancy_id=vacancy_id, summary="A concern about the process was raised",
                 changes={"characters": len(text), "wants_reply": bool(wants_reply)})
    cfg = current_app.config
    for lead in involvement_managers(session):
        notifications.enqueue(
            session, user=lead, vacancy=None, kind="concern_raised", key=f"concern_raised:c{concern.id}:u{lead.id}",
            context={"user": lead, "first_name": (lead.name.split() or [""])[0],
                     "organisation": cfg["ORGANISATION_NAME"], "support": cfg.get("SUPPORT_CONTACT") or cfg["MAIL_FROM"],
                     "deadlines": [], "link": external_url("involvement.concerns")})
    return concern


# --- recognition ----------------------------------------------------------------------------

def parse_hours(text: str) -> Decimal:
    try:
        hours = Decimal(text.strip())
    except (InvalidOperation, AttributeError):
        raise InvolvementError("Enter the hours as a number, like 2.5", "hours") from None
    if not hours.is_finite() or hours < 0 or hours > MAX_HOURS:
        raise InvolvementError(f"Enter hours from 0 to {MAX_HOURS}", "hours")
    if hours % QUARTER:
        raise InvolvementError("Enter the hours in quarter hours, like 1.25, 1.5 or 1.75", "hours")
    return hours


def correct_hours(session: Session, actor: User, person: User, key: str, hours: Decimal) -> HoursCorrection | None:
    """Correct the hours of one of the person's activities (by its stable key). Setting them back
    to the estimate removes the correction. Audit-logged."""
    activity = activity_of(session, person.id, key)
    if activity is None:
        raise InvolvementError("That activity is not in this person's record", "hours")
    row = session.scalar(select(HoursCorrection).where(HoursCorrection.user_id == person.id,
                                                       HoursCorrection.activity_key == key))
    before = str(row.hours) if row else str(activity.hours)
    if hours == activity.hours:
        if row is not None:
            session.delete(row)
        row = None
    elif row is None:
        row = HoursCorrection(user_id=person.id, activity_key=key, hours=hours, corrected_by_id=actor.id)
        session.add(row)
    else:
        row.hours, row.corrected_by_id = hours, actor.id
    session.flush()
    if Decimal(before) != hours:
        audit.record(session, actor, "update", entity_type="hours", entity_id=person.id, vacancy_id=activity.vacancy_id,
                     summary=f"Hours of {activity.label.lower()} corrected for {person.name}",
                     changes={"activity": key, "hours": {"before": before, "after": str(hours)},
                              "estimated": str(activity.hours)})
    return row
