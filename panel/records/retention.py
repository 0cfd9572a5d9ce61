"""Retention: when a closed vacancy's personal data is due for deletion, and the purge itself.

Two periods, counted from the moment the vacancy closed (``Vacancy.closed_at``):

- RETENTION_UNSUCCESSFUL_DAYS: everyone who was not appointed (not shortlisted, withdrawn,
  reserve, not appointable);
- RETENTION_APPOINTED_DAYS: the appointed candidate (interview outcome "preferred").

Purging a candidate deletes or blanks their personal data and everything written about
them (names, contact details, supporting information, evidence, the application PDF on
disk, shortlisting comments and decision reasons, interview notes, agreed-score reasons,
outcome rationale, feedback text, interview invitation emails, the emails to them in the
outbox folder, and the text of audit entries about them). The candidate row stays as an
anonymised label ("Candidate 04") with its numeric scores and outcomes, for reporting;
``purged_at`` records when.

The chair's sign-off of the interview results holds two free texts written about the
candidates: why the outcome differs from the patient panelists' ranking (it compares named
or numbered candidates and says why one was preferred) and HR's reason for reopening the
results (typically which candidate's score was wrong). Both are blanked, with the text of
their audit entries, with the first group of the vacancy's candidates to be purged (the
unsuccessful candidates, normally): the texts are about them too.

Emails written to the outbox folder (when no SMTP server is set) are copies, never read
back by the app (the invitations and feedback are kept in the database). Two rules:

- an email addressed to a purged candidate is deleted with the rest of their data, unless
  the same address belongs to a candidate whose data is still kept (the same person on
  another vacancy): that email may be about the other application, so it waits for
- the age rule: every outbox email older than the shorter retention period is deleted,
  whoever it was to (also staff sign-in links, long expired by then).

The work here flushes and never commits; ``flask purge`` commits, then deletes the files
(the application PDFs in the store, finished packs and the addressed emails). Outbox emails past the age limit do not
depend on the database and are deleted by ``purge`` itself.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from panel import audit
from panel.db import session_scope, utcnow
from panel.involvement import records as involvement_records
from panel.models import (
    AuditEvent,
    Candidate,
    CandidateEvidence,
    CandidateFeedback,
    CandidateInvitation,
    IdentityHit,
    InterviewBooking,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    ModeratedScore,
    Notification,
    NotificationStatus,
    Outcome,
    ShortlistDecision,
    ShortlistScore,
    Vacancy,
)
from panel.stages import statuses_where
from panel.storage import PACKS, get_store
from panel.uploads import delete_file

UNSUCCESSFUL = "unsuccessful"
APPOINTED = "appointed"
KIND_LABELS = {UNSUCCESSFUL: "unsuccessful candidates", APPOINTED: "appointed candidate"}

#: What is counted and removed, in the order it is reported.
COUNT_LABELS = {
    "candidates": "candidates' names and contact details",
    "application_files": "application PDF files",
    "supporting_information": "supporting information texts",
    "evidence": "evidence texts per criterion",
    "shortlisting_comments": "shortlisting comments",
    "shortlisting_reasons": "shortlisting decision reasons",
    "interview_notes": "interview notes",
    "agreed_score_reasons": "agreed score reasons",
    "outcome_rationales": "outcome rationales",
    "feedback": "feedback texts",
    "invitations": "interview invitation emails",
    "bookings": "interview bookings (answers, messages and adjustments asked for)",
    "patient_view_notes": "explanations of why the outcome differs from the patient panelists' ranking",
    "reopen_reasons": "reasons for reopening the interview results",
    "outbox_emails": "emails to them in the outbox folder",
    "audit_entries": "audit entries with their details removed",
}

REDACTED = "(removed by the retention purge)"
#: Audit change keys whose values are never personal (kept when an entry is redacted).
SAFE_AUDIT_KEYS = {"number", "outcome", "status", "version", "knows_candidate", "withdrawn_at", "sent_at",
                   "include_scores", "signed_off_at", "user_id", "entered_by_id", "score"}
#: The sign-off's free texts about the candidates (blanked with the first batch of its vacancy).
SIGNOFF_TEXTS = {"patient_view_notes": "patient_view_note", "reopen_reasons": "reopen_reason"}


# --- dates (pure) -------------------------------------------------------------

def closed_moment(vacancy: Vacancy) -> dt.datetime | None:
    """When the vacancy closed (vacancies closed before closed_at existed: their last change)."""
    if not vacancy.stage.finished:
        return None
    return vacancy.closed_at or vacancy.updated_at


def due_dates(vacancy: Vacancy, unsuccessful_days: int, appointed_days: int) -> dict[str, dt.datetime] | None:
    """{kind: the moment its personal data becomes due for purging}, or None if not closed."""
    closed = closed_moment(vacancy)
    if closed is None:
        return None
    return {UNSUCCESSFUL: closed + dt.timedelta(days=unsuccessful_days),
            APPOINTED: closed + dt.timedelta(days=appointed_days)}


def configured_due_dates(vacancy: Vacancy) -> dict[str, dt.datetime] | None:
    config = current_app.config
    return due_dates(vacancy, int(config["RETENTION_UNSUCCESSFUL_DAYS"]), int(config["RETENTION_APPOINTED_DAYS"]))


def is_due(due: dt.datetime, now: dt.datetime) -> bool:
    return now >= due


# --- planning -----------------------------------------------------------------

@dataclass
class Batch:
    """The candidates of one kind on one vacancy that are due, and what they hold."""

    vacancy_id: int
    reference: str
    kind: str
    candidate_ids: list[int]
    counts: dict[str, int] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    signoff_id: int | None = None  # the sign-off whose free texts go with this batch
    outbox: list[Path] = field(default_factory=list)  # emails to these candidates in the outbox folder


@dataclass
class PurgeResult:
    batches: list[Batch]
    closed_vacancies: int
    already_purged: int
    next_due: tuple[str, str, dt.datetime] | None  # (reference, kind, when)
    dry_run: bool
    files_removed: int = 0
    old_outbox: list[Path] = field(default_factory=list)  # outbox emails past the age limit
    outbox_days: int = 0

    @property
    def outbox_line(self) -> str | None:
        n = len(self.old_outbox)
        if not n:
            return None
        emails = f"{n} email{'s' if n != 1 else ''} older than {self.outbox_days} days"
        return f"Outbox folder: {'would delete' if self.dry_run else 'deleted'} {emails}."

    @property
    def candidates(self) -> int:
        return sum(len(b.candidate_ids) for b in self.batches)

    def lines(self) -> list[str]:
        """What happened (or would happen), in plain words, never with personal data."""
        lines = self._batch_lines()
        if self.outbox_line:
            lines.append(self.outbox_line)
        return lines

    def _batch_lines(self) -> list[str]:
        if self.closed_vacancies == 0:
            return ["No vacancy is closed, so there is nothing to purge."]
        if not self.batches:
            lines = ["Nothing is due for purging."]
            if self.already_purged:
                lines.append(f"{self.already_purged} candidates' personal data was purged before; "
                             "there is nothing more to delete for them.")
            if self.next_due:
                ref, kind, when = self.next_due
                lines.append(f"The next purge is due on {when:%d %B %Y} ({KIND_LABELS[kind]} of {ref}).")
            return lines
        verb = "Would delete" if self.dry_run else "Deleted"
        lines = []
        for b in self.batches:
            lines.append(f"{b.reference}: {len(b.candidate_ids)} {KIND_LABELS[b.kind]}")
            for key, label in COUNT_LABELS.items():
                if b.counts.get(key):
                    lines.append(f"  {verb.lower()} {b.counts[key]} {label}")
        vacancies = len({b.vacancy_id for b in self.batches})
        total = (f"{self.candidates} candidate{'s' if self.candidates != 1 else ''} on "
                 f"{vacancies} vacanc{'ies' if vacancies != 1 else 'y'}")
        if self.dry_run:
            lines.append(f"Dry run: nothing was changed. A purge would remove the personal data of {total}.")
        else:
            lines.append(f"{verb} the personal data of {total}.")
        return lines


def _appointed_ids(session: Session, vacancy_ids: list[int]) -> set[int]:
    if not vacancy_ids:
        return set()
    stmt = (select(InterviewOutcome.candidate_id).join(Candidate, Candidate.id == InterviewOutcome.candidate_id)
            .where(Candidate.vacancy_id.in_(vacancy_ids), InterviewOutcome.outcome == Outcome.PREFERRED))
    return set(session.scalars(stmt))


def _nonempty(session: Session, column, candidate_col, ids: list[int]) -> int:
    return session.scalar(select(func.count()).where(candidate_col.in_(ids), column.is_not(None), column != "")) or 0


def _count(session: Session, ids: list[int], candidates: list[Candidate],
           signoff: InterviewSignOff | None = None) -> tuple[dict[str, int], list[str]]:
    files = [c.application_file for c in candidates if c.application_file]
    counts = {
        "candidates": len(ids),
        "application_files": len(files),
        "supporting_information": sum(1 for c in candidates if c.supporting_information),
        "evidence": session.scalar(select(func.count()).select_from(CandidateEvidence)
                                   .where(CandidateEvidence.candidate_id.in_(ids))) or 0,
        "shortlisting_comments": _nonempty(session, ShortlistScore.comment, ShortlistScore.candidate_id, ids),
        "shortlisting_reasons": _nonempty(session, ShortlistDecision.reason, ShortlistDecision.candidate_id, ids),
        "interview_notes": _nonempty(session, InterviewScore.notes, InterviewScore.candidate_id, ids),
        "agreed_score_reasons": _nonempty(session, ModeratedScore.reason, ModeratedScore.candidate_id, ids),
        "outcome_rationales": _nonempty(session, InterviewOutcome.rationale, InterviewOutcome.candidate_id, ids),
        "feedback": _nonempty(session, CandidateFeedback.text, CandidateFeedback.candidate_id, ids),
        "invitations": session.scalar(select(func.count()).select_from(CandidateInvitation)
                                      .where(CandidateInvitation.candidate_id.in_(ids))) or 0,
        "bookings": session.scalar(select(func.count()).select_from(InterviewBooking)
                                   .where(InterviewBooking.candidate_id.in_(ids))) or 0,
        **{key: int(bool(signoff is not None and getattr(signoff, attr))) for key, attr in SIGNOFF_TEXTS.items()},
        "audit_entries": sum(1 for e in session.scalars(select(AuditEvent).where(
                                 _audit_about(session, ids, signoff.id if signoff is not None else None)))
                             if _redact_changes(e.changes) != e.changes),
    }
    return counts, files


def _audit_about(session: Session, ids: list[int], signoff_id: int | None = None):
    """Audit entries about these candidates or about rows that belong to them (and, given
    ``signoff_id``, about the sign-off whose free texts go with them)."""
    owned = {
        "candidate": ids,
        "shortlistdecision": select(ShortlistDecision.id).where(ShortlistDecision.candidate_id.in_(ids)),
        "interviewscore": select(InterviewScore.id).where(InterviewScore.candidate_id.in_(ids)),
        "moderatedscore": select(ModeratedScore.id).where(ModeratedScore.candidate_id.in_(ids)),
        "interviewoutcome": select(InterviewOutcome.id).where(InterviewOutcome.candidate_id.in_(ids)),
        "candidatefeedback": select(CandidateFeedback.id).where(CandidateFeedback.candidate_id.in_(ids)),
    }
    clauses = [AuditEvent.candidate_id.in_(ids),
               *[(AuditEvent.entity_type == kind) & AuditEvent.entity_id.in_(sub) for kind, sub in owned.items()]]
    if signoff_id is not None:
        clauses.append((AuditEvent.entity_type == "interviewsignoff") & (AuditEvent.entity_id == signoff_id))
    return or_(*clauses)


# --- the outbox folder ---------------------------------------------------------------

def _outbox_emails() -> list[tuple[Path, dt.datetime, set[str]]]:
    """(path, when written, the addresses it was sent to, lower case) of each outbox email."""
    folder = Path(current_app.config["OUTBOX_FOLDER"])
    if not folder.is_dir():
        return []
    parser = BytesHeaderParser(policy=default_policy)
    emails = []
    for path in sorted(folder.glob("*.eml")):
        try:
            with open(path, "rb") as fh:
                headers = parser.parse(fh)
            written = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.timezone.utc)
        except OSError:
            continue  # removed meanwhile, or unreadable: the next run sees it again
        fields = [str(v) for name in ("To", "Cc", "Bcc") for v in (headers.get_all(name) or [])]
        emails.append((path, written, {addr.strip().lower() for _name, addr in getaddresses(fields) if addr.strip()}))
    return emails


def _match_outbox(session: Session, batches: list[Batch], addresses: dict[int, set[str]],
                  now: dt.datetime, days: int) -> list[Path]:
    """Give each batch the outbox emails to its candidates; return the emails past the age limit."""
    emails = _outbox_emails()
    if not emails:
        return []
    claimed: set[Path] = set()
    if batches:
        purging = {cid for b in batches for cid in b.candidate_ids}

        # the addresses of candidates whose data is still kept after this run (any vacancy)
        kept = {email for cid, email in session.execute(
                    select(Candidate.id, func.lower(func.trim(Candidate.email)))
                    .where(Candidate.purged_at.is_(None), Candidate.email != "")) if cid not in purging and email}
        for i, batch in enumerate(batches):
            mine = addresses[i] - kept
            batch.outbox = [path for path, _when, to in emails
                            if path not in claimed and to & mine and not to & kept]
            claimed.update(batch.outbox)
            batch.counts["outbox_emails"] = len(batch.outbox)
    cutoff = now - dt.timedelta(days=days)
    return [path for path, when, _to in emails if path not in claimed and when < cutoff]


def plan(session: Session, now: dt.datetime) -> PurgeResult:
    """What is due at ``now``, with counts per kind of record. Changes nothing."""
    config = current_app.config
    days = int(config["RETENTION_UNSUCCESSFUL_DAYS"]), int(config["RETENTION_APPOINTED_DAYS"])
    vacancies = list(session.scalars(select(Vacancy).where(Vacancy.status.in_(statuses_where("finished")))
                                     .order_by(Vacancy.reference)))
    appointed = _appointed_ids(session, [v.id for v in vacancies])
    candidates_by_vacancy: dict[int, list[Candidate]] = {}
    if vacancies:
        for c in session.scalars(select(Candidate).where(Candidate.vacancy_id.in_([v.id for v in vacancies]))
                                 .order_by(Candidate.number)):
            candidates_by_vacancy.setdefault(c.vacancy_id, []).append(c)
    signoffs = {s.vacancy_id: s for s in session.scalars(
        select(InterviewSignOff).where(InterviewSignOff.vacancy_id.in_([v.id for v in vacancies])))} if vacancies else {}
    batches: list[Batch] = []
    addresses: list[set[str]] = []
    already = 0
    next_due = None
    for v in vacancies:
        dues = due_dates(v, *days)
        signoff = signoffs.get(v.id)
        if signoff is not None and not any(getattr(signoff, attr) for attr in SIGNOFF_TEXTS.values()):
            signoff = None  # nothing to blank
        for kind in (UNSUCCESSFUL, APPOINTED):
            group = [c for c in candidates_by_vacancy.get(v.id, []) if (c.id in appointed) == (kind == APPOINTED)]
            waiting = [c for c in group if c.purged_at is None]
            already += len(group) - len(waiting)
            if not waiting:
                continue
            if not is_due(dues[kind], now):
                if next_due is None or dues[kind] < next_due[2]:
                    next_due = (v.reference, kind, dues[kind])
                continue
            ids = [c.id for c in waiting]
            counts, files = _count(session, ids, waiting, signoff)
            batches.append(Batch(v.id, v.reference, kind, ids, counts, files,
                                 signoff_id=signoff.id if signoff is not None else None))
            addresses.append({c.email.strip().lower() for c in waiting if c.email and c.email.strip()})
            signoff = None  # its texts go with the first batch only
    outbox_days = min(days)
    old_outbox = _match_outbox(session, batches, dict(enumerate(addresses)), now, outbox_days)
    return PurgeResult(batches=batches, closed_vacancies=len(vacancies), already_purged=already,
                       next_due=next_due, dry_run=True, old_outbox=old_outbox, outbox_days=outbox_days)


# --- the purge ------------------------------------------------------------------

def _redact_changes(changes: dict | None) -> dict | None:
    if not changes:
        return changes
    out = {}
    for key, value in changes.items():
        if key in SAFE_AUDIT_KEYS or key.endswith(" score"):
            out[key] = value
        elif isinstance(value, dict) and set(value) <= {"before", "after"}:
            out[key] = {side: (REDACTED if isinstance(v, str) and v else v) for side, v in value.items()}
        else:
            out[key] = REDACTED
    return out


def _purge_batch(session: Session, batch: Batch, now: dt.datetime) -> None:
    ids = batch.candidate_ids
    # audit entries first, while the rows they point at still say whose they are
    for event in session.scalars(select(AuditEvent).where(_audit_about(session, ids, batch.signoff_id))):
        redacted = _redact_changes(event.changes)
        if redacted != event.changes:
            event.changes = redacted
    session.execute(update(Candidate).where(Candidate.id.in_(ids)).values(
        first_name="", last_name="", email="", phone="", supporting_information="", panel_supporting_information=None,
        disability_confident=False,
        application_file=None, application_filename=None, purged_at=now), execution_options={"synchronize_session": False})
    session.execute(delete(CandidateEvidence).where(CandidateEvidence.candidate_id.in_(ids)))
    session.execute(delete(IdentityHit).where(IdentityHit.candidate_id.in_(ids)))  # they quote the text
    session.execute(delete(CandidateInvitation).where(CandidateInvitation.candidate_id.in_(ids)))
    # their booking goes with them: the answer, their message, the adjustments they asked for, the link's hash
    session.execute(delete(InterviewBooking).where(InterviewBooking.candidate_id.in_(ids)))
    session.execute(update(ShortlistScore).where(ShortlistScore.candidate_id.in_(ids)).values(comment=""),
                    execution_options={"synchronize_session": False})
    session.execute(update(ShortlistDecision).where(ShortlistDecision.candidate_id.in_(ids))
                    .values(reason="", version=ShortlistDecision.version + 1), execution_options={"synchronize_session": False})
    session.execute(update(InterviewScore).where(InterviewScore.candidate_id.in_(ids))
                    .values(notes="", version=InterviewScore.version + 1), execution_options={"synchronize_session": False})
    session.execute(update(ModeratedScore).where(ModeratedScore.candidate_id.in_(ids)).values(reason=""),
                    execution_options={"synchronize_session": False})
    session.execute(update(InterviewOutcome).where(InterviewOutcome.candidate_id.in_(ids))
                    .values(rationale="", version=InterviewOutcome.version + 1), execution_options={"synchronize_session": False})
    session.execute(update(CandidateFeedback).where(CandidateFeedback.candidate_id.in_(ids))
                    .values(text="", version=CandidateFeedback.version + 1), execution_options={"synchronize_session": False})
    if batch.signoff_id is not None:
        session.execute(update(InterviewSignOff).where(InterviewSignOff.id == batch.signoff_id)
                        .values(patient_view_note="", reopen_reason="", version=InterviewSignOff.version + 1),
                        execution_options={"synchronize_session": False})
    counts = {COUNT_LABELS[k]: n for k, n in batch.counts.items() if n}
    blanked = _blank_notifications(session, batch.vacancy_id)
    if blanked:
        counts["messages to the panel and HR (text blanked)"] = blanked
    audit.record(session, None, "purge", entity_type="vacancy", entity_id=batch.vacancy_id, vacancy_id=batch.vacancy_id,
                 summary=f"Retention purge of {batch.reference}: personal data of {len(ids)} {KIND_LABELS[batch.kind]} deleted",
                 changes={"kind": batch.kind, **counts})


def _blank_notifications(session: Session, vacancy_id: int) -> int:
    """The texts of the vacancy's messages to its panel and HR go with its first purge (like the
    outbox folder's copies, which go at the shorter period whoever they were to): the body (names,
    counts of who had not finished, the interview day) and the calendar file (names and email
    addresses) are blanked. The row stays, with its kind, subject, recipient, dates, status and
    idempotency key (ids and dates only), so "Messages sent to you", HR's list and the rule that
    nothing is sent twice keep working. A message a worker holds right now is left to it."""
    result = session.execute(update(Notification).where(
        Notification.vacancy_id == vacancy_id, Notification.status != NotificationStatus.SENDING,
        (Notification.body != "") | Notification.attachment.is_not(None)).values(body="", attachment=None),
        execution_options={"synchronize_session": False})
    return result.rowcount or 0


def purge(session: Session, now: dt.datetime | None = None, dry_run: bool = False) -> PurgeResult:
    """Purge what is due at ``now`` (flushes; the caller commits, then calls delete_files)."""
    now = now or utcnow()
    result = plan(session, now)
    result.dry_run = dry_run
    if dry_run:
        return result
    if result.old_outbox:
        _delete_old_outbox(session, result)

    involvement_records.purge(session, now)
    if not result.batches:
        return result
    for batch in result.batches:
        _purge_batch(session, batch, now)
    session.flush()
    session.expire_all()
    return result


def _delete_old_outbox(session: Session, result: PurgeResult) -> None:
    """Delete the outbox emails past the age limit (they do not depend on the database)."""
    removed = []
    for path in result.old_outbox:
        try:
            path.unlink(missing_ok=True)
        except OSError:
            continue  # left for the next run
        removed.append(path)
    result.old_outbox = removed
    if removed:
        audit.record(session, None, "purge", entity_type="outbox",
                     summary=f"Retention purge: {len(removed)} outbox emails older than {result.outbox_days} days deleted",
                     changes={"kind": "outbox", "emails older than the retention period": len(removed)})


def delete_files(result: PurgeResult) -> int:
    """Remove the purged candidates' application files and the outbox emails to them (after
    the commit), and the pack cache (cached packs may name them; they are made again on demand)."""

    removed = 0
    with session_scope() as session:  # the database store deletes in a transaction of its own
        store = get_store(session)
        for batch in result.batches:
            for name in batch.files:
                if delete_file(name, store=store):  # the original and the panel's cleaned copy
                    removed += 1
            for path in batch.outbox:
                path.unlink(missing_ok=True)
        if result.batches:
            store.delete_older(PACKS, utcnow() + dt.timedelta(days=1))  # every finished pack: they may name them
    cache = Path(current_app.instance_path) / "pack-cache"
    if result.batches and cache.is_dir():
        for path in cache.iterdir():
            if path.is_file():
                path.unlink(missing_ok=True)
    result.files_removed = removed
    return removed
