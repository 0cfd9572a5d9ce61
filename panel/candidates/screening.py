"""The identity check (services): scan what the panel will read for each candidate, keep the hits,
and let HR remove a hit from the panel's text or mark it as fine. Shortlisting cannot open while a
candidate is unchecked or has a hit nobody has looked at (panel/vacancies/readiness.py).

The scanner itself is panel/candidates/identity.py (pure). What the panel reads is the candidate's
``text_for_panel`` (the supporting information and each piece of evidence with HR's redactions) and
the text of the panel's cleaned copy of the application PDF. A redaction changes only the panel's
copy: the original stays for HR. Any change to the text scans the candidate again; a hit marked
fine stays fine as long as the same words are there. Services flush; the request commits.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from panel import audit
from panel.candidates import identity
from panel.db import utcnow
from panel.errors import ServiceError
from panel.models import Candidate, CandidateEvidence, IdentityHit, User, Vacancy
from panel.uploads import UploadError, cleaned_pdf, pdf_text

SUPPORTING = "supporting_information"
APPLICATION = "application"


class IdentityCheckError(ServiceError):
    """Refused by the identity check."""


class EmptiesText(IdentityCheckError):
    """The redaction would leave nothing for the panel to read: HR must confirm."""


def source_label(source: str, positions: dict[int, int] | None = None) -> str:
    if source == SUPPORTING:
        return "Supporting information"
    if source == APPLICATION:
        return "Application PDF (the panel's copy)"
    criterion_id = int(source.split(":")[1])
    number = (positions or {}).get(criterion_id)
    return f"Evidence for criterion {number}" if number else "Evidence"


def _texts(candidate: Candidate) -> dict[str, str]:
    """Source -> the text the panel reads there (the PDF is scanned separately)."""
    texts = {SUPPORTING: candidate.text_for_panel or ""}
    for ev in candidate.evidence:
        texts[f"evidence:{ev.criterion_id}"] = ev.text_for_panel or ""
    return texts


def _application_text(candidate: Candidate) -> str:
    """The text of the panel's cleaned copy of the application PDF ("" when there is none)."""
    if not candidate.application_file:
        return ""

    try:
        return pdf_text(cleaned_pdf(candidate.application_file).data)
    except (UploadError, FileNotFoundError, OSError):
        return ""


def scan_candidate(session: Session, candidate: Candidate, *, application_text: str | None = None,
                   texts_only: bool = False) -> list[IdentityHit]:
    """Scan the candidate again and replace their hits. ``application_text``: the PDF's text when
    the caller has it (an upload); ``texts_only``: keep the PDF's hits as they are (the typed text
    changed, not the file). A hit marked fine before stays fine when the same words are found."""
    fine = {(h.source, h.key): h for h in candidate.identity_hits if h.fine}
    kept = [h for h in candidate.identity_hits if texts_only and h.source == APPLICATION]
    sources = _texts(candidate)
    if not texts_only:
        sources[APPLICATION] = application_text if application_text is not None else _application_text(candidate)
    found: list[IdentityHit] = []
    for source, text in sources.items():
        for hit in identity.scan(text, first_name=candidate.first_name, last_name=candidate.last_name):
            before, _, after = identity.context(text, hit.start, hit.end)
            old = fine.get((source, hit.key))
            found.append(IdentityHit(source=source, kind=hit.kind, start=hit.start, end=hit.end, text=hit.text[:500],
                                     key=hit.key[:600], before=before[-200:], after=after[:200], fine=old is not None,
                                     reviewed_by_id=old.reviewed_by_id if old else None,
                                     reviewed_at=old.reviewed_at if old else None))
    candidate.identity_hits[:] = kept + found
    candidate.identity_checked_at = utcnow()
    _count_open(candidate)
    session.flush()
    return found


def _count_open(candidate: Candidate) -> None:
    """Keep the candidate's count of details still to review (what holds an application back
    from the panel while names are hidden: permissions.held_for_identity_check)."""
    candidate.identity_open = sum(1 for h in candidate.identity_hits if not h.fine)


def scan_vacancy(session: Session, actor: User, vacancy: Vacancy) -> int:
    """Scan every candidate still in (HR's "check again"); how many hits are open."""
    candidates = list(session.scalars(
        select(Candidate).where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
                                Candidate.purged_at.is_(None))
        .options(selectinload(Candidate.evidence), selectinload(Candidate.identity_hits))))
    for candidate in candidates:
        scan_candidate(session, candidate)
    open_hits = sum(1 for c in candidates for h in c.identity_hits if not h.fine)
    audit.record(session, actor, "identity_check", vacancy, vacancy_id=vacancy.id,
                 summary=f"Identity check run on {len(candidates)} candidates: {open_hits} details to review")
    return open_hits


def scan_unchecked(session: Session, vacancy: Vacancy) -> int:
    """Scan the candidates never checked (added before the identity check existed, or straight into
    the database); how many. Asked before shortlisting opens, so none is let through unscanned."""
    candidates = list(session.scalars(
        select(Candidate).where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
                                Candidate.purged_at.is_(None), Candidate.identity_checked_at.is_(None))
        .options(selectinload(Candidate.evidence), selectinload(Candidate.identity_hits))))
    for candidate in candidates:
        scan_candidate(session, candidate)
    return len(candidates)


@dataclass
class Outstanding:
    unchecked: list[int]  # candidate numbers never scanned
    open_by_number: dict[int, int]  # candidate number -> open hits

    @property
    def ok(self) -> bool:
        return not self.unchecked and not self.open_by_number


def outstanding(session: Session, vacancy: Vacancy) -> Outstanding:
    """What the identity check still needs before shortlisting opens (two queries)."""
    alive = (Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None), Candidate.purged_at.is_(None))
    unchecked = list(session.scalars(select(Candidate.number).where(*alive, Candidate.identity_checked_at.is_(None))
                                     .order_by(Candidate.number)))
    rows = session.execute(select(Candidate.number, func.count(IdentityHit.id))
                           .join(IdentityHit, IdentityHit.candidate_id == Candidate.id)
                           .where(*alive, IdentityHit.fine.is_(False))
                           .group_by(Candidate.number).order_by(Candidate.number)).all()
    return Outstanding(unchecked, {n: count for n, count in rows})


def _evidence(candidate: Candidate, criterion_id: int) -> CandidateEvidence | None:
    return next((e for e in candidate.evidence if e.criterion_id == criterion_id), None)


def redact(session: Session, actor: User, hit: IdentityHit, *, confirmed: bool = False) -> None:
    """Remove the hit from the panel's copy of the text (the original stays for HR), then scan again.
    EmptiesText if nothing would be left to read and the person has not confirmed."""
    candidate = hit.candidate
    if hit.source == APPLICATION:
        raise IdentityCheckError("A PDF cannot be changed here. Upload a copy of the application with this removed, "
                                 "or mark it as fine")
    if hit.source == SUPPORTING:
        text = candidate.text_for_panel
    else:
        ev = _evidence(candidate, int(hit.source.split(":")[1]))
        if ev is None:
            raise IdentityCheckError("This text has changed. Check the list again")
        text = ev.text_for_panel
    if text[hit.start:hit.end] != hit.text:
        scan_candidate(session, candidate, texts_only=True)
        raise IdentityCheckError("This text has changed since it was checked. The list has been checked again")
    new = identity.redact(text, [(hit.start, hit.end)])
    if identity.empty_after_redaction(new) and not confirmed:
        raise EmptiesText("Removing this leaves nothing for the panel to read. Confirm that you want to remove it")
    if hit.source == SUPPORTING:
        candidate.panel_supporting_information = new
    else:
        ev.panel_text = new
    what = source_label(hit.source, {c.id: c.position for c in candidate.vacancy.criteria}).lower()
    audit.record(session, actor, "redact", candidate, vacancy_id=candidate.vacancy_id, candidate_id=candidate.id,
                 summary=f"Identity check: {identity.KINDS[hit.kind]} removed from the panel's copy of "
                         f"{candidate.label}'s {what}",
                 changes={"identity check": {"before": "to review", "after": "removed for the panel"}})
    scan_candidate(session, candidate, texts_only=True)


def mark_fine(session: Session, actor: User, hit: IdentityHit) -> None:
    """HR has looked: it does not say who the candidate is (or the panel may see it)."""
    candidate = hit.candidate
    hit.fine = True
    hit.reviewed_by_id = actor.id
    hit.reviewed_at = utcnow()
    _count_open(candidate)
    what = source_label(hit.source, {c.id: c.position for c in candidate.vacancy.criteria}).lower()
    audit.record(session, actor, "identity_fine", candidate, vacancy_id=candidate.vacancy_id,
                 candidate_id=candidate.id,
                 summary=f"Identity check: {identity.KINDS[hit.kind]} in {candidate.label}'s {what} marked as fine",
                 changes={"identity check": {"before": "to review", "after": "fine"}})
    session.flush()


def reset_redactions(candidate: Candidate, before_statement: str, before_evidence: dict[int, str]) -> None:
    """After HR changed the original text: the panel's copy of a changed text starts again from it."""
    if candidate.supporting_information != before_statement:
        candidate.panel_supporting_information = None
    for ev in candidate.evidence:
        if before_evidence.get(ev.criterion_id) != ev.text:
            ev.panel_text = None
