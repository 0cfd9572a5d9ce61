"""What each event tells people. Every function adds rows to the session and flushes; the
caller's transaction commits them with the event itself (a transactional outbox), so a message
exists exactly when its event happened. Never commit here.

Every row has an idempotency key (event + recipient + deadline/version), UNIQUE in the table: the
same event never writes the same message twice, however often it is replayed or raced.
"""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panel import deadlines
from panel.notifications import calendar
from panel.db import utcnow
from panel.mail import external_url
from panel.models import ADJUSTMENT_LABELS, BookingStatus, Candidate, InterviewDay, InterviewSlot, Notification, NotificationStatus, PanelMember, PanelRole, User, Vacancy
from panel.notifications import queries

REMINDER_KINDS = {"shortlisting_deadline": "shortlisting_reminder", "scoring_deadline": "scoring_reminder"}
DEADLINE_OF_REMINDER = {kind: field for field, kind in REMINDER_KINDS.items()}


def _text_templates():
    """The app's templates without HTML escaping, for plain-text messages: the app escapes every
    template (HTML ones include .txt parts), and an email or text message would otherwise say
    "O&#39;Neill" or "Research &amp; Development"."""
    env = current_app.extensions.get("panel.text_templates")
    if env is None:
        env = current_app.extensions["panel.text_templates"] = current_app.jinja_env.overlay(autoescape=False)
    return env


def render(kind: str, **context) -> tuple[str, str]:
    """(subject, body) from templates/notifications/<kind>.txt: its first line is
    "Subject: ...", then a blank line, then the body. Plain text: nothing is HTML-escaped."""
    text = _text_templates().get_template(f"notifications/{kind}.txt").render(**context)
    first, _, body = text.lstrip().partition("\n")
    if not first.startswith("Subject:"):
        raise ValueError(f"notifications/{kind}.txt must start with a Subject: line")
    return first.removeprefix("Subject:").strip(), body.strip() + "\n"


def _context(vacancy: Vacancy, user: User, **extra) -> dict:
    cfg = current_app.config
    return {"vacancy": vacancy, "user": user, "first_name": (user.name.split() or [""])[0],
            "organisation": cfg["ORGANISATION_NAME"], "support": cfg.get("SUPPORT_CONTACT") or cfg["MAIL_FROM"],
            "link": external_url("vacancies.show", vacancy_id=vacancy.id), "deadlines": [], **extra}


# Preferences (users.contact_preference): which channels each person's messages go by.
PREFERENCES = {"email": ("email",), "text": ("sms",), "both": ("email", "sms"), "essential": ("email",)}
PREFERENCE_LABELS = {"email": "Email", "text": "Text message", "both": "Email and text message",
                     "essential": "Only essential messages (by email)"}
# what someone who chose "only essential messages" still gets
# About the person's own account: always by email, at once (to_account_holder)
ACCOUNT_KINDS = {"account_invitation", "password_reset", "sign_in_alert"}
ESSENTIAL_KINDS = {"added_to_panel", "interview_day", "interview_day_cancelled",
                   "booking_for_hr",  # (HR arranges the adjustments a candidate asks for)
                   *ACCOUNT_KINDS}
# A text message names nobody but the person and gives a link: no surname, vacancy or candidate
SMS_TEXT = {
    "added_to_panel": "Hi {first_name}, you have been added to an interview panel. Details: {link}",
    "shortlisting_opened": "Hi {first_name}, shortlisting for a panel you are on has opened: {link}",
    "shortlisting_reminder": "Hi {first_name}, a reminder that shortlisting for your panel closes soon: {link}",
    "scoring_reminder": "Hi {first_name}, a reminder that interview scoring for your panel closes soon: {link}",
    "interview_day": "Hi {first_name}, the interview day for your panel is set or has changed. Details: {link}",
    "interview_day_reminder": "Hi {first_name}, a reminder that your panel's interview day is tomorrow: {link}",
    "interview_day_cancelled": "Hi {first_name}, you are no longer expected at an interview day. Details: {link}",
    "results_signed_off": "Hi {first_name}, thank you for being on the panel. How it ended: {link}",
    "deadline_summary": "Hi {first_name}, a deadline is near on a panel you look after. Who has not finished: {link}",
    "booking_for_hr": "Hi {first_name}, a candidate has answered their interview invitation. Details: {link}",
    "check_in": "Hi {first_name}, thank you for being on the panel. How did it go for you? {link}",
    "concern_raised": "Hi {first_name}, a concern about the recruitment process has been raised: {link}",
}


def channels_for(user: User, kind: str) -> tuple[str, ...]:
    """The channels a message of this kind goes to this person by (none: they chose essentials only)."""
    preference = user.contact_preference or "email"
    if preference == "essential" and kind not in ESSENTIAL_KINDS:
        return ()
    return PREFERENCES.get(preference, ("email",))


# How often (users.message_frequency) the messages that can wait reach each person: as things
# happen, or held and sent together once a day at DIGEST_TIME London time (worker.send_group).
# Essential messages (ESSENTIAL_KINDS) always go at once.
FREQUENCIES = {"immediate": "As things happen", "daily": "One daily digest, at 9am"}
DIGEST_TIME = deadlines.REMINDER_TIME  # with the day's reminders, so a daily reader gets one message


def held_until(user: User | None, kind: str, due_at: dt.datetime) -> dt.datetime | None:
    """When a message due at ``due_at`` may go to this person: None (at its due time) unless they
    chose a daily digest and it can wait, then the first digest time at or after its due time.
    Messages to candidates (no account, ``user`` None) are never held."""
    if user is None or (user.message_frequency or "immediate") != "daily" or kind in ESSENTIAL_KINDS:
        return None
    day = deadlines.london_today(due_at)
    digest = deadlines.at_london(day, DIGEST_TIME)
    return digest if digest >= due_at else deadlines.at_london(day + dt.timedelta(days=1), DIGEST_TIME)


def frequency_changed(session: Session, user: User) -> int:
    """The person changed how often they hear from us: their waiting messages follow the new
    choice (held for the next digest, or released to go at their own due time). How many changed."""
    changed = 0
    for row in session.scalars(select(Notification).where(Notification.user_id == user.id,
                                                          Notification.status == NotificationStatus.QUEUED)):
        wanted = held_until(user, row.kind, row.due_at)
        if row.held_until != wanted:
            row.held_until = wanted
            changed += 1
    session.flush()
    return changed


def base_key(key: str) -> str:
    """The event's key without the channel prefix ("sms:..."; email keys have none)."""
    return key.removeprefix("sms:")


def _rendered(kind: str, channel: str, context: dict) -> tuple[str, str]:
    if channel == "sms":
        return render(kind, **context)[0], SMS_TEXT[kind].format(first_name=context["first_name"], link=context["link"])
    return render(kind, **context)


def enqueue(session: Session, *, user: User, vacancy: Vacancy | None, kind: str, key: str, context: dict,
            due_at: dt.datetime | None = None, attachment: str | None = None) -> Notification | None:
    """Write the message to the outbox, one row per channel the person chose (key "sms:<key>" for
    a text message). Nothing for a deactivated person, or for a non-essential message to someone
    who chose essentials only. A key already written is not written again; a cancelled one planned
    again is re-queued. Returns the first row."""
    if not user.active:
        return None
    due_at = due_at or utcnow()
    rows = [_enqueue_one(session, user=user, candidate=None, vacancy=vacancy, kind=kind,
                         key=key if channel == "email" else f"sms:{key}",
                         context=context, due_at=due_at, channel=channel,
                         attachment=attachment if channel == "email" else None)
            for channel in channels_for(user, kind)]
    return next((r for r in rows if r is not None), None)


def enqueue_to_candidate(session: Session, *, candidate: Candidate, vacancy: Vacancy, kind: str, key: str,
                         context: dict, due_at: dt.datetime | None = None,
                         attachment: str | None = None) -> Notification | None:
    """Write a message to a candidate (no account: by email only) to the outbox, like enqueue.
    Nothing once their details have been purged."""
    if candidate.is_purged or not candidate.email:
        return None
    return _enqueue_one(session, user=None, candidate=candidate, vacancy=vacancy, kind=kind, key=key, context=context,
                        due_at=due_at or utcnow(), channel="email", attachment=attachment)


def to_account_holder(session: Session, *, user: User, kind: str, key: str, context: dict) -> Notification | None:
    """Write a message about the person's own account (ACCOUNT_KINDS: an invitation, a password
    reset, a warning about sign-in tries) to the outbox: by email whatever their contact
    preference (the link in it belongs to that address), never held for a digest. A link that is
    a key is made only when it is sent (panel/notifications/links.py)."""
    if not user.active or not user.email:
        return None
    return _enqueue_one(session, user=user, candidate=None, vacancy=None, kind=kind, key=key,
                        context={"user": user, "organisation": current_app.config["ORGANISATION_NAME"], **context},
                        due_at=utcnow(), channel="email", attachment=None)


def _enqueue_one(session: Session, *, user: User | None, candidate: Candidate | None, vacancy: Vacancy | None,
                 kind: str, key: str, context: dict, due_at: dt.datetime, channel: str,
                 attachment: str | None) -> Notification | None:
    existing = session.scalar(select(Notification).where(Notification.idempotency_key == key))
    if existing is not None:
        if existing.status == NotificationStatus.CANCELLED:
            existing.subject, existing.body = _rendered(kind, channel, context)
            existing.status, existing.due_at, existing.next_attempt_at = NotificationStatus.QUEUED, due_at, None
            existing.held_until = held_until(user, kind, due_at)
            existing.last_error = ""
            session.flush()
        return existing
    subject, body = _rendered(kind, channel, context)
    row = Notification(idempotency_key=key, user_id=user.id if user else None,
                       candidate_id=candidate.id if candidate else None, vacancy_id=vacancy.id if vacancy else None,
                       channel=channel, kind=kind, subject=subject[:300], body=body, due_at=due_at, attachment=attachment,
                       held_until=held_until(user, kind, due_at),
                       status=NotificationStatus.QUEUED, attempts=0, last_error="")
    try:
        with session.begin_nested():  # another transaction may have written the same key since
            session.add(row)
            session.flush()
    except IntegrityError:
        return None
    return row


def cancel_queued(session: Session, rows: list[Notification], reason: str) -> None:
    """Cancel messages that are still waiting. One UPDATE that touches only rows still queued:
    a worker may have claimed or sent one since it was read, and its status must not be overwritten."""
    if not rows:
        return
    session.execute(update(Notification).where(Notification.id.in_([r.id for r in rows]),
                                               Notification.status == NotificationStatus.QUEUED)
                    .values(status=NotificationStatus.CANCELLED, last_error=reason)
                    .execution_options(synchronize_session=False))
    for row in rows:
        session.expire(row)


def added_to_panel(session: Session, vacancy: Vacancy, member: PanelMember) -> None:
    user = member.user
    enqueue(session, user=user, vacancy=vacancy, kind="added_to_panel", key=f"added_to_panel:v{vacancy.id}:u{user.id}",
            context=_context(vacancy, user, role=member.panel_role, patient=member.panel_role == PanelRole.PATIENT,
                             deadlines=deadlines.shown(vacancy)))
    replan(session, vacancy)


def stage_entered(session: Session, vacancy: Vacancy) -> None:
    """The vacancy has just moved to its stage: tell the panel if the stage says so, and plan
    the reminders of the deadline the panel now works to (cancelling the previous stage's)."""
    kind = vacancy.stage.announcement
    if kind:
        applications = queries.application_count(session, vacancy)
        for member in vacancy.panel_members:
            enqueue(session, user=member.user, vacancy=vacancy, kind=kind,
                    key=f"{kind}:v{vacancy.id}:u{member.user_id}",
                    context=_context(vacancy, member.user, applications=applications,
                                     deadlines=deadlines.shown(vacancy, (vacancy.stage.deadline,) if vacancy.stage.deadline else ())))
    replan(session, vacancy)


def planned_reminders(vacancy: Vacancy, now: dt.datetime, days_before: int) -> list[tuple[PanelMember, str, dt.date, int, dt.datetime]]:
    """(member, deadline field, deadline, days before, due) of every reminder the vacancy should
    have from now on: for the deadline its stage works to, ``days_before`` days before and on the
    day, at 9am London time, to each active panel member. A reminder whose day has passed is not
    planned; one due earlier today is due now."""
    field = vacancy.stage.deadline
    day = getattr(vacancy, field) if field else None
    if day is None:
        return []
    today = deadlines.london_today(now)
    out = []
    for offset in sorted({max(days_before, 0), 0}, reverse=True):
        when = day - dt.timedelta(days=offset)
        if when < today:
            continue
        due = max(deadlines.at_london(when), now)
        out.extend((m, field, day, offset, due) for m in vacancy.panel_members if m.user.active)
    return out


def reminder_key(vacancy: Vacancy, field: str, day: dt.date, offset: int, user_id: int) -> str:
    return f"{REMINDER_KINDS[field]}:v{vacancy.id}:{day.isoformat()}:{offset}d:u{user_id}"


def replan(session: Session, vacancy: Vacancy) -> None:
    """Make the vacancy's queued reminders what its stage, deadline and panel call for now: the
    ones no longer wanted (deadline moved, stage moved on, member removed) are cancelled, new ones
    written with new keys, so a reminder is never sent at a deadline's old time."""
    now = utcnow()
    wanted = {}
    for member, field, day, offset, due in planned_reminders(vacancy, now, int(current_app.config["REMINDER_DAYS"])):
        wanted[reminder_key(vacancy, field, day, offset, member.user_id)] = (member, field, day, offset, due)
    cancel_queued(session, [row for row in queries.queued_reminders(session, vacancy, tuple(REMINDER_KINDS.values()))
                            if base_key(row.idempotency_key) not in wanted],
                  "Re-planned: the deadline, stage or panel changed")
    for key, (member, field, day, offset, due) in wanted.items():
        deadline = deadlines.DEADLINES[field]
        enqueue(session, user=member.user, vacancy=vacancy, kind=REMINDER_KINDS[field], key=key, due_at=due,
                # (no footer deadlines in a message sent later: they would count the days from today)
                context=_context(vacancy, member.user, deadline=deadline, day=day,
                                 when=deadlines.phrase(deadline.name, day, deadlines.london_today(due))))
    from panel.notifications import summary  # (it uses this module's enqueue)
    summary.plan(session, vacancy)  # the chair's and HR's daily "who has not finished"
    sync_calendar(session, vacancy)
    session.flush()


def signed_off(session: Session, vacancy: Vacancy, signoff) -> None:
    """The results are signed off: thank everyone on the panel; patient panelists (who cannot
    open the results pages) are told how the recruitment ended."""
    outcome = queries.outcome_summary(session, vacancy)
    for member in vacancy.panel_members:
        enqueue(session, user=member.user, vacancy=vacancy, kind="results_signed_off",
                key=f"results_signed_off:v{vacancy.id}:u{member.user_id}:s{signoff.id}.{signoff.version}",
                context=_context(vacancy, member.user, outcome=outcome,
                                 patient=member.panel_role == PanelRole.PATIENT))


def panel_times(session: Session, day: InterviewDay) -> tuple[dt.datetime, dt.datetime]:
    """When the panel is needed on the interview day: from the first interview slot's start to the
    last one's end once there is a timetable (every panel member sits on every interview), the
    day's own hours before that. A timetable change that moves either end updates the calendars."""
    span = session.execute(select(func.min(InterviewSlot.starts_at), func.max(InterviewSlot.ends_at))
                           .where(InterviewSlot.vacancy_id == day.vacancy_id)).one()
    if span[0] is None:
        return day.starts_at, day.ends_at
    return tuple(t if t.tzinfo else t.replace(tzinfo=dt.timezone.utc) for t in span)


def _invitation_prefix(day: InterviewDay, user_id: int) -> str:
    return f"interview_day:v{day.vacancy_id}:d{day.id}:u{user_id}:"


def sync_calendar(session: Session, vacancy: Vacancy) -> None:
    """Make everyone's calendar match the interview day: an invitation (METHOD:REQUEST) to each
    active panel member when the day is set, an update (SEQUENCE up) when its time or place
    changes, a cancellation (METHOD:CANCEL) to someone no longer on the panel or when the
    vacancy has finished without it. Nothing is written when nothing changed."""
    day = session.scalar(select(InterviewDay).where(InterviewDay.vacancy_id == vacancy.id))
    if day is None or day.starts_at is None or day.ends_at is None:
        return
    starts_at, ends_at = panel_times(session, day)
    location = day.default_location or vacancy.interview_venue or ""
    wanted = set() if vacancy.stage.finished else {m.user_id for m in vacancy.panel_members if m.user.active}
    invited = queries.invited_user_ids(session, vacancy.id)
    state = calendar.fingerprint(starts_at, ends_at, location)
    _plan_day_before_reminders(session, vacancy, day, wanted, state, location, starts_at, ends_at)
    for user_id in wanted | invited:
        user = session.get(User, user_id)
        prefix = _invitation_prefix(day, user_id)
        earlier = queries.invitations(session, prefix)
        latest = earlier[-1].idempotency_key.rsplit(":", 1)[1] if earlier else None
        cancel = user_id not in wanted
        target = "cancel" if cancel else state
        if latest == target or (cancel and latest is None):
            continue
        if cancel and not any(r.status in (NotificationStatus.SENT, NotificationStatus.SENDING) for r in earlier):
            # nothing reached their calendar: withdraw what is waiting, send no cancellation
            cancel_queued(session, earlier, "They are no longer on the panel")
            continue
        # an older version not yet sent is not needed any more
        cancel_queued(session, [r for r in earlier if r.status == NotificationStatus.QUEUED],
                      "Replaced by a newer invitation")
        sequence = len({base_key(r.idempotency_key) for r in earlier})
        kind = "interview_day_cancelled" if cancel else "interview_day"
        context = _context(vacancy, user, starts_at=starts_at, ends_at=ends_at, location=location,
                           update=sequence > 0)
        summary = f"Interviews for {vacancy.title} ({vacancy.reference})"
        ics = calendar.invitation(day_id=day.id, user=user, organiser=current_app.config["MAIL_FROM"],
                                  sequence=sequence, starts_at=starts_at, ends_at=ends_at, summary=summary,
                                  location=location, description=render(kind, **context)[1], cancel=cancel)
        enqueue(session, user=user, vacancy=vacancy, kind=kind, key=f"{prefix}s{sequence}:{target}", context=context,
                attachment=ics)


def _plan_day_before_reminders(session: Session, vacancy: Vacancy, day: InterviewDay, wanted: set[int], state: str,
                               location: str, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    """A reminder at 9am London the day before the interviews to each person invited; re-planned
    (old one cancelled, new key) when the day changes, cancelled for someone no longer invited."""
    when = starts_at.astimezone(deadlines.LONDON).date() - dt.timedelta(days=1)
    due = deadlines.at_london(when)
    keep = {f"interview_day_reminder:v{vacancy.id}:d{day.id}:u{uid}:{state}" for uid in wanted} if due > utcnow() else set()
    cancel_queued(session, [r for r in queries.queued_of_kind(session, vacancy.id, "interview_day_reminder")
                            if base_key(r.idempotency_key) not in keep], "Re-planned: the interview day or panel changed")
    for key in keep:
        user = session.get(User, int(key.split(":u")[1].split(":")[0]))
        enqueue(session, user=user, vacancy=vacancy, kind="interview_day_reminder", key=key, due_at=due,
                context=_context(vacancy, user, starts_at=starts_at, ends_at=ends_at, location=location))


KIND_LABELS = {
    "added_to_panel": "Added to the panel",
    "shortlisting_opened": "Shortlisting has opened",
    "shortlisting_reminder": "Shortlisting reminder (before the deadline and on the day)",
    "scoring_reminder": "Interview scoring reminder (before the deadline and on the day)",
    "deadline_summary": "Daily summary to the chair and HR while a deadline is near (who has not finished, never scores)",
    "interview_day": "Interview day invitation (with a calendar file)",
    "interview_day_reminder": "Interview day reminder (the day before)",
    "interview_day_cancelled": "Interview day cancellation (with a calendar file)",
    "results_signed_off": "Results signed off: thank you (patient panelists are told how it ended)",
    "booking_for_hr": "To HR: what a candidate answered through their booking link, with any adjustments they asked for",
    "check_in": "A private check-in after the interview day (patient panelists; only the involvement lead reads the answers)",
    "concern_raised": "A concern about the process was raised (to the involvement lead; never its words)",
}


def previews(session: Session, vacancy: Vacancy, user: User) -> list[tuple[str, str, str]]:
    """(label, subject, body) of every message kind, as a patient panelist of this vacancy would
    get it, with ``user`` as the sample recipient: for HR to read before anything is sent."""
    today = deadlines.london_today()
    day = session.scalar(select(InterviewDay).where(InterviewDay.vacancy_id == vacancy.id))
    starts = day.starts_at if day and day.starts_at else deadlines.at_london(today + dt.timedelta(days=28), dt.time(9, 30))
    ends = day.ends_at if day and day.ends_at else starts + dt.timedelta(hours=7)
    location = (day.default_location if day else "") or vacancy.interview_venue
    when = {}
    for field, deadline in deadlines.DEADLINES.items():
        date = getattr(vacancy, field) or today + dt.timedelta(days=7)
        reminded = date - dt.timedelta(days=int(current_app.config["REMINDER_DAYS"]))
        when[field] = {"deadline": deadline, "day": date, "when": deadlines.phrase(deadline.name, date, reminded)}
    contexts = {
        "added_to_panel": {"role": PanelRole.PATIENT, "patient": True, "deadlines": deadlines.shown(vacancy)},
        "shortlisting_opened": {"applications": queries.application_count(session, vacancy),
                                "deadlines": deadlines.shown(vacancy, ("shortlisting_deadline",))},
        "shortlisting_reminder": when["shortlisting_deadline"],
        "scoring_reminder": when["scoring_deadline"],
        "deadline_summary": {**when[vacancy.stage.deadline or "shortlisting_deadline"],
                             "outstanding": [("Sam Smith", 3), ("Pat Jones", 1)]},
        "interview_day": {"starts_at": starts, "ends_at": ends, "location": location, "update": False},
        "interview_day_reminder": {"starts_at": starts, "ends_at": ends, "location": location},
        "interview_day_cancelled": {"starts_at": starts, "ends_at": ends, "location": location},
        "results_signed_off": {"patient": True, "outcome": queries.outcome_summary(session, vacancy)},
        "booking_for_hr": {"candidate": SimpleNamespace(label="Candidate 01", full_name="Alex Example"),
                           "status": BookingStatus.BOOKED, "message": "",
                           "slot": SimpleNamespace(starts_at=starts, ends_at=starts + dt.timedelta(minutes=45)),
                           "adjustments": [ADJUSTMENT_LABELS["step_free"], ADJUSTMENT_LABELS["extra_time"]]},
        "check_in": {},        # panel/involvement/services.py (the link there goes to the check-in)
        "concern_raised": {},  # to the involvement lead (never the concern's words)
    }
    return [(KIND_LABELS[kind], *render(kind, **_context(vacancy, user, **extra))) for kind, extra in contexts.items()]
