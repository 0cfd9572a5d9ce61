"""Reads for the involvement pages: the question asked again at reveal, a vacancy's support
contact and asking preferences, check-ins (their status for the lead's home page), concerns,
and a person's involvement with corrected hours. Every function reads a fixed number of queries."""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from panel.involvement.activities import Activity, activities_for
from panel.models.involvement import CALL_REQUESTED, CHECK_IN_DONE, WAITING_FOR_REPLY  # noqa: F401 (asked by hooks)
from panel.models import (
    AT_INTERVIEWS,
    AT_SHORTLISTING,
    AskingPreference,
    Candidate,
    CheckIn,
    Concern,
    ConflictDeclaration,
    DebriefOffer,
    HoursCorrection,
    InterviewSubmission,
    PackJob,
    PackRequest,
    PanelMember,
    ShortlistDecision,
    ShortlistOutcome,
    SupportContact,
    User,
    Vacancy,
)

# --- conflicts at reveal ---------------------------------------------------------


def _interviewed(vacancy_id: int):
    """The candidates being interviewed: shortlisted and not withdrawn (as the scoring pages)."""
    return (select(Candidate.id)
            .join(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
            .where(Candidate.vacancy_id == vacancy_id, Candidate.withdrawn_at.is_(None),
                   ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST))


def reveal_unanswered(session: Session, vacancy: Vacancy, user_id: int) -> bool:
    """Has this panel member not yet said, for every candidate being interviewed, whether they
    know them (at shortlisting a "Yes" counts as an answer: they stepped aside already; so do
    submitted interview scores: they interviewed the candidate, and can no longer step aside)? One query."""
    answered = select(ConflictDeclaration.id).where(
        ConflictDeclaration.candidate_id == Candidate.id, ConflictDeclaration.user_id == user_id,
        (ConflictDeclaration.round == AT_INTERVIEWS) | ConflictDeclaration.aside_at(AT_SHORTLISTING)).exists()
    scored = InterviewSubmission.by(Candidate.id, user_id)
    return session.scalar(select(func.count()).select_from(
        _interviewed(vacancy.id).where(~answered, ~scored).subquery())) > 0


@dataclass
class RevealRow:
    candidate: Candidate
    aside_at_shortlisting: bool  # they stepped aside already when shortlisting
    answer: bool | None          # at the interviews round: True (knows), False, None (not answered)
    submitted: bool              # they have submitted interview scores for the candidate

    @property
    def stepped_aside(self) -> bool:
        return ConflictDeclaration.aside_given({AT_SHORTLISTING: self.aside_at_shortlisting, AT_INTERVIEWS: self.answer},
                                               AT_INTERVIEWS)


def reveal_rows(session: Session, vacancy: Vacancy, user_id: int) -> list[RevealRow]:
    """Each candidate being interviewed, with this member's answers. Three queries."""
    candidates = list(session.scalars(select(Candidate).where(Candidate.id.in_(_interviewed(vacancy.id)))
                                      .order_by(Candidate.number)))
    ids = [c.id for c in candidates]
    answers: dict[tuple[int, str], bool] = {}
    submitted: set[int] = set()
    if ids:
        for cid, stage_round, knows in session.execute(
                select(ConflictDeclaration.candidate_id, ConflictDeclaration.round, ConflictDeclaration.knows_candidate)
                .where(ConflictDeclaration.candidate_id.in_(ids), ConflictDeclaration.user_id == user_id)):
            answers[(cid, stage_round)] = bool(knows)
        submitted = set(session.scalars(select(InterviewSubmission.candidate_id).where(
            InterviewSubmission.candidate_id.in_(ids), InterviewSubmission.user_id == user_id)))
    return [RevealRow(c, answers.get((c.id, AT_SHORTLISTING)) is True, answers.get((c.id, AT_INTERVIEWS)),
                      c.id in submitted) for c in candidates]


def stepped_aside_names(session: Session, vacancy: Vacancy) -> dict[int, list[str]]:
    """candidate id -> the names of the panel members who stepped aside from their interview
    (at either round: ConflictDeclaration.aside_at), in panel order. One query (the panel is loaded)."""
    order = {m.user_id: i for i, m in enumerate(vacancy.panel_members)}
    names = {m.user_id: m.user.name for m in vacancy.panel_members}
    out: dict[int, list[int]] = {}
    for cid, uid in session.execute(ConflictDeclaration.aside_pairs(vacancy.id, AT_INTERVIEWS)):
        if uid in names and uid not in out.setdefault(cid, []):
            out[cid].append(uid)
    return {cid: [names[u] for u in sorted(uids, key=order.get)] for cid, uids in out.items()}


# --- support ------------------------------------------------------------------------

def support_contact(session: Session, vacancy_id: int) -> SupportContact | None:
    return session.scalar(select(SupportContact).where(SupportContact.vacancy_id == vacancy_id))


def avoiding_content_notes(session: Session, vacancy_id: int) -> set[int]:
    """The user ids of panel members who would rather not ask a question with a content note."""
    return set(session.scalars(select(AskingPreference.user_id).where(
        AskingPreference.vacancy_id == vacancy_id, AskingPreference.avoid_content_notes.is_(True))))


def asking_preference(session: Session, vacancy_id: int, user_id: int) -> AskingPreference | None:
    return session.scalar(select(AskingPreference).where(AskingPreference.vacancy_id == vacancy_id,
                                                         AskingPreference.user_id == user_id))


def patient_members(vacancy: Vacancy) -> list[PanelMember]:
    return [m for m in vacancy.panel_members if m.is_patient]


def debriefs_offered(session: Session, vacancy_id: int) -> dict[int, DebriefOffer]:
    return {d.user_id: d for d in session.scalars(select(DebriefOffer).where(DebriefOffer.vacancy_id == vacancy_id))}


# --- check-ins ----------------------------------------------------------------------



def debrief_status(session: Session, user_ids) -> dict[int, str]:
    """For the involvement lead's home page: each person's latest check-in as "check-in done",
    "waiting for a reply" or "call requested" (a call asked for and not yet recorded as made).
    People with no check-in are left out. One query."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    latest: dict[int, CheckIn] = {}
    for c in session.scalars(select(CheckIn).where(CheckIn.user_id.in_(ids)).order_by(CheckIn.invited_at, CheckIn.id)):
        latest[c.user_id] = c
    return {uid: c.status_text for uid, c in latest.items()}


def my_check_ins(session: Session, user_id: int) -> list[tuple[CheckIn, str]]:
    """(check-in, vacancy title) of this person's check-ins, newest first."""
    return [(c, title) for c, title in session.execute(
        select(CheckIn, Vacancy.title).join(Vacancy, Vacancy.id == CheckIn.vacancy_id)
        .where(CheckIn.user_id == user_id).order_by(CheckIn.invited_at.desc(), CheckIn.id.desc()))]


def check_in(session: Session, check_in_id: int) -> CheckIn | None:
    return session.get(CheckIn, check_in_id)


def all_check_ins(session: Session) -> list[tuple[CheckIn, Vacancy]]:
    """Every check-in with its person and vacancy, newest first (the lead's page)."""
    return [(c, v) for c, v in session.execute(
        select(CheckIn, Vacancy).join(Vacancy, Vacancy.id == CheckIn.vacancy_id)
        .options(selectinload(CheckIn.user)).order_by(CheckIn.invited_at.desc(), CheckIn.id.desc()))]


def concerns(session: Session) -> list[tuple[Concern, str]]:
    """Every concern, newest first, with the title of the vacancy it is about ("" for none)."""
    return [(c, title or "") for c, title in session.execute(
        select(Concern, Vacancy.title).outerjoin(Vacancy, Vacancy.id == Concern.vacancy_id)
        .options(selectinload(Concern.raised_by)).order_by(Concern.created_at.desc(), Concern.id.desc()))]


# --- recognition ----------------------------------------------------------------------

@dataclass(frozen=True)
class Entry:
    """One row of "My involvement": the activity, with the hours HR may have corrected."""

    activity: Activity
    role: str            # the person's role on the vacancy's panel ("" when none)
    estimated: Decimal   # the hours estimated from the work
    corrected: bool      # HR or the involvement lead corrected them

    @property
    def hours(self) -> Decimal:
        return self.activity.hours

    @property
    def key(self) -> str:
        return self.activity.key


def corrections(session: Session, user_id: int) -> dict[str, Decimal]:
    return {key: hours for key, hours in session.execute(
        select(HoursCorrection.activity_key, HoursCorrection.hours).where(HoursCorrection.user_id == user_id))}


def involvement_of(session: Session, user_id: int) -> list[Entry]:
    """Everything this person did, newest first, with corrected hours applied and their role on
    each vacancy's panel. Five queries, whatever the number of activities."""
    fixed = corrections(session, user_id)
    roles = {vid: role.label for vid, role in session.execute(
        select(PanelMember.vacancy_id, PanelMember.panel_role).where(PanelMember.user_id == user_id))}
    entries = []
    for a in activities_for(session, user_id):
        hours = fixed.get(a.key)
        shown = a if hours is None else dataclasses.replace(a, hours=Decimal(hours).quantize(Decimal("0.01")))
        entries.append(Entry(shown, roles.get(a.vacancy_id, ""), a.hours, hours is not None))
    return entries


def activities_as_recorded(session: Session, user_id: int) -> list[Activity]:
    """The person's activities with any hours HR corrected: what claims are pre-filled from."""
    return [e.activity for e in involvement_of(session, user_id)]


def total_hours(entries: list[Entry]) -> Decimal:
    return sum((e.hours for e in entries), Decimal(0))


def person(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)



def my_document_job(session: Session, job_id: int, user_id: int, kinds) -> tuple[PackRequest, PackJob] | None:
    """A certificate or reference letter this person asked for (a job of no vacancy), or None."""
    return session.execute(select(PackRequest, PackJob).join(PackJob, PackJob.id == PackRequest.job_id)
                           .where(PackRequest.job_id == job_id, PackRequest.user_id == user_id,
                                  PackJob.vacancy_id.is_(None), PackJob.kind.in_(kinds))).first()
