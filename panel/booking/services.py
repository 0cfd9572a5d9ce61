"""The work behind a candidate's booking link. Services flush; the request commits. Every
change is audit-logged (with no signed-in actor: the candidate is named by their label).

The link holds a random secret; only its SHA-256 is stored (InterviewBooking.token_hash), so a
copy of the database cannot be used to book. Each invitation sent gets a new link and the old
one stops working. A link works until the cut-off HR sets (InterviewDay.booking_cutoff_hours
before the interview day starts), while the vacancy's stage lets the plan change and the
candidate is still shortlisted.

Of two candidates racing for the last free slot, the database decides: interview_bookings.slot_id
is UNIQUE and the slot is taken with a conditional UPDATE (only while it is still free), inside a
savepoint, so the loser changes nothing and is told at once (SlotTaken).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panel import audit
from panel.booking import messages
from panel.db import utcnow
from panel.errors import ServiceError
from panel.mail import external_url
from panel.models import (
    ADJUSTMENT_LABELS,
    BookingRequest,
    BookingStatus,
    Candidate,
    InterviewBooking,
    InterviewDay,
    InterviewSlot,
    ShortlistOutcome,
    Vacancy,
)

THROTTLE_MINUTES = 10
MESSAGE_MAX = 2000


class BookingError(ServiceError):
    """Refused by the booking services; nothing has changed."""


class SlotTaken(BookingError):
    """Someone else booked the slot first."""


# --- the link ------------------------------------------------------------------------

def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def booking_for(session: Session, candidate: Candidate) -> InterviewBooking:
    booking = session.scalar(select(InterviewBooking).where(InterviewBooking.candidate_id == candidate.id))
    if booking is None:
        booking = InterviewBooking(candidate_id=candidate.id, vacancy_id=candidate.vacancy_id,
                                   status=BookingStatus.WAITING, message="", adjustments="", adjustments_other="",
                                   changes=0)
        session.add(booking)
        session.flush()
    return booking


def new_link(session: Session, candidate: Candidate) -> str:
    """A new booking link for the candidate (the address to put in their invitation); any
    earlier link of theirs stops working."""
    booking = booking_for(session, candidate)
    raw = secrets.token_urlsafe(32)
    booking.token_hash = _hash(raw)
    session.flush()
    return external_url("booking.page", token=raw)


def find(session: Session, raw: str) -> InterviewBooking | None:
    """The booking behind a link, or None for a link that is altered, made up or replaced."""
    if not raw or len(raw) > 100:
        return None
    return session.scalar(select(InterviewBooking).where(InterviewBooking.token_hash == _hash(raw)))


def interview_day(session: Session, vacancy_id: int) -> InterviewDay | None:
    return session.scalar(select(InterviewDay).where(InterviewDay.vacancy_id == vacancy_id))


def cutoff(day: InterviewDay | None) -> dt.datetime | None:
    """When the link stops working: the cut-off hours before the interview day starts."""
    if day is None or day.starts_at is None:
        return None
    return day.starts_at - dt.timedelta(hours=day.booking_cutoff_hours or 0)


@dataclass
class LinkState:
    """What a working link may do now. ``reason``: why it can only be read (None: it can change)."""

    booking: InterviewBooking
    vacancy: Vacancy
    candidate: Candidate
    day: InterviewDay | None
    closes_at: dt.datetime | None
    reason: str | None = None  # "expired", "closed", "declined"

    @property
    def open(self) -> bool:
        return self.reason is None


def state(session: Session, booking: InterviewBooking, now: dt.datetime | None = None) -> LinkState:
    now = now or utcnow()
    candidate = booking.candidate
    vacancy = candidate.vacancy
    day = interview_day(session, vacancy.id)
    closes_at = cutoff(day)
    decision = candidate.decision
    reason = None
    if candidate.is_withdrawn or candidate.is_purged or not vacancy.stage.plan_editable or decision is None \
            or decision.outcome != ShortlistOutcome.SHORTLIST:
        reason = "closed"
    elif closes_at is not None and now >= closes_at:
        reason = "expired"
    elif booking.status == BookingStatus.DECLINED:
        reason = "declined"
    return LinkState(booking, vacancy, candidate, day, closes_at, reason)


def choices(session: Session, booking: InterviewBooking, now: dt.datetime | None = None) -> list[InterviewSlot]:
    """The slots the candidate may choose: their own and every free one still to come, by time.
    Nothing about who holds the others."""
    now = now or utcnow()
    rows = session.scalars(select(InterviewSlot).where(
        InterviewSlot.vacancy_id == booking.vacancy_id, InterviewSlot.starts_at > now,
        (InterviewSlot.candidate_id.is_(None)) | (InterviewSlot.candidate_id == booking.candidate_id))
        .order_by(InterviewSlot.starts_at, InterviewSlot.id))
    held = set(session.scalars(select(InterviewBooking.slot_id).where(
        InterviewBooking.vacancy_id == booking.vacancy_id, InterviewBooking.slot_id.is_not(None),
        InterviewBooking.id != booking.id)))
    return [s for s in rows if s.id not in held]


def vacancy_slots(session: Session, vacancy_id: int) -> list[InterviewSlot]:
    return list(session.scalars(select(InterviewSlot).where(InterviewSlot.vacancy_id == vacancy_id)))


def offered_slot(session: Session, booking: InterviewBooking) -> InterviewSlot | None:
    """The slot the timetable gives them (booked or not)."""
    return session.scalar(select(InterviewSlot).where(InterviewSlot.vacancy_id == booking.vacancy_id,
                                                      InterviewSlot.candidate_id == booking.candidate_id)
                          .order_by(InterviewSlot.starts_at).limit(1))


# --- what the candidate does ------------------------------------------------------------

def _check_open(link: LinkState) -> None:
    if not link.open:
        raise BookingError({"expired": "The time to change your interview online has passed",
                            "declined": "You have told us you cannot come to the interview",
                            }.get(link.reason, "This interview can no longer be booked online"))


def clean_adjustments(codes, other: str) -> tuple[str, str]:
    codes = [c for c in dict.fromkeys(codes or []) if c]
    unknown = [c for c in codes if c not in ADJUSTMENT_LABELS]
    if unknown:
        raise BookingError("Choose from the list of adjustments", "adjustments")
    other = (other or "").strip()
    if len(other) > MESSAGE_MAX:
        raise BookingError(f"Tell us in {MESSAGE_MAX} characters or fewer", "adjustments_other")
    return ",".join(c for c, _ in ADJUSTMENT_LABELS.items() if c in codes), other


def _snapshot(booking: InterviewBooking) -> dict:
    snap = audit.snapshot(booking, ["status", "slot_id", "message", "adjustments", "adjustments_other"])
    snap["status"] = booking.status.value
    return snap


def _record(session: Session, booking: InterviewBooking, action: str, summary: str, before: dict) -> dict:
    changes = audit.diff(before, _snapshot(booking))
    if changes:
        audit.record(session, None, action, booking, entity_type="interview_booking", vacancy_id=booking.vacancy_id,
                     candidate_id=booking.candidate_id, summary=f"{booking.candidate.label} {summary} (booking link)",
                     changes=changes)
    return changes


def _release(session: Session, booking: InterviewBooking, keep: int | None = None) -> None:
    """Give up the candidate's other slots on the timetable (they become free)."""
    session.execute(update(InterviewSlot).where(
        InterviewSlot.vacancy_id == booking.vacancy_id, InterviewSlot.candidate_id == booking.candidate_id,
        InterviewSlot.id != (keep or 0)).values(candidate_id=None).execution_options(synchronize_session=False))


def book(session: Session, link: LinkState, slot_id: int, codes, other: str) -> dict:
    """Book (or move to) a slot and save the adjustments. SlotTaken if someone else has it."""
    _check_open(link)
    booking = link.booking
    adjustments, other = clean_adjustments(codes, other)
    allowed = {s.id for s in choices(session, booking)}
    if slot_id not in allowed:
        raise SlotTaken("Sorry, that time has just been taken. Choose another time", "slot")
    before = _snapshot(booking)
    moving = booking.booked_slot is None or booking.booked_slot.id != slot_id
    if moving:
        try:
            with session.begin_nested():
                booking.slot_id = slot_id
                session.flush()  # interview_bookings.slot_id is UNIQUE: one booking per slot
                taken = session.execute(update(InterviewSlot).where(
                    InterviewSlot.id == slot_id,
                    InterviewSlot.candidate_id.is_(None) | (InterviewSlot.candidate_id == booking.candidate_id))
                    .values(candidate_id=booking.candidate_id).execution_options(synchronize_session=False))
                if taken.rowcount != 1:
                    raise SlotTaken("Sorry, that time has just been taken. Choose another time", "slot")
        except IntegrityError:
            raise SlotTaken("Sorry, that time has just been taken. Choose another time", "slot") from None
        _release(session, booking, keep=slot_id)
        session.expire_all()
    booking.status = BookingStatus.BOOKED
    booking.adjustments, booking.adjustments_other = adjustments, other
    booking.message = ""
    booking.answered_at = utcnow()
    session.flush()
    changes = _record(session, booking, "book", "booked an interview time" if moving else "changed their booking",
                      before)
    if changes:
        booking.changes = (booking.changes or 0) + 1
        session.flush()

        messages.booking_changed(session, link, changes)
    return changes


def cannot_come(session: Session, link: LinkState, choice: str, message: str) -> dict:
    """Decline the interview, or ask for a different time (a message is needed then). Their
    slot on the timetable becomes free either way."""
    _check_open(link)
    booking = link.booking
    message = (message or "").strip()
    if choice not in ("decline", "other_time"):
        raise BookingError("Choose whether you cannot come at all or need a different time", "choice")
    if choice == "other_time" and not message:
        raise BookingError("Tell us which days or times you could come", "message")
    if len(message) > MESSAGE_MAX:
        raise BookingError(f"Write {MESSAGE_MAX} characters or fewer", "message")
    before = _snapshot(booking)
    booking.status = BookingStatus.DECLINED if choice == "decline" else BookingStatus.ASKED
    booking.message = message
    booking.slot_id = None
    booking.answered_at = utcnow()
    _release(session, booking)
    session.flush()
    session.expire_all()
    changes = _record(session, booking, "decline" if choice == "decline" else "ask_other_time",
                      "declined the interview" if choice == "decline" else "asked for a different time", before)
    if changes:
        booking.changes = (booking.changes or 0) + 1
        session.flush()

        messages.booking_changed(session, link, changes)
    return changes


# --- reads for the panel's pages ---------------------------------------------------------

def bookings_by_candidate(session: Session, vacancy_id: int) -> dict[int, InterviewBooking]:
    return {b.candidate_id: b for b in session.scalars(
        select(InterviewBooking).where(InterviewBooking.vacancy_id == vacancy_id))}


def adjustments_for(session: Session, vacancy: Vacancy, candidate_id: int) -> list[str]:
    """What the candidate asked for, once the vacancy's stage shows it to the panel (else nothing)."""
    if not adjustments_shown(vacancy):
        return []
    booking = session.scalar(select(InterviewBooking).where(InterviewBooking.candidate_id == candidate_id))
    return booking.adjustment_lines if booking is not None else []


def adjustments_shown(vacancy: Vacancy) -> bool:
    """Adjustments reach the timetable, the packs and the scoring pages only from the interviews on."""
    return vacancy.stage.adjustments_shown


# --- throttling the booking pages -------------------------------------------------------

def throttled(session: Session, client: str, now: dt.datetime | None = None) -> bool:
    """Record a request from this address; True when it has made too many lately. Committed
    by the caller in its own transaction (a refused request is counted too)."""
    now = now or utcnow()
    since = now - dt.timedelta(minutes=THROTTLE_MINUTES)
    count = session.scalar(select(func.count(BookingRequest.id)).where(
        BookingRequest.client == client[:64], BookingRequest.at > since)) or 0
    if count >= int(current_app.config["BOOKING_MAX_REQUESTS"]):
        return True
    session.add(BookingRequest(client=client[:64], at=now))
    if count == 0:  # keep the table small: forget requests older than the window
        session.execute(delete(BookingRequest).where(BookingRequest.at < since))
    return False
