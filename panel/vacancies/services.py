"""The work behind the vacancy pages. Services flush; the request commits."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panel import audit, deadlines, notifications, permissions
from panel.candidates.screening import scan_unchecked
from panel.db import utcnow
from panel.errors import ServiceError, StaleEdit
from panel.involvement import services as involvement
from panel.models import AssessedAt, Criterion, CriterionCategory, PanelMember, PanelRole, User, Vacancy, VacancyStatus
from panel.profiles import composition
from panel.stages import STAGES

VACANCY_FIELDS = ["title", "reference", "band", "site", "team", "hours", "salary", "closing_date",
                  "interview_date", "interview_venue", "description", "job_description_filename"]
GUIDE_FIELDS = ["guide_0", "guide_1", "guide_2"]  # the marking guide: what 0, 1 and 2 look like
CRITERION_FIELDS = ["text", "category", "essential", "assessed_at", "position", *GUIDE_FIELDS]


class VacancyError(ServiceError):
    """Refused by the vacancy services."""


DUPLICATE_REFERENCE = "Another vacancy already has this reference"


def normalise_reference(reference: str) -> str:
    """A reference as it is stored and compared: without surrounding spaces."""
    return (reference or "").strip()


def reference_taken(session: Session, reference: str, exclude_id: int | None = None) -> bool:
    """True if another vacancy has this reference, ignoring case and surrounding spaces."""
    stmt = select(Vacancy.id).where(func.lower(func.trim(Vacancy.reference)) == normalise_reference(reference).lower())
    if exclude_id:
        stmt = stmt.where(Vacancy.id != exclude_id)
    return session.scalar(stmt) is not None


def create_vacancy(session: Session, actor: User, data: dict, job_description_file: str | None = None) -> Vacancy:
    """A new draft vacancy. ``job_description_file`` is the stored name of an uploaded PDF."""
    data = {**data, "reference": normalise_reference(data["reference"])}
    if reference_taken(session, data["reference"]):
        raise VacancyError(DUPLICATE_REFERENCE, field="reference")
    vacancy = Vacancy(status=STAGES[0].status, created_by_id=actor.id, job_description_file=job_description_file,
                      **{k: data.get(k) or _empty(k) for k in VACANCY_FIELDS if k in data})
    try:
        # a savepoint: another request may have saved the same reference since the check above
        with session.begin_nested():
            session.add(vacancy)
            session.flush()
            audit.record(session, actor, "create", vacancy, vacancy_id=vacancy.id,
                         summary=f"Vacancy {vacancy.reference} created",
                         changes=audit.diff({}, audit.snapshot(vacancy, VACANCY_FIELDS + ["status"])))
            session.flush()
    except IntegrityError as exc:
        raise VacancyError(DUPLICATE_REFERENCE, field="reference") from exc
    return vacancy


def _empty(field: str):
    return None if field in ("closing_date", "interview_date", "job_description_filename") else ""


def update_vacancy(session: Session, actor: User, vacancy: Vacancy, data: dict,
                   job_description_file: str | None = None) -> dict:
    """Change the vacancy's details; ``job_description_file`` (a stored PDF name) replaces its PDF."""
    if "reference" in data:
        data = {**data, "reference": normalise_reference(data["reference"])}
        if reference_taken(session, data["reference"], exclude_id=vacancy.id):
            raise VacancyError(DUPLICATE_REFERENCE, field="reference")
    before = audit.snapshot(vacancy, VACANCY_FIELDS)
    try:
        # a savepoint: another request may have saved the same reference since the check above
        with session.begin_nested():
            for key in VACANCY_FIELDS:
                if key in data:
                    setattr(vacancy, key, data[key] if data[key] is not None else _empty(key))
            if job_description_file:
                vacancy.job_description_file = job_description_file
            session.flush()
            changes = audit.diff(before, audit.snapshot(vacancy, VACANCY_FIELDS))
            if changes:
                audit.record(session, actor, "update", vacancy, vacancy_id=vacancy.id,
                             summary=f"Vacancy {vacancy.reference} details changed", changes=changes)
                session.flush()
    except IntegrityError as exc:
        raise VacancyError(DUPLICATE_REFERENCE, field="reference") from exc
    return changes


def advance_status(session: Session, actor: User, vacancy: Vacancy, expected: VacancyStatus,
                   override_reason: str | None = None) -> VacancyStatus:
    """Move the vacancy one stage forward. ``expected`` is the stage the user saw, so a
    double-submitted form cannot skip a stage. The panel must meet the composition rules
    (panel/profiles/composition.py) or have an override for each broken one: ``override_reason``
    records one now; without it a broken rule refuses the move (VacancyError on ``reason``)."""
    if vacancy.status != expected:
        raise StaleEdit("This vacancy has already moved on. Check its stage and try again.")
    following = vacancy.stage.next
    if following is not None and following.shortlisting_open and not vacancy.stage.shortlisting_open:
        # the panel is about to read the applications: check any candidate never checked for
        # details that say who they are (the readiness check then holds the move if any are found)

        scan_unchecked(session, vacancy)
    problems = vacancy.stage.readiness(vacancy)
    if problems:
        raise VacancyError(problems[0])
    new = vacancy.stage.next
    if new is None:
        raise VacancyError("This vacancy is closed. It cannot move on.")
    try:
        composition.require(session, actor, vacancy, override_reason)
    except composition.RuleError as exc:
        raise VacancyError(exc.message, field="reason") from exc
    old = vacancy.status
    vacancy.status = new.status
    if new.finished:
        vacancy.closed_at = utcnow()  # retention periods count from here
    audit.record(session, actor, "status", vacancy, vacancy_id=vacancy.id,
                 summary=f"Vacancy {vacancy.reference} moved from {old.label.lower()} to {new.label.lower()}",
                 changes={"status": {"before": old.value, "after": new.status.value}})
    session.flush()
    notifications.stage_entered(session, vacancy)
    if new.check_ins:
        involvement.invite_check_ins(session, vacancy)
    return new.status


def set_archived(session: Session, actor: User, vacancy: Vacancy, archived: bool) -> None:
    before = vacancy.archived_at
    vacancy.archived_at = utcnow() if archived else None
    audit.record(session, actor, "archive" if archived else "unarchive", vacancy, vacancy_id=vacancy.id,
                 summary=f"Vacancy {vacancy.reference} {'archived' if archived else 'brought back from the archive'}",
                 changes={"archived_at": {"before": before.isoformat() if before else None,
                                          "after": vacancy.archived_at.isoformat() if vacancy.archived_at else None}})


# --- deadlines ------------------------------------------------------------------

DEADLINE_FIELDS = list(deadlines.DEADLINES)


def set_deadlines(session: Session, actor: User, vacancy: Vacancy, data: dict) -> dict:
    """Change the vacancy's deadlines (``data``: field -> date or None; fields left out are kept).
    A new date must not be in the past; the chair may only extend; interview scoring closes on or
    after shortlisting. Changes nothing when refused (VacancyError naming the field). Re-plans
    the reminders of a deadline that moved."""
    today = deadlines.london_today()
    wanted = {f: data.get(f, getattr(vacancy, f)) for f in DEADLINE_FIELDS}
    for field in DEADLINE_FIELDS:
        before, after = getattr(vacancy, field), wanted[field]
        if after == before:
            continue
        name = deadlines.DEADLINES[field].name
        if not permissions.may_move_deadline(actor, vacancy, before, after):
            if after is None:
                raise VacancyError(f"Only HR can remove the {name.lower()} deadline", field=field)
            raise VacancyError(f"You can only move the {name.lower()} deadline later, to give the panel more time",
                               field=field)
        if after is not None and after < today:
            raise VacancyError(f"The {name.lower()} deadline must be today or in the future", field=field)
    first, last = wanted["shortlisting_deadline"], wanted["scoring_deadline"]
    if first and last and last < first:
        raise VacancyError("The interview scoring deadline must be on or after the shortlisting deadline",
                           field="scoring_deadline")
    before = audit.snapshot(vacancy, DEADLINE_FIELDS)
    for field, value in wanted.items():
        setattr(vacancy, field, value)
    changes = audit.diff(before, audit.snapshot(vacancy, DEADLINE_FIELDS))
    if changes:
        session.flush()
        audit.record(session, actor, "deadlines", vacancy, vacancy_id=vacancy.id,
                     summary=f"Deadlines of {vacancy.reference} changed", changes=changes)
        notifications.replan(session, vacancy)
    return changes


# --- person specification -------------------------------------------------

def spec_is_locked(vacancy: Vacancy) -> bool:
    return not vacancy.stage.setting_up


def _check_spec_editable(vacancy: Vacancy) -> None:
    if spec_is_locked(vacancy):
        raise VacancyError("The person specification cannot change once shortlisting has started")


def criterion_data(form) -> dict:
    return {
        "text": form.text.data,
        "category": CriterionCategory(form.category.data),
        "essential": form.essential.data == "essential",
        "assessed_at": AssessedAt(form.assessed_at.data),
        **{name: getattr(form, name).data or "" for name in GUIDE_FIELDS},
    }


def criterion_form_data(criterion: Criterion) -> dict:
    """The criterion form filled in with a criterion, to change it."""
    return {"text": criterion.text, "category": criterion.category.value,
            "essential": "essential" if criterion.essential else "desirable",
            "assessed_at": criterion.assessed_at.value,
            **{name: getattr(criterion, name) or "" for name in GUIDE_FIELDS}}


def add_criterion(session: Session, actor: User, vacancy: Vacancy, data: dict) -> Criterion:
    _check_spec_editable(vacancy)
    position = max((c.position for c in vacancy.criteria), default=0) + 1
    criterion = Criterion(position=position, **data)
    vacancy.criteria.append(criterion)
    session.flush()
    audit.record(session, actor, "create", criterion, vacancy_id=vacancy.id, summary="Criterion added",
                 changes=audit.diff({}, audit.snapshot(criterion, CRITERION_FIELDS)))
    return criterion


def update_criterion(session: Session, actor: User, criterion: Criterion, data: dict) -> None:
    _check_spec_editable(criterion.vacancy)
    before = audit.snapshot(criterion, CRITERION_FIELDS)
    for k, v in data.items():
        setattr(criterion, k, v)
    changes = audit.diff(before, audit.snapshot(criterion, CRITERION_FIELDS))
    if changes:
        audit.record(session, actor, "update", criterion, vacancy_id=criterion.vacancy_id, summary="Criterion changed",
                     changes=changes)


def delete_criterion(session: Session, actor: User, criterion: Criterion) -> None:
    vacancy = criterion.vacancy
    _check_spec_editable(vacancy)
    before = audit.snapshot(criterion, CRITERION_FIELDS)
    vacancy.criteria.remove(criterion)
    session.flush()
    for i, c in enumerate(vacancy.criteria, start=1):
        c.position = i
    audit.record(session, actor, "delete", entity_type="criterion", entity_id=criterion.id, vacancy_id=vacancy.id,
                 summary="Criterion removed", changes=audit.diff(before, {}))


def move_criterion(session: Session, actor: User, criterion: Criterion, direction: str) -> None:
    vacancy = criterion.vacancy
    _check_spec_editable(vacancy)
    ordered = sorted(vacancy.criteria, key=lambda c: c.position)
    i = ordered.index(criterion)
    j = i - 1 if direction == "up" else i + 1
    if j < 0 or j >= len(ordered):
        return
    ordered[i], ordered[j] = ordered[j], ordered[i]
    for pos, c in enumerate(ordered, start=1):
        c.position = pos
    audit.record(session, actor, "reorder", criterion, vacancy_id=vacancy.id,
                 summary=f"Criterion moved {direction}", changes={"position": {"before": i + 1, "after": j + 1}})


def copy_criteria(session: Session, actor: User, source: Vacancy, target: Vacancy) -> int:
    _check_spec_editable(target)
    start = max((c.position for c in target.criteria), default=0)
    for n, c in enumerate(sorted(source.criteria, key=lambda c: c.position), start=1):
        target.criteria.append(Criterion(position=start + n, text=c.text, category=c.category,
                                         essential=c.essential, assessed_at=c.assessed_at,
                                         **{name: getattr(c, name) or "" for name in GUIDE_FIELDS}))
    session.flush()
    audit.record(session, actor, "copy", target, vacancy_id=target.id,
                 summary=f"{len(source.criteria)} criteria copied from {source.reference}",
                 changes={"criteria": {"before": start, "after": start + len(source.criteria)}})
    return len(source.criteria)


# --- panel --------------------------------------------------------------------

def add_panel_member(session: Session, actor: User, vacancy: Vacancy, user: User, role: PanelRole) -> PanelMember:
    if not vacancy.stage.panel_editable:
        raise VacancyError("The panel of a closed vacancy cannot change")
    if not user.active:
        raise VacancyError("This person's account is not active", field="user_id")
    if permissions.member_of(vacancy, user.id) is not None:
        raise VacancyError(f"{user.name} is already on this panel", field="user_id")
    member = PanelMember(user=user, panel_role=role)
    vacancy.panel_members.append(member)
    session.flush()
    audit.record(session, actor, "create", member, vacancy_id=vacancy.id,
                 summary=f"{user.name} added to the panel as {role.label.lower()}",
                 changes={"user_id": {"before": None, "after": user.id}, "panel_role": {"before": None, "after": role.value}})
    notifications.added_to_panel(session, vacancy, member)
    return member


def remove_panel_member(session: Session, actor: User, member: PanelMember) -> None:
    vacancy = member.vacancy
    if not vacancy.stage.panel_editable:
        raise VacancyError("The panel of a closed vacancy cannot change")
    audit.record(session, actor, "delete", member, vacancy_id=vacancy.id,
                 summary=f"{member.user.name} removed from the panel",
                 changes={"user_id": {"before": member.user_id, "after": None},
                          "panel_role": {"before": member.panel_role.value, "after": None}})
    vacancy.panel_members.remove(member)
    session.flush()
    notifications.replan(session, vacancy)
