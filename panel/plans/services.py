"""The work behind the interview plan, scale, timetable and invitations.
Services flush; the request commits. Every change is written to the audit log."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from panel import audit, notifications
from panel.errors import ServiceError
from panel.mail import one_line
from panel.notifications import services as outbox
from panel.models import (
    BankQuestion,
    Candidate,
    CandidateInvitation,
    Criterion,
    DEFAULT_SCALE,
    InterviewDay,
    InterviewSlot,
    InvitationTemplate,
    PanelRole,
    PlanQuestion,
    PlanQuestionCriterion,
    ScaleLevel,
    User,
    Vacancy,
)
from panel.plans import coverage, invitations, queries, timetable
from panel.questions import services as bank_services
from panel.questions.services import clean_lines

PLAN_FIELDS = ["text", "guidance", "follow_ups", "content_note", "minutes", "asker_id", "position", "bank_question_id"]
DAY_FIELDS = ["starts_at", "ends_at", "slot_minutes", "gap_minutes", "breaks", "default_location"]
SLOT_FIELDS = ["starts_at", "ends_at", "candidate_id", "location"]
DEFAULT_SLOT_MINUTES = 45


class PlanError(ServiceError):
    """Refused by the interview plan services."""


# --- the plan -------------------------------------------------------------------

def interview_criteria(vacancy: Vacancy) -> list[Criterion]:
    """The criteria a question can assess: those assessed at interview (or both)."""
    return [c for c in vacancy.criteria if c.at_interview]


def plan_question_data(form) -> dict:
    return {
        "text": form.text.data,
        "guidance": clean_lines(form.guidance.data),
        "follow_ups": clean_lines(form.follow_ups.data),
        "content_note": form.content_note.data or "",
        "minutes": form.minutes.data,
        "asker_id": form.asker_id.data or None,
        "criterion_ids": list(dict.fromkeys(form.criteria.data or [])),
    }


def _check_question(vacancy: Vacancy, data: dict) -> None:
    text = (data.get("text") or "").strip()
    if not text:
        raise PlanError("Enter the question", "text")
    if len(text) > 1000:
        raise PlanError("The question must be 1000 characters or fewer", "text")
    if not 1 <= int(data.get("minutes") or 0) <= 60:
        raise PlanError("Minutes allowed must be between 1 and 60", "minutes")
    ids = data.get("criterion_ids") or []
    if not ids:
        raise PlanError("Choose at least one criterion the question assesses", "criteria")
    allowed = {c.id for c in interview_criteria(vacancy)}
    if any(i not in allowed for i in ids):
        raise PlanError("Choose criteria from this vacancy's person specification that are assessed at interview",
                        "criteria")
    asker_id = data.get("asker_id")
    if asker_id is not None and asker_id not in {m.id for m in vacancy.panel_members}:
        raise PlanError("Choose a member of this vacancy's panel to ask the question", "asker_id")


def _snapshot(question: PlanQuestion) -> dict:
    snap = audit.snapshot(question, PLAN_FIELDS)
    snap["criteria"] = ",".join(str(i) for i in sorted(link.criterion_id for link in question.criteria_links))
    return snap


def add_plan_question(session: Session, actor: User, vacancy: Vacancy, data: dict,
                      bank_question: BankQuestion | None = None) -> PlanQuestion:
    _check_question(vacancy, data)
    if bank_question is not None and not bank_question.status.approved:
        raise PlanError("Only approved questions from the bank can be used", "text")
    position = (session.scalar(select(func.max(PlanQuestion.position)).where(PlanQuestion.vacancy_id == vacancy.id)) or 0) + 1
    question = PlanQuestion(
        vacancy_id=vacancy.id, bank_question_id=bank_question.id if bank_question else None, position=position,
        text=data["text"].strip(), guidance=data.get("guidance", ""), follow_ups=data.get("follow_ups", ""),
        content_note=data.get("content_note", ""), minutes=data["minutes"], asker_id=data.get("asker_id"),
    )
    question.criteria_links = [PlanQuestionCriterion(criterion_id=i) for i in data["criterion_ids"]]
    session.add(question)
    session.flush()
    ensure_scale(session, vacancy)
    audit.record(session, actor, "create", question, entity_type="plan_question", vacancy_id=vacancy.id,
                 summary=f"Question {position} added to the interview plan" + (" from the bank" if bank_question else ""),
                 changes=audit.diff({}, _snapshot(question)))
    return question


def update_plan_question(session: Session, actor: User, vacancy: Vacancy, question: PlanQuestion, data: dict) -> dict:
    _check_question(vacancy, data)
    before = _snapshot(question)
    for key in ("text", "guidance", "follow_ups", "content_note", "minutes", "asker_id"):
        value = data.get(key, getattr(question, key))
        setattr(question, key, value.strip() if key == "text" else value)
    wanted = list(data["criterion_ids"])
    for link in list(question.criteria_links):
        if link.criterion_id not in wanted:
            question.criteria_links.remove(link)
    have = {link.criterion_id for link in question.criteria_links}
    for criterion_id in wanted:
        if criterion_id not in have:
            question.criteria_links.append(PlanQuestionCriterion(criterion_id=criterion_id))
    session.flush()
    changes = audit.diff(before, _snapshot(question))
    if changes:
        audit.record(session, actor, "update", question, entity_type="plan_question", vacancy_id=vacancy.id,
                     summary=f"Question {question.position} of the interview plan changed", changes=changes)
    return changes


def move_plan_question(session: Session, actor: User, vacancy: Vacancy, questions: Sequence[PlanQuestion],
                       question: PlanQuestion, direction: str) -> bool:
    ordered = sorted(questions, key=lambda q: (q.position, q.id))
    i = ordered.index(question)
    j = i - 1 if direction == "up" else i + 1
    if direction not in ("up", "down") or j < 0 or j >= len(ordered):
        return False
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for pos, q in enumerate(ordered, start=1):
        q.position = pos
    session.flush()
    audit.record(session, actor, "reorder", question, entity_type="plan_question", vacancy_id=vacancy.id,
                 summary=f"Interview plan question moved {direction}",
                 changes={"position": {"before": i + 1, "after": j + 1}})
    return True


def delete_plan_question(session: Session, actor: User, vacancy: Vacancy, questions: Sequence[PlanQuestion],
                         question: PlanQuestion) -> None:
    if queries.question_has_scores(question.id, session):
        raise PlanError("This question cannot be removed: panel members have already scored candidates on it")
    before = _snapshot(question)
    session.delete(question)
    session.flush()
    remaining = sorted((q for q in questions if q.id != question.id), key=lambda q: (q.position, q.id))
    for pos, q in enumerate(remaining, start=1):
        q.position = pos
    audit.record(session, actor, "delete", entity_type="plan_question", entity_id=question.id, vacancy_id=vacancy.id,
                 summary="Question removed from the interview plan", changes=audit.diff(before, {}))


def plan_coverage(vacancy: Vacancy, questions: Sequence[PlanQuestion], day: InterviewDay | None) -> coverage.Coverage:
    criteria = [coverage.CriterionInfo(c.id, c.text, c.essential, c.at_interview, c.position) for c in vacancy.criteria]
    infos = [coverage.QuestionInfo(q.id, q.position, q.minutes, frozenset(link.criterion_id for link in q.criteria_links),
                                   q.asker_id is not None) for q in questions]
    return coverage.check(criteria, infos, day.slot_minutes if day else DEFAULT_SLOT_MINUTES)


# --- the scoring scale -------------------------------------------------------------

def scale_rows(levels: Sequence[ScaleLevel]) -> list[tuple[int, str, str]]:
    """(score, label, descriptor) for each point of the scale; the default until one is saved."""
    if levels:
        return [(level.score, level.label, level.descriptor) for level in sorted(levels, key=lambda l: l.score)]
    return list(DEFAULT_SCALE)


def ensure_scale(session: Session, vacancy: Vacancy) -> list[ScaleLevel]:
    levels = list(session.scalars(select(ScaleLevel).where(ScaleLevel.vacancy_id == vacancy.id).order_by(ScaleLevel.score)))
    if not levels:
        levels = [ScaleLevel(vacancy_id=vacancy.id, score=s, label=label, descriptor=desc) for s, label, desc in DEFAULT_SCALE]
        session.add_all(levels)
        session.flush()
    return levels


def update_scale(session: Session, actor: User, vacancy: Vacancy, wording: dict[int, tuple[str, str]]) -> dict:
    """Change the wording of the scale. Refused once any interview has been scored."""
    if queries.scoring_started(vacancy.id, session):
        raise PlanError("The scoring scale cannot change now: interview scores have already been recorded with it")
    levels = ensure_scale(session, vacancy)
    before = {str(level.score): f"{level.label}: {level.descriptor}" for level in levels}
    for level in levels:
        if level.score in wording:
            label, descriptor = wording[level.score]
            if not label or len(label) > 60 or not descriptor or len(descriptor) > 300:
                raise PlanError(f"Give score {level.score} a name (60 characters or fewer) and a meaning (300 or fewer)")
            level.label, level.descriptor = label, descriptor
    session.flush()
    changes = audit.diff(before, {str(level.score): f"{level.label}: {level.descriptor}" for level in levels})
    if changes:
        audit.record(session, actor, "update", vacancy, entity_type="scale", entity_id=vacancy.id, vacancy_id=vacancy.id,
                     summary="Interview scoring scale wording changed", changes=changes)
    return changes


# --- the interview day and timetable ----------------------------------------------------

def day_settings(day: InterviewDay | None) -> timetable.DaySettings | None:
    """The saved day as London date and times (None until it is set)."""
    if day is None or day.starts_at is None or day.ends_at is None:
        return None
    start, end = timetable.to_london(day.starts_at), timetable.to_london(day.ends_at)
    try:
        breaks = tuple(timetable.parse_breaks(day.breaks))
    except timetable.TimetableError:
        breaks = ()
    return timetable.DaySettings(date=start.date(), starts=start.time(), ends=end.time(),
                                 slot_minutes=day.slot_minutes, gap_minutes=day.gap_minutes, breaks=breaks)


def save_day(session: Session, actor: User, vacancy: Vacancy, settings: timetable.DaySettings,
             location: str) -> InterviewDay:
    try:
        settings.validate()
    except timetable.TimetableError as exc:
        raise PlanError(str(exc), exc.field) from None
    day = queries.interview_day(vacancy.id, session)
    if day is None:
        day = InterviewDay(vacancy_id=vacancy.id)
        session.add(day)
        before = {}
    else:
        before = audit.snapshot(day, DAY_FIELDS)
    day.starts_at, day.ends_at = settings.start_utc, settings.end_utc
    day.slot_minutes, day.gap_minutes = settings.slot_minutes, settings.gap_minutes
    day.breaks = timetable.format_breaks(settings.breaks)
    day.default_location = location or ""
    session.flush()
    changes = audit.diff(before, audit.snapshot(day, DAY_FIELDS))
    if changes:
        audit.record(session, actor, "update" if before else "create", day, entity_type="interview_day",
                     vacancy_id=vacancy.id, summary="Interview day settings saved", changes=changes)
        notifications.sync_calendar(session, vacancy)  # invitations, updates (panel/notifications)
    return day


def preview_timetable(day: InterviewDay, candidates: Sequence[Candidate]) -> timetable.Generated:
    settings = day_settings(day)
    if settings is None:
        raise PlanError("Set the interview day first")
    try:
        return timetable.generate(settings, [c.id for c in candidates])
    except timetable.TimetableError as exc:
        raise PlanError(str(exc), exc.field) from None


def fit_suggestions(day: InterviewDay | None, candidates: Sequence[Candidate]) -> list[timetable.Suggestion]:
    """What would make every shortlisted candidate fit in the interview day (empty when they do)."""
    settings = day_settings(day)
    if settings is None or not candidates:
        return []
    try:
        return timetable.suggest(settings, len(candidates))
    except timetable.TimetableError:
        return []


def generate_timetable(session: Session, actor: User, vacancy: Vacancy, day: InterviewDay,
                       candidates: Sequence[Candidate]) -> timetable.Generated:
    """Replace the vacancy's slots with freshly generated ones, one per shortlisted candidate."""
    result = preview_timetable(day, candidates)
    old = session.scalar(select(func.count(InterviewSlot.id)).where(InterviewSlot.vacancy_id == vacancy.id)) or 0
    session.execute(delete(InterviewSlot).where(InterviewSlot.vacancy_id == vacancy.id))
    for planned in result.slots:
        session.add(InterviewSlot(vacancy_id=vacancy.id, candidate_id=planned.candidate, starts_at=planned.starts_at,
                                  ends_at=planned.ends_at, location=day.default_location))
    session.flush()
    audit.record(session, actor, "generate", entity_type="timetable", entity_id=vacancy.id, vacancy_id=vacancy.id,
                 summary=f"Timetable generated: {len(result.slots)} slots"
                         + (f", {len(result.unplaced)} candidates did not fit" if result.unplaced else ""),
                 changes={"slots": {"before": old, "after": len(result.slots)}})
    notifications.sync_calendar(session, vacancy)  # an update to whoever's times moved (panel/notifications)
    return result


def candidate_label(candidate: Candidate | None, show_names: bool) -> str:
    if candidate is None:
        return ""
    return f"{candidate.label} ({candidate.full_name})" if show_names else candidate.label


def slot_views(slots: Iterable[InterviewSlot], label: Callable[[Candidate | None], str]) -> list[timetable.SlotView]:
    return [timetable.SlotView(s.id, s.starts_at, s.ends_at, s.candidate_id, label(s.candidate)) for s in slots]


def timetable_problems(slots: Sequence[InterviewSlot], day: InterviewDay | None, shortlisted: Sequence[Candidate],
                       label: Callable[[Candidate | None], str]) -> list[timetable.Problem]:
    return timetable.check(slot_views(slots, label), day_settings(day), [(c.id, label(c)) for c in shortlisted])


def save_slot(session: Session, actor: User, vacancy: Vacancy, slot: InterviewSlot | None, *,
              date: dt.date, starts: dt.time, ends: dt.time, candidate: Candidate | None, location: str,
              others: Sequence[InterviewSlot], shortlisted: Sequence[Candidate],
              label: Callable[[Candidate | None], str]) -> InterviewSlot:
    """Add or change one slot. Overlaps, a candidate twice and zero-length slots are refused."""
    try:
        starts_at = timetable.london_to_utc(date, starts)
    except timetable.TimetableError as exc:
        raise PlanError(str(exc), "starts") from None
    try:
        ends_at = timetable.london_to_utc(date, ends)
    except timetable.TimetableError as exc:
        raise PlanError(str(exc), "ends") from None
    if candidate is not None and candidate.id not in {c.id for c in shortlisted} and \
            (slot is None or slot.candidate_id != candidate.id):
        raise PlanError("Choose one of the shortlisted candidates, or no candidate", "candidate_id")
    new = timetable.SlotView(slot.id if slot else None, starts_at, ends_at, candidate.id if candidate else None,
                             label(candidate))
    problems = timetable.clashes_with(new, slot_views([o for o in others if slot is None or o.id != slot.id], label))
    if problems:
        first = problems[0]
        raise PlanError(first.message, {"length": "ends", "overlap": "starts", "twice": "candidate_id"}[first.kind])
    before = audit.snapshot(slot, SLOT_FIELDS) if slot else {}
    if slot is None:
        slot = InterviewSlot(vacancy_id=vacancy.id, starts_at=starts_at, ends_at=ends_at)
        session.add(slot)
    slot.starts_at, slot.ends_at = starts_at, ends_at
    slot.candidate_id = candidate.id if candidate else None
    slot.location = location or ""
    session.flush()
    changes = audit.diff(before, audit.snapshot(slot, SLOT_FIELDS))
    if changes:
        audit.record(session, actor, "update" if before else "create", slot, entity_type="interview_slot",
                     vacancy_id=vacancy.id, summary="Interview slot " + ("changed" if before else "added"), changes=changes)
        notifications.sync_calendar(session, vacancy)
    return slot


def delete_slot(session: Session, actor: User, vacancy: Vacancy, slot: InterviewSlot) -> None:
    before = audit.snapshot(slot, SLOT_FIELDS)
    session.delete(slot)
    session.flush()
    audit.record(session, actor, "delete", entity_type="interview_slot", entity_id=slot.id, vacancy_id=vacancy.id,
                 summary="Interview slot removed", changes=audit.diff(before, {}))
    notifications.sync_calendar(session, vacancy)


# --- invitations to candidates ------------------------------------------------------------

def template_texts(template: InvitationTemplate | None) -> tuple[str, str]:
    if template is None:
        return invitations.DEFAULT_SUBJECT, invitations.DEFAULT_BODY
    return template.subject, template.body


def patient_panelist_names(vacancy: Vacancy) -> list[str]:
    return [m.user.name for m in vacancy.panel_members if m.panel_role == PanelRole.PATIENT]


def _refuse_patient_names(vacancy: Vacancy, subject: str, body: str) -> None:
    for field, text in (("subject", subject), ("body", body)):
        named = invitations.named_panel_members(text, patient_panelist_names(vacancy))
        if named:
            raise PlanError(f"Take out {', '.join(named)}: patient panel members are never named to candidates", field)


def save_template(session: Session, actor: User, vacancy: Vacancy, subject: str, body: str) -> InvitationTemplate:
    unknown = invitations.unknown_placeholders(subject + " " + body)
    if unknown:
        raise PlanError("{" + unknown[0] + "} is not a placeholder we can fill in", "body")
    _refuse_patient_names(vacancy, subject, body)
    template = queries.invitation_template(vacancy.id, session)
    before = audit.snapshot(template, ["subject", "body"]) if template else {}
    if template is None:
        template = InvitationTemplate(vacancy_id=vacancy.id)
        session.add(template)
    template.subject, template.body, template.updated_by_id = subject, body, actor.id
    session.flush()
    changes = audit.diff(before, audit.snapshot(template, ["subject", "body"]))
    if changes:
        audit.record(session, actor, "update" if before else "create", template, entity_type="invitation_template",
                     vacancy_id=vacancy.id, summary="Interview invitation wording saved", changes=changes)
    return template


def invitation_values(vacancy: Vacancy, candidate: Candidate, slot: InterviewSlot, day: InterviewDay | None) -> dict:
    start = timetable.to_london(slot.starts_at)
    place = slot.location or (day.default_location if day else "") or vacancy.interview_venue or \
        "We will send you the details of where to come"
    return {
        "first_name": candidate.first_name,
        "candidate_name": candidate.full_name,
        "job_title": vacancy.title,
        "reference": vacancy.reference,
        "date": f"{start:%A} {start.day} {start:%B %Y}",
        "time": timetable.clock(slot.starts_at),
        "end_time": timetable.clock(slot.ends_at),
        "place": place,
        "panel": invitations.panel_by_role(m.panel_role.value for m in vacancy.panel_members),
        "organisation": current_app.config["ORGANISATION_NAME"],
        "booking_link": invitations.LINK_PLACEHOLDER,  # made at sending (send_invitation)
    }


def render_invitation(vacancy: Vacancy, template: InvitationTemplate | None, candidate: Candidate,
                      slot: InterviewSlot, day: InterviewDay | None) -> tuple[str, str]:
    subject, body = template_texts(template)
    values = invitation_values(vacancy, candidate, slot, day)
    return invitations.fill(subject, values), invitations.fill(body, values)


def send_invitation(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, slot: InterviewSlot | None,
                    subject: str, body: str, shortlisted_ids: set[int],
                    history: Sequence[CandidateInvitation] | None = None) -> CandidateInvitation:
    """Record one candidate's invitation and write its email to the outbox, in this transaction;
    the notifications worker sends it (within a minute or so) and makes its booking link then
    (panel/notifications/links.py: the link is never stored). An earlier invitation still
    waiting to go is replaced by this one."""
    if candidate.id not in shortlisted_ids:
        raise PlanError(f"{candidate.label} is not shortlisted for interview")
    if slot is None:
        raise PlanError(f"Give {candidate.label} an interview slot in the timetable first")
    if not subject.strip() or not body.strip():
        raise PlanError("Enter the subject and the message", "body")
    unknown = invitations.unknown_placeholders(subject + " " + body)
    if unknown:
        raise PlanError("{" + unknown[0] + "} has not been filled in. Take it out or use the template", "body")
    _refuse_patient_names(vacancy, subject, body)
    if not candidate.email:
        raise PlanError(f"{candidate.label} has no email address", "body")
    if history is None:  # (sending to everyone, the caller has read every candidate's already)
        history = queries.invitations_by_candidate([candidate.id]).get(candidate.id, [])
    waiting = [inv.notification for inv in history if inv.waiting]
    outbox.cancel_queued(session, waiting, "Replaced by a newer invitation")
    invitation = CandidateInvitation(candidate_id=candidate.id, subject=subject, body=body, status="queued", error="",
                                     sent_by_id=actor.id)
    session.add(invitation)
    session.flush()
    invitation.notification = outbox.enqueue_to_candidate(
        session, candidate=candidate, vacancy=vacancy, kind="candidate_invitation",
        key=f"candidate_invitation:i{invitation.id}", context={"subject": one_line(subject), "body": body})
    session.flush()
    audit.record(session, actor, "invite", invitation, entity_type="candidate_invitation", vacancy_id=vacancy.id,
                 summary=f"Interview invitation to {candidate.label} queued to be emailed",
                 changes={"status": {"before": None, "after": invitation.status},
                          "slot": {"before": None, "after": slot.starts_at.isoformat()}})
    return invitation


def set_booking_cutoff(session: Session, actor: User, vacancy: Vacancy, hours: int) -> InterviewDay:
    """How many hours before the interview day candidates' booking links stop working."""
    day = queries.interview_day(vacancy.id, session)
    if day is None:
        raise PlanError("Set the interview day first", "hours")
    if not 0 <= hours <= 336:
        raise PlanError("Enter a number of hours between 0 and 336 (two weeks)", "hours")
    before = audit.snapshot(day, ["booking_cutoff_hours"])
    day.booking_cutoff_hours = hours
    session.flush()
    changes = audit.diff(before, audit.snapshot(day, ["booking_cutoff_hours"]))
    if changes:
        audit.record(session, actor, "update", day, entity_type="interview_day", vacancy_id=vacancy.id,
                     summary=f"Candidates can book until {hours} hours before the interview day", changes=changes)
    return day


def latest_invitation(history: Sequence[CandidateInvitation]) -> CandidateInvitation | None:
    """A candidate's newest invitation (history is newest first), None before the first."""
    return history[0] if history else None


def was_invited(history: Sequence[CandidateInvitation]) -> bool:
    """The newest invitation was sent or is on its way (one that failed is still to send)."""
    return bool(history) and history[0].counts_as_invited


# --- what the plan, timetable and invitation pages need beyond one service call ---

def question_form_data(question: PlanQuestion) -> dict:
    """The question form filled in with a plan question, to change it."""
    return {"text": question.text, "guidance": question.guidance, "follow_ups": question.follow_ups,
            "content_note": question.content_note, "minutes": question.minutes, "asker_id": question.asker_id or 0,
            "criteria": [link.criterion_id for link in question.criteria_links]}


def new_question_form_data(vacancy: Vacancy, from_bank: BankQuestion | None) -> dict:
    """The question form for a new plan question: blank, or a bank question's wording with
    the interview criteria of its category ticked."""
    data = {"minutes": 5, "asker_id": 0, "criteria": []}
    if from_bank is not None:
        data.update(text=from_bank.text, guidance=from_bank.guidance, follow_ups=from_bank.follow_ups,
                    content_note=from_bank.content_note,
                    criteria=[c.id for c in interview_criteria(vacancy) if c.category == from_bank.category])
    return data


def offer_to_bank(session: Session, actor: User, vacancy: Vacancy, question: PlanQuestion, data: dict) -> None:
    """Offer a plan question to the question bank, filed under the category of its first criterion."""
    first = next(c for c in vacancy.criteria if c.id == data["criterion_ids"][0])
    bank_services.offer_plan_question(session, actor, question, first.category)


def day_form_data(vacancy: Vacancy, day: InterviewDay | None) -> dict:
    """The interview day form: the day as saved, or a usual day at the vacancy's date and venue."""
    settings = day_settings(day)
    if settings is None:
        return {"date": vacancy.interview_date, "starts": "09:30", "ends": "16:30", "slot_minutes": 45,
                "gap_minutes": 15, "breaks": "12:30-13:15", "default_location": vacancy.interview_venue}
    return {"date": settings.date, "starts": f"{settings.starts:%H:%M}", "ends": f"{settings.ends:%H:%M}",
            "slot_minutes": settings.slot_minutes, "gap_minutes": settings.gap_minutes,
            "breaks": timetable.format_breaks(settings.breaks), "default_location": day.default_location}


def slot_form_data(vacancy: Vacancy, slot: InterviewSlot | None, day: InterviewDay | None) -> dict:
    """The slot form: the slot as saved, or an empty slot on the interview day."""
    if slot is not None:
        start, end = timetable.to_london(slot.starts_at), timetable.to_london(slot.ends_at)
        return {"date": start.date(), "starts": f"{start:%H:%M}", "ends": f"{end:%H:%M}",
                "candidate_id": slot.candidate_id or 0, "location": slot.location}
    settings = day_settings(day)
    return {"date": settings.date if settings else vacancy.interview_date, "candidate_id": 0,
            "location": day.default_location if day else vacancy.interview_venue}


def chosen_candidate(candidate_id: int, slot: InterviewSlot | None, shortlisted: Sequence[Candidate]) -> Candidate | None:
    """The candidate picked for a slot: a shortlisted one, or the one the slot already has
    (who may no longer be shortlisted); None for an empty slot or an unknown id."""
    if not candidate_id:
        return None
    candidate = next((c for c in shortlisted if c.id == candidate_id), None)
    if candidate is None and slot is not None and slot.candidate_id == candidate_id:
        candidate = slot.candidate
    return candidate


@dataclass
class SendAllResult:
    queued: int = 0
    refused: int = 0
    no_slot: int = 0


def send_all_invitations(session: Session, actor: User, vacancy: Vacancy) -> SendAllResult:
    """Queue the invitation, worded from the template, for every shortlisted candidate with a
    slot who has not been sent one (or whose last one could not be delivered)."""
    shortlisted, slot_for, history = queries.invitation_rows(vacancy.id)
    template = queries.invitation_template(vacancy.id, session)
    day = queries.interview_day(vacancy.id, session)
    ids = {c.id for c in shortlisted}
    result = SendAllResult()
    for candidate in shortlisted:
        if was_invited(history.get(candidate.id, [])):
            continue
        slot = slot_for.get(candidate.id)
        if slot is None:
            result.no_slot += 1
            continue
        subject, body = render_invitation(vacancy, template, candidate, slot, day)
        try:
            send_invitation(session, actor, vacancy, candidate, slot, subject, body, ids,
                            history=history.get(candidate.id, []))
        except PlanError:
            result.refused += 1
            continue
        result.queued += 1
    return result
