"""The work behind the candidate pages (HR). Services flush; the request commits."""
from __future__ import annotations

import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from panel import audit
from panel.candidates import importing, screening
from panel.db import utcnow
from panel.errors import ServiceError
from panel.models import Candidate, CandidateEvidence, Criterion, ImportProfile, User, Vacancy
from panel.shortlisting import allocation

CANDIDATE_FIELDS = ["number", "first_name", "last_name", "email", "phone", "supporting_information",
                    "disability_confident", "application_filename", "withdrawn_at"]
LONG_TEXT_FIELDS = ["supporting_information"]  # written to the audit log as a digest and a length


class CandidateError(ServiceError):
    """Refused by the candidate services."""


def scored_criteria(vacancy: Vacancy) -> list[Criterion]:
    """The criteria assessed at application: the ones shortlisting scores and evidence is given for."""
    return [c for c in vacancy.criteria if c.at_application]


def next_number(session: Session, vacancy: Vacancy) -> int:
    current = session.scalar(select(func.max(Candidate.number)).where(Candidate.vacancy_id == vacancy.id))
    return (current or 0) + 1


def email_taken(session: Session, vacancy: Vacancy, email: str, exclude_id: int | None = None) -> Candidate | None:
    stmt = select(Candidate).where(Candidate.vacancy_id == vacancy.id,
                                   func.lower(Candidate.email) == email.strip().lower())
    if exclude_id:
        stmt = stmt.where(Candidate.id != exclude_id)
    return session.scalars(stmt).first()


def _snapshot(candidate: Candidate) -> dict:
    """The candidate's fields for the audit log; the long texts (statement, evidence) as a digest
    and a length (audit.digest): the candidate row holds them, and an import of 400 applications
    would otherwise copy every statement into audit_events."""
    snap = audit.snapshot(candidate, CANDIDATE_FIELDS)
    for name in LONG_TEXT_FIELDS:
        snap[name] = audit.digest(snap[name])
    for ev in candidate.evidence:
        snap[f"evidence_{ev.criterion_id}"] = audit.digest(ev.text)
    return snap


def _set_evidence(candidate: Candidate, evidence: dict[int, str]) -> None:
    """evidence: criterion id -> text ("" removes it)."""
    by_criterion = {e.criterion_id: e for e in candidate.evidence}
    for criterion_id, text in evidence.items():
        text = (text or "").strip()
        existing = by_criterion.get(criterion_id)
        if existing is not None and not text:
            candidate.evidence.remove(existing)
        elif existing is not None:
            existing.text = text
        elif text:
            candidate.evidence.append(CandidateEvidence(criterion_id=criterion_id, text=text))


def _check_evidence_criteria(vacancy: Vacancy, evidence: dict[int, str]) -> None:
    allowed = {c.id for c in scored_criteria(vacancy)}
    if any(cid not in allowed for cid in evidence):
        raise CandidateError("Evidence can only be given for this vacancy's criteria assessed at application")


def create_candidate(session: Session, actor: User, vacancy: Vacancy, data: dict,
                     evidence: dict[int, str] | None = None) -> Candidate:
    evidence = evidence or {}
    _check_evidence_criteria(vacancy, evidence)
    if email_taken(session, vacancy, data["email"]):
        raise CandidateError("A candidate with this email address is already on this vacancy", field="email")
    candidate = Candidate(vacancy_id=vacancy.id, number=next_number(session, vacancy),
                          first_name=data["first_name"], last_name=data["last_name"], email=data["email"],
                          phone=data.get("phone") or "", supporting_information=data.get("supporting_information") or "",
                          disability_confident=bool(data.get("disability_confident")),
                          identity_hits=[])  # loaded (empty): the identity check's scan needs no query
    session.add(candidate)
    _set_evidence(candidate, evidence)
    session.flush()
    screening.scan_candidate(session, candidate, application_text="")
    changes = audit.diff({}, _snapshot(candidate))
    readings = allocation.give_new_candidates(session, vacancy, [candidate.id])
    if readings:
        changes["panel members reading"] = {"before": 0, "after": readings}
    audit.record(session, actor, "create", candidate, vacancy_id=vacancy.id, summary=f"{candidate.label} added"
                 + (f" and given to {readings} panel member{'s' if readings != 1 else ''} to read" if readings else ""),
                 changes=changes)
    return candidate


def update_candidate(session: Session, actor: User, candidate: Candidate, data: dict,
                     evidence: dict[int, str] | None = None) -> dict:
    evidence = evidence or {}
    _check_evidence_criteria(candidate.vacancy, evidence)
    if "email" in data and email_taken(session, candidate.vacancy, data["email"], exclude_id=candidate.id):
        raise CandidateError("A candidate with this email address is already on this vacancy", field="email")
    before = _snapshot(candidate)
    names = (candidate.first_name, candidate.last_name)
    statement, texts = candidate.supporting_information, {e.criterion_id: e.text for e in candidate.evidence}
    for key in ("first_name", "last_name", "email", "phone", "supporting_information", "disability_confident"):
        if key in data:
            setattr(candidate, key, data[key] if data[key] is not None else "")
    _set_evidence(candidate, evidence)
    session.flush()
    screening.reset_redactions(candidate, statement, texts)
    if names != (candidate.first_name, candidate.last_name):
        screening.scan_candidate(session, candidate)  # the names looked for changed: the PDF too
    elif statement != candidate.supporting_information or texts != {e.criterion_id: e.text for e in candidate.evidence}:
        screening.scan_candidate(session, candidate, texts_only=True)
    changes = audit.diff(before, _snapshot(candidate))
    if changes:
        audit.record(session, actor, "update", candidate, vacancy_id=candidate.vacancy_id,
                     summary=f"{candidate.label} changed", changes=changes)
    return changes


def set_withdrawn(session: Session, actor: User, candidate: Candidate, withdrawn: bool) -> None:
    if withdrawn == candidate.is_withdrawn:
        return
    before = candidate.withdrawn_at
    candidate.withdrawn_at = utcnow() if withdrawn else None
    audit.record(session, actor, "withdraw" if withdrawn else "reinstate", candidate, vacancy_id=candidate.vacancy_id,
                 summary=f"{candidate.label} {'withdrawn' if withdrawn else 'brought back into the process'}",
                 changes={"withdrawn_at": {"before": before.isoformat() if before else None,
                                           "after": candidate.withdrawn_at.isoformat() if candidate.withdrawn_at else None}})


def set_application(session: Session, actor: User, candidate: Candidate, stored_name: str, filename: str,
                    application_text: str | None = None) -> str | None:
    """Attach a stored PDF and scan its text (``application_text``: the panel's copy's text, read
    from the store when not given); returns the name of the file it replaces (for the caller to delete)."""
    old = candidate.application_file
    before = candidate.application_filename
    candidate.application_file = stored_name
    candidate.application_filename = (filename or "application.pdf")[:255]
    screening.scan_candidate(session, candidate, application_text=application_text)
    audit.record(session, actor, "upload", candidate, vacancy_id=candidate.vacancy_id,
                 summary=f"Application PDF {'replaced' if old else 'uploaded'} for {candidate.label}",
                 changes={"application_filename": {"before": before, "after": candidate.application_filename}})
    return old


# --- CSV import ----------------------------------------------------------------

def import_csv(session: Session, actor: User, vacancy: Vacancy, data: bytes,
               max_bytes: int = importing.MAX_BYTES) -> importing.ParseResult:
    """All or nothing: every problem (with its line number) and nothing saved, or every row saved."""
    return _check_and_save(session, actor, vacancy, importing.parse(data, max_bytes), "CSV")


def import_mapped(session: Session, actor: User, vacancy: Vacancy, table: importing.Table, mapping: dict[int, str],
                  *, save: bool = True) -> importing.ParseResult:
    """Any export read through HR's column mapping: the same checks and the same all or nothing.
    ``save=False``: check only (the preview)."""
    result = importing.parse_mapped(table, mapping)
    return _check_and_save(session, actor, vacancy, result, "Excel" if table.sheet else "CSV", save=save)


def _check_and_save(session: Session, actor: User, vacancy: Vacancy, result: importing.ParseResult, kind: str,
                    *, save: bool = True) -> importing.ParseResult:
    """``kind``: "CSV" or "Excel", for the audit log."""
    article = "an" if kind == "Excel" else "a"
    by_number = {c.position: c for c in vacancy.criteria}
    for number in result.evidence_columns:
        criterion = by_number.get(number)
        if criterion is None:
            result.add(1, f"the column evidence_{number} does not match a criterion: this vacancy's person "
                          f"specification has {len(vacancy.criteria)} criteria")
        elif not criterion.at_application:
            result.add(1, f"the column evidence_{number} is for criterion {number}, which is assessed at interview "
                          "only. Remove the column")
    if result.rows:  # checked even when other lines have problems: every problem in one pass
        existing = {e.lower(): n for e, n in session.execute(
            select(Candidate.email, Candidate.number).where(Candidate.vacancy_id == vacancy.id))}
        for row in result.rows:
            number = existing.get(row.email.lower())
            if number is not None:
                result.add(row.line, f"a candidate with the email {row.email} is already on this vacancy "
                                     f"(Candidate {number:02d})")
        result.problems.sort(key=lambda p: p.line or 0)
    if not result.ok:
        result.rows = []
        return result
    if not save:
        return result
    number = next_number(session, vacancy)
    created = []
    for row in result.rows:
        candidate = Candidate(vacancy_id=vacancy.id, number=number, first_name=row.first_name,
                              last_name=row.last_name, email=row.email, phone=row.phone,
                              supporting_information=row.supporting_information,
                              disability_confident=row.disability_confident, identity_hits=[])
        for n, text in row.evidence.items():
            candidate.evidence.append(CandidateEvidence(criterion_id=by_number[n].id, text=text))
        session.add(candidate)
        created.append(candidate)
        number += 1
    session.flush()
    for candidate in created:
        screening.scan_candidate(session, candidate, application_text="")
    result.without_statement = [c.label for c in created if not c.supporting_information]
    for candidate in created:
        audit.record(session, actor, "create", candidate, vacancy_id=vacancy.id,
                     summary=f"{candidate.label} added from {article} {kind} import",
                     changes=audit.diff({}, _snapshot(candidate)))
    readings = allocation.give_new_candidates(session, vacancy, [c.id for c in created])
    audit.record(session, actor, "import", vacancy, vacancy_id=vacancy.id,
                 summary=f"{len(created)} candidates imported from {article} {kind} file"
                 + (f" and shared out among the readers ({readings} applications to read in all)" if readings else ""),
                 changes={"applications given to readers": {"before": 0, "after": readings}} if readings else None)
    return result


# --- saved column mappings (import profiles) -------------------------------------

def import_profiles(session: Session) -> list[ImportProfile]:
    return list(session.scalars(select(ImportProfile).order_by(ImportProfile.name)))


def profile_mapping(profile: ImportProfile | None) -> dict[str, str] | None:
    if profile is None:
        return None
    try:
        columns = json.loads(profile.columns)
    except ValueError:
        return None
    return {str(k): str(v) for k, v in columns.items()} if isinstance(columns, dict) else None


def save_import_profile(session: Session, actor: User, name: str, header: list[str],
                        mapping: dict[int, str]) -> ImportProfile:
    """Keep the mapping under this name for the next export of the same kind (a profile of the
    same name is replaced)."""
    name = " ".join(name.split())[:100]
    if not name:
        raise CandidateError("Enter a name for the saved columns", field="profile_name")
    columns = json.dumps(importing.profile_columns(header, mapping), ensure_ascii=False, sort_keys=True)
    profile = session.scalar(select(ImportProfile).where(func.lower(ImportProfile.name) == name.lower()))
    created = profile is None
    if created:
        profile = ImportProfile(name=name, columns=columns, created_by_id=actor.id)
        session.add(profile)
    else:
        profile.columns = columns
    session.flush()
    audit.record(session, actor, "create" if created else "update", profile,
                 summary=f"Import columns saved as '{name}'")
    return profile
