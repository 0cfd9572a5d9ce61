"""What a candidate's booking, and HR's outcome letters, tell people: rows in the notifications
outbox (panel/notifications), written in the same transaction as the change. Keys make every
message idempotent: the same answer never writes the same message twice.

- to the candidate: a confirmation with a calendar file (REQUEST; a CANCEL when they give up a
  booked time), and a reminder at 9am London the day before their interview, re-planned (old
  one cancelled, new key) whenever the booking changes;
- to HR: what the candidate answered, with the adjustments they asked for;
- outcome letters: "not shortlisted" and "not appointed", one per candidate, ever.
"""
from __future__ import annotations

import datetime as dt
from collections import namedtuple

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from panel import audit, deadlines
from panel.db import utcnow
from panel.models import (
    BookingStatus,
    Candidate,
    InterviewBooking,
    InterviewOutcome,
    InterviewSlot,
    Notification,
    NotificationStatus,
    Outcome,
    Role,
    ShortlistOutcome,
    Vacancy,
)
from panel.notifications import calendar, summary
from panel.notifications import services as outbox

REMINDER = "candidate_interview_reminder"
LETTERS = {"not_shortlisted": "outcome_not_shortlisted", "not_appointed": "outcome_not_appointed"}
CANDIDATE_KINDS = {
    "candidate_invitation": "Invitation to interview, in HR's wording, with the booking link (made as it is sent)",
    "candidate_feedback": "Feedback on the interview, written by the chair (panel/scoring)",
    "booking_confirmed": "Your interview is booked (with a calendar file)",
    "booking_cancelled": "Your interview is cancelled or you asked for another time",
    REMINDER: "Your interview is tomorrow",
    "outcome_not_shortlisted": "Not shortlisted for interview",
    "outcome_not_appointed": "Not appointed after interview",
}

Attendee = namedtuple("Attendee", "id email name")


def contact() -> str:
    cfg = current_app.config
    return cfg.get("CANDIDATE_CONTACT") or cfg["MAIL_FROM"]


def _context(vacancy: Vacancy, candidate: Candidate, **extra) -> dict:
    return {"vacancy": vacancy, "candidate": candidate, "first_name": candidate.first_name,
            "organisation": current_app.config["ORGANISATION_NAME"], "contact": contact(), **extra}


def place(vacancy: Vacancy, slot, day) -> str:
    return slot.location or (day.default_location if day else "") or vacancy.interview_venue or ""


def _ics(link, slot, sequence: int, cancel: bool, description: str) -> str:
    booking, vacancy, candidate = link.booking, link.vacancy, link.candidate
    return calendar.invitation(
        day_id=0, user=Attendee(candidate.id, candidate.email, candidate.full_name),
        organiser=current_app.config["MAIL_FROM"], sequence=sequence, starts_at=slot.starts_at, ends_at=slot.ends_at,
        summary=f"Interview: {vacancy.title} ({vacancy.reference})", location=place(vacancy, slot, link.day),
        description=description, cancel=cancel, event_uid=f"interview-booking-{booking.id}@panel",
        attendee_name=candidate.full_name)


def booking_changed(session: Session, link, changes: dict) -> None:
    """The candidate has answered (booked, moved, declined, asked for another time, or changed
    their adjustments): confirm it to them, re-plan their reminder and tell HR."""
    booking, vacancy, candidate = link.booking, link.vacancy, link.candidate
    n = booking.changes
    slot = booking.booked_slot
    closes_at = link.closes_at
    common = dict(adjustments=booking.adjustment_lines, closes_at=closes_at, message=booking.message,
                  status=booking.status)
    if slot is not None:
        context = _context(vacancy, candidate, slot=slot, location=place(vacancy, slot, link.day),
                           update=n > 1, **common)
        subject, body = outbox.render("booking_confirmed", **context)
        outbox.enqueue_to_candidate(session, candidate=candidate, vacancy=vacancy, kind="booking_confirmed",
                                    key=f"booking_confirmed:b{booking.id}:n{n}", context=context,
                                    attachment=_ics(link, slot, n, False, body))
    else:
        had = "slot_id" in changes and changes["slot_id"].get("before")
        context = _context(vacancy, candidate, **common)
        ics = None
        if had:
            old = session.get(InterviewSlot, had)
            if old is not None:
                ics = _ics(link, old, n, True, outbox.render("booking_cancelled", **context)[1])
        outbox.enqueue_to_candidate(session, candidate=candidate, vacancy=vacancy, kind="booking_cancelled",
                                    key=f"booking_cancelled:b{booking.id}:n{n}", context=context, attachment=ics)
    plan_reminder(session, link)
    for person in hr_people(session, vacancy):
        outbox.enqueue(session, user=person, vacancy=vacancy, kind="booking_for_hr",
                       key=f"booking_for_hr:b{booking.id}:n{n}:u{person.id}",
                       context=outbox._context(vacancy, person, candidate=candidate, slot=slot,
                                               changes=changes, **common))


def hr_people(session: Session, vacancy: Vacancy):
    """HR: the vacancy's owner if HR, otherwise every active HR user (never the panel)."""
    return [u for u in summary.recipients(session, vacancy) if u.role == Role.HR]


def plan_reminder(session: Session, link) -> None:
    """A reminder at 9am London the day before the booked interview; any other queued one of this
    booking is cancelled (the booking moved, or was given up)."""
    booking, vacancy, candidate = link.booking, link.vacancy, link.candidate
    slot = booking.booked_slot
    keep = None
    if slot is not None:
        when = slot.starts_at.astimezone(deadlines.LONDON).date() - dt.timedelta(days=1)
        due = deadlines.at_london(when)
        if due > utcnow():
            keep = f"{REMINDER}:b{booking.id}:s{slot.id}:" + calendar.fingerprint(
                slot.starts_at, slot.ends_at, place(vacancy, slot, link.day))
    queued = list(session.scalars(select(Notification).where(
        Notification.candidate_id == candidate.id, Notification.kind == REMINDER,
        Notification.status == NotificationStatus.QUEUED)))
    outbox.cancel_queued(session, [r for r in queued if r.idempotency_key != keep],
                         "Re-planned: the booking changed")
    if keep:
        outbox.enqueue_to_candidate(session, candidate=candidate, vacancy=vacancy, kind=REMINDER, key=keep, due_at=due,
                                    context=_context(vacancy, candidate, slot=slot,
                                                     location=place(vacancy, slot, link.day),
                                                     adjustments=booking.adjustment_lines))


def reminder_not_wanted(session: Session, row: Notification) -> str | None:
    """Why a candidate's reminder should not go after all: their booking is no longer for the
    slot it is about (the timetable was made again, or the booking changed without a re-plan)."""
    if row.kind != REMINDER:
        return None
    booking = session.scalar(select(InterviewBooking).where(InterviewBooking.candidate_id == row.candidate_id))
    slot = booking.booked_slot if booking is not None else None
    if slot is None or f":s{slot.id}:" not in row.idempotency_key:
        return "The booking has changed since the reminder was planned"
    return None


# --- outcome letters ----------------------------------------------------------------------

def letter_kind(vacancy: Vacancy, candidate: Candidate, outcome) -> str | None:
    """Which outcome letter the candidate may be sent now (None: none yet, or none for them).
    ``outcome``: their interview outcome (an Outcome) or None."""
    if candidate.is_withdrawn or candidate.is_purged or not candidate.email:
        return None
    decision = candidate.decision
    if decision is not None and decision.outcome == ShortlistOutcome.REJECT:
        return "not_shortlisted" if vacancy.stage.shortlisting_done else None
    if outcome is not None and outcome != Outcome.PREFERRED and vacancy.stage.outcome_letters:
        return "not_appointed"
    return None


def letter_key(candidate: Candidate, kind: str) -> str:
    return f"{LETTERS[kind]}:c{candidate.id}"


def send_letter(session: Session, actor, vacancy: Vacancy, candidate: Candidate, kind: str) -> Notification | None:
    """Write the letter to the outbox (once per candidate, ever) and audit it."""
    row = outbox.enqueue_to_candidate(session, candidate=candidate, vacancy=vacancy, kind=LETTERS[kind],
                                      key=letter_key(candidate, kind), context=_context(vacancy, candidate))
    audit.record(session, actor, "send_letter", candidate, entity_type="candidate", vacancy_id=vacancy.id,
                 candidate_id=candidate.id, summary=f"Outcome letter ({kind.replace('_', ' ')}) sent to {candidate.label}",
                 changes={"letter": {"before": None, "after": kind}})
    return row


def messages_to(session: Session, candidate_id: int) -> list[Notification]:
    """Every message written to the candidate, newest first (what the candidate page lists)."""
    return list(session.scalars(select(Notification).where(Notification.candidate_id == candidate_id)
                                .order_by(Notification.created_at.desc(), Notification.id.desc())))


def sent_letter_keys(session: Session, vacancy_id: int) -> set[str]:
    return set(session.scalars(select(Notification.idempotency_key).where(
        Notification.vacancy_id == vacancy_id, Notification.kind.in_(tuple(LETTERS.values())))))


def booking_status_label(booking: InterviewBooking | None) -> str:
    return booking.status.label if booking is not None else BookingStatus.WAITING.label


def letters(session: Session, vacancy: Vacancy) -> list[tuple[Candidate, str, bool]]:
    """(candidate, letter kind, already sent) for every candidate the stage lets HR write to now,
    by number. Three queries, whatever the number of candidates."""
    candidates = list(session.scalars(select(Candidate).where(Candidate.vacancy_id == vacancy.id)
                                      .options(selectinload(Candidate.decision)).order_by(Candidate.number)))
    outcomes = dict(session.execute(select(InterviewOutcome.candidate_id, InterviewOutcome.outcome).join(Candidate)
                                    .where(Candidate.vacancy_id == vacancy.id)).all())
    sent = sent_letter_keys(session, vacancy.id)
    out = []
    for candidate in candidates:
        kind = letter_kind(vacancy, candidate, outcomes.get(candidate.id))
        if kind is not None:
            out.append((candidate, kind, letter_key(candidate, kind) in sent))
    return out


def send_letters(session: Session, actor, vacancy: Vacancy, candidate_id: int | None = None) -> int:
    """Send the letter to one candidate (``candidate_id``) or to everyone not yet sent theirs;
    how many were written. A letter already sent is never written again."""
    count = 0
    for candidate, kind, was_sent in letters(session, vacancy):
        if was_sent or (candidate_id is not None and candidate.id != candidate_id):
            continue
        if send_letter(session, actor, vacancy, candidate, kind) is not None:
            count += 1
    return count
