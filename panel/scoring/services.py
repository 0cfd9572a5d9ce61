"""The work behind the interview scoring pages. Services flush; the request commits.

Every change to a score, submission, moderated score, outcome, sign-off or feedback
is written to the audit log. The arithmetic lives in panel.scoring.results.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from panel import audit, notifications, scorecore
from panel.db import utcnow
from panel.errors import ServiceError, StaleEdit
from panel.mail import one_line
from panel.notifications import services as outbox
from panel.models import (
    AT_INTERVIEWS,
    Candidate,
    CandidateFeedback,
    ConflictDeclaration,
    InterviewOutcome,
    InterviewScore,
    InterviewSignOff,
    InterviewSubmission,
    ModeratedScore,
    Outcome,
    PanelMember,
    PanelRole,
    PlanQuestion,
    User,
    Vacancy,
)
from panel.permissions import member_of, results_signed_off
from panel.scoring import results as calc
from panel.scoring.queries import Everything, ScalePoint, ScoreRow
from panel.shortlisting import scoring as shortlisting_scoring

NOTES_MAX = 5000
REASON_MAX = 2000
FEEDBACK_MAX = 20000

SIGNED_OFF = ("The chair has signed off these results, so nothing can change. "
              "If something must change, ask HR to reopen them.")
NOT_OPEN = "Interview scores for this vacancy can no longer change: the vacancy is closed."

SCORE_FIELDS = ["score", "notes", "version", "entered_by_id"]
OUTCOME_FIELDS = ["outcome", "rationale", "version"]


class ScoringError(ServiceError):
    """Refused by the interview scoring services."""


class OutcomeConflict(ScoringError, StaleEdit):
    """Someone else recorded an outcome since this person opened the page (``current``: it)."""

    def __init__(self, current: InterviewOutcome | None):
        who = current.decided_by.name if current is not None and current.decided_by else "someone else"
        what = f" ({current.outcome.label.lower()})" if current is not None else ""
        super().__init__(
            f"{who} recorded an outcome for this candidate{what} while you had this page open. "
            "Nothing you entered has been saved. Read their outcome below, then change it if you need to.",
            current=current)


class FeedbackConflict(ScoringError, StaleEdit):
    """Someone else saved this candidate's feedback since this person opened the page."""

    def __init__(self, current: CandidateFeedback | None, message: str):
        super().__init__(message, field="text", current=current)


# --- state ------------------------------------------------------------------

def _current(session: Session, model, candidate: Candidate):
    """A candidate's outcome or feedback row as it now stands in the database (after a save
    in the same instant made this request's copy stale)."""
    return session.scalar(select(model).where(model.candidate_id == candidate.id)
                          .execution_options(populate_existing=True))


def check_open(vacancy: Vacancy, signoff: InterviewSignOff | None) -> None:
    if not vacancy.stage.scoring_open:
        raise ScoringError(NOT_OPEN)
    if results_signed_off(signoff):
        raise ScoringError(SIGNED_OFF)


def _signoff(session: Session, vacancy: Vacancy) -> InterviewSignOff | None:
    return session.scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))


def _scorer_state(session: Session, vacancy: Vacancy, candidate: Candidate, user_id: int) -> tuple[bool, bool, bool]:
    """(signed off, stepped aside, submitted) for one member and candidate, in one query:
    saving an answer is the busiest request there is."""
    signed_off = select(InterviewSignOff.id).where(InterviewSignOff.vacancy_id == vacancy.id,
                                                   InterviewSignOff.signed_off).exists()
    row = session.execute(select(signed_off.label("signed_off"),
                                 ConflictDeclaration.aside_from(candidate.id, user_id, AT_INTERVIEWS).label("aside"),
                                 InterviewSubmission.by(candidate.id, user_id).label("submitted"))).one()
    return bool(row.signed_off), bool(row.aside), bool(row.submitted)


def _check_scorer(session: Session, vacancy: Vacancy, candidate: Candidate, member: User, *, paper: bool) -> None:
    """Scoring is open, and this member may (still) score this candidate."""
    if not vacancy.stage.scoring_open:
        raise ScoringError(NOT_OPEN)
    signed_off, aside, submitted = _scorer_state(session, vacancy, candidate, member.id)
    if signed_off:
        raise ScoringError(SIGNED_OFF)
    if candidate.vacancy_id != vacancy.id or candidate.is_withdrawn:
        raise ScoringError("This candidate is not being interviewed for this vacancy.")
    if member_of(vacancy, member.id) is None:
        raise ScoringError("Only panel members of this vacancy can be scored for.")
    if aside:
        who = f"{member.name} stepped" if paper else "You stepped"
        raise ScoringError(f"{who} aside for {candidate.label} because they know this person, so there is nothing to score.")
    if submitted:
        who = f"{member.name}'s scores" if paper else "Your scores"
        raise ScoringError(f"{who} for {candidate.label} have been submitted, so they cannot change.")


def check_score(value, scale: list[ScalePoint]) -> int | None:
    """A score from a form: blank is allowed (not scored yet); anything else must be on the scale."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    allowed = [p.score for p in scale]
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = None
    if score is None or score not in allowed:
        raise ScoringError(f"Choose a score from {min(allowed)} to {max(allowed)}", field="score")
    return score


def check_notes(value) -> str:
    notes = (value or "").replace("\r\n", "\n")
    if len(notes) > NOTES_MAX:
        raise ScoringError(f"Notes must be {NOTES_MAX} characters or fewer", field="notes")
    return notes


# --- scoring ----------------------------------------------------------------

@dataclass
class Saved:
    row: InterviewScore
    changed: bool
    was_behind: bool  # the page had an older version: it was changed elsewhere since it was opened


def save_score(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, question: PlanQuestion,
               member: User, score: int | None, notes: str, base_version: int | None,
               *, paper: bool = False) -> Saved:
    """Save one panel member's score and notes for one question. The newest save wins;
    ``was_behind`` tells an older page that it had not seen a save made elsewhere."""
    if question.vacancy_id != vacancy.id:
        raise ScoringError("This question is not part of this vacancy's interview plan.")
    _check_scorer(session, vacancy, candidate, member, paper=paper)
    row = session.scalar(select(InterviewScore).where(
        InterviewScore.candidate_id == candidate.id, InterviewScore.plan_question_id == question.id,
        InterviewScore.user_id == member.id))
    current_version = row.version if row is not None else 0
    was_behind = base_version is not None and base_version < current_version
    if row is not None and row.score == score and row.notes == notes:
        return Saved(row, changed=False, was_behind=was_behind)
    before = audit.snapshot(row, SCORE_FIELDS) if row is not None else {}
    if row is None:
        row = InterviewScore(candidate_id=candidate.id, plan_question_id=question.id, user_id=member.id,
                             score=score, notes=notes, version=1, entered_by_id=actor.id if paper else None)
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            # another tab of the same member saved the first answer in the same instant: save
            # over it like any later save (the newest wins) and tell this tab it was behind
            row = session.scalar(select(InterviewScore).where(
                InterviewScore.candidate_id == candidate.id, InterviewScore.plan_question_id == question.id,
                InterviewScore.user_id == member.id))
            before = audit.snapshot(row, SCORE_FIELDS)
            current_version, was_behind = row.version, base_version is not None
    if before:
        row.score = score
        row.notes = notes
        # counted in SQL, so two saves in the same instant make two versions and the
        # earlier tab learns on its next save that it is behind
        row.version = InterviewScore.version + 1
        row.updated_at = utcnow()
    row.entered_by_id = actor.id if paper else None
    session.flush()
    if before and row.version != current_version + 1:
        was_behind = was_behind or base_version is not None
    summary = f"Interview score for {candidate.label}, question {question.position}"
    summary += f", entered by {actor.name} from {member.name}'s paper sheet" if paper else f", by {member.name}"
    audit.record(session, actor, "update" if before else "create", row, vacancy_id=vacancy.id,
                 candidate_id=candidate.id, summary=summary, changes=audit.diff(before, audit.snapshot(row, SCORE_FIELDS)))
    return Saved(row, changed=True, was_behind=was_behind)


def submit_scores(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, member: User,
                  *, paper: bool = False) -> InterviewSubmission:
    _check_scorer(session, vacancy, candidate, member, paper=paper)
    submission = InterviewSubmission(candidate_id=candidate.id, user_id=member.id,
                                     entered_by_id=actor.id if paper else None)
    session.add(submission)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # a second tab submitted at the same moment
        raise ScoringError(f"These scores for {candidate.label} have already been submitted.") from exc
    summary = f"Interview scores for {candidate.label} submitted"
    summary += f" by {actor.name} from {member.name}'s paper sheet" if paper else f" by {member.name}"
    audit.record(session, actor, "submit", submission, vacancy_id=vacancy.id, candidate_id=candidate.id, summary=summary,
                 changes={"user_id": {"before": None, "after": member.id},
                          "entered_by_id": {"before": None, "after": actor.id if paper else None}})
    return submission


def unscored_questions(questions: list[PlanQuestion], rows: list[InterviewScore]) -> list[PlanQuestion]:
    scored = {r.plan_question_id for r in rows if r.score is not None}
    return [q for q in questions if q.id not in scored]


# --- moderation and outcomes --------------------------------------------------

def moderate(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, question: PlanQuestion,
             score: int | None, reason: str) -> ModeratedScore | None:
    """Record (or, with no score, remove) the panel's agreed score for a question.
    The panel members' own scores never change."""
    if question.vacancy_id != vacancy.id or candidate.vacancy_id != vacancy.id:
        raise ScoringError("This question is not part of this vacancy's interview plan.")
    check_open(vacancy, _signoff(session, vacancy))
    reason = (reason or "").strip()
    row = session.scalar(select(ModeratedScore).where(ModeratedScore.candidate_id == candidate.id,
                                                      ModeratedScore.plan_question_id == question.id))
    fields = ["score", "reason"]
    before = audit.snapshot(row, fields) if row is not None else {}
    if score is None:
        if row is None:
            return None
        session.delete(row)
        session.flush()
        audit.record(session, actor, "delete", entity_type="moderatedscore", entity_id=row.id, vacancy_id=vacancy.id,
                     candidate_id=candidate.id,
                     summary=f"Agreed score removed for {candidate.label}, question {question.position}",
                     changes=audit.diff(before, {}))
        return None
    if not reason:
        raise ScoringError("Give the reason for the agreed score", field="reason")
    if len(reason) > REASON_MAX:
        raise ScoringError(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    if row is None:
        row = ModeratedScore(candidate_id=candidate.id, plan_question_id=question.id, score=score, reason=reason,
                             moderated_by_id=actor.id)
        session.add(row)
    else:
        row.score, row.reason, row.moderated_by_id, row.moderated_at = score, reason, actor.id, utcnow()
    session.flush()
    changes = audit.diff(before, audit.snapshot(row, fields))
    if changes:
        audit.record(session, actor, "moderate", row, vacancy_id=vacancy.id, candidate_id=candidate.id,
                     summary=f"Agreed score for {candidate.label}, question {question.position}", changes=changes)
    return row


def record_outcome(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, outcome: Outcome,
                   rationale: str, base_version: int) -> InterviewOutcome:
    """Record the outcome for a candidate. ``base_version`` is the version the chair saw
    (0: none yet); if someone saved another since, nothing is changed (OutcomeConflict, a
    StaleEdit: the caller's transaction is left as it was)."""
    check_open(vacancy, _signoff(session, vacancy))
    rationale = (rationale or "").strip()
    if not rationale:
        raise ScoringError("Give the reasons for this outcome", field="rationale")
    if len(rationale) > REASON_MAX:
        raise ScoringError(f"The reasons must be {REASON_MAX} characters or fewer", field="rationale")
    row = session.scalar(select(InterviewOutcome).where(InterviewOutcome.candidate_id == candidate.id))
    if (row.version if row is not None else 0) != base_version:
        raise OutcomeConflict(row)
    before = audit.snapshot(row, OUTCOME_FIELDS) if row is not None else {}
    try:
        # the change is made and flushed inside a savepoint, so that if another chair saved in
        # the same instant only it is undone, never the caller's transaction
        with session.begin_nested():
            if row is None:
                row = InterviewOutcome(candidate_id=candidate.id, outcome=outcome, rationale=rationale,
                                       decided_by_id=actor.id)
                session.add(row)
            else:
                row.outcome, row.rationale, row.decided_by_id, row.decided_at = outcome, rationale, actor.id, utcnow()
    except (IntegrityError, StaleDataError) as exc:
        raise OutcomeConflict(_current(session, InterviewOutcome, candidate)) from exc
    audit.record(session, actor, "outcome", row, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Outcome for {candidate.label}: {outcome.label}",
                 changes=audit.diff(before, audit.snapshot(row, OUTCOME_FIELDS)))
    return row


# --- results ------------------------------------------------------------------

@dataclass
class ResultsPage:
    """Everything the results pages show, computed once from Everything."""

    data: Everything
    members: list[PanelMember]
    results: dict[int, calc.CandidateResult]
    ranked: list[Candidate]
    visible: set[int]  # candidate ids whose scores this viewer may see
    expected: dict[int, list[PanelMember]]  # candidate id -> who should score them
    submitted: dict[int, set[int]]  # candidate id -> user ids who submitted
    disagreements: list[calc.Disagreement]
    shortlisting: dict[int, float | None]
    scores_by_key: dict[tuple[int, int, int], ScoreRow] = field(default_factory=dict)
    # lookups made once, so a page asking per candidate (and per member) stays O(N)
    submissions_by_key: dict[tuple[int, int], object] = field(default_factory=dict)  # submission rows
    candidates_by_id: dict[int, Candidate] = field(default_factory=dict)
    rank_counts: dict[bool, Counter] = field(default_factory=dict)

    def submission(self, candidate_id: int, user_id: int) -> InterviewSubmission | None:
        return self.submissions_by_key.get((candidate_id, user_id))

    def rank_text(self, candidate_id: int, patient: bool = False) -> str:
        r = self.results[candidate_id]
        value = r.patient_rank if patient else r.rank
        if patient not in self.rank_counts:
            self.rank_counts[patient] = Counter(x.patient_rank if patient else x.rank for x in self.results.values())
        return scorecore.rank_label(value, self.rank_counts[patient][value] > 1 if value is not None else False)

    @cached_property
    def ranks_visible(self) -> bool:
        """Ranks compare every candidate, so they show only to someone who may see every one
        (worked out once: the pages ask for each candidate)."""
        return all(c.id in self.visible for c in self.data.candidates)

    @property
    def max_total(self) -> int:
        return len(self.data.questions) * max(p.score for p in self.data.scale)

    @property
    def signed_off(self) -> bool:
        return results_signed_off(self.data.signoff)

    def candidate(self, candidate_id: int) -> Candidate | None:
        return self.candidates_by_id.get(candidate_id)

    def outcome_label(self, candidate_id: int) -> str:
        o = self.data.outcomes.get(candidate_id)
        return o.outcome.label if o else "Not decided yet"

    def patient_ids(self) -> set[int]:
        return {m.user_id for m in self.members if m.panel_role == PanelRole.PATIENT}


def build_results(vacancy: Vacancy, data: Everything, visible: set[int]) -> ResultsPage:
    members = list(vacancy.panel_members)
    submitted: dict[int, set[int]] = {}
    for s in data.submissions:
        submitted.setdefault(s.candidate_id, set()).add(s.user_id)
    expected = {c.id: [m for m in members if m.user_id not in data.stepped_aside.get(c.id, set())]
                for c in data.candidates}
    scores_by_key = {(r.candidate_id, r.plan_question_id, r.user_id): r for r in data.scores}
    moderated: dict[int, dict[int, tuple[int, str]]] = {}
    for m in data.moderated:
        moderated.setdefault(m.candidate_id, {})[m.plan_question_id] = (m.score, m.reason)
    question_ids = [q.id for q in data.questions]
    patient_ids = {m.user_id for m in members if m.panel_role == PanelRole.PATIENT}
    order = {m.user_id: i for i, m in enumerate(members)}
    results_list = []
    for c in data.candidates:
        scorers = sorted(submitted.get(c.id, set()), key=lambda u: order.get(u, 999))
        score_map = {(qid, u): scores_by_key[(c.id, qid, u)].score
                     for qid in question_ids for u in scorers if (c.id, qid, u) in scores_by_key}
        results_list.append(calc.candidate_result(c.id, question_ids, score_map, scorers, patient_ids,
                                                  moderated.get(c.id)))
    ranked_results = calc.rank_results(results_list)
    by_id = {c.id: c for c in data.candidates}
    outcomes = {cid: o.outcome.value for cid, o in data.outcomes.items()}
    disagreements = calc.ranking_disagreements({r.candidate_id: r.patient_rank for r in results_list}, outcomes)
    panel_ids = [m.user_id for m in members]
    shortlisting = {c.id: shortlisting_scoring.candidate_total(data.shortlisting.get(c.id, {}), panel_ids,
                                                               data.stepped_aside.get(c.id, set()))
                    for c in data.candidates}
    return ResultsPage(data=data, members=members, results={r.candidate_id: r for r in ranked_results},
                       ranked=[by_id[r.candidate_id] for r in ranked_results], visible=visible, expected=expected,
                       submitted=submitted, disagreements=disagreements, shortlisting=shortlisting,
                       scores_by_key=scores_by_key, candidates_by_id=by_id,
                       submissions_by_key={(s.candidate_id, s.user_id): s for s in data.submissions})


# --- sign-off -------------------------------------------------------------------

def my_interviews(page: ResultsPage, user_id: int) -> dict[int, tuple[scorecore.MyState, str]]:
    """For each interviewed candidate, where this panel member is with their scores, and the
    words for it ("3 of 5 scored")."""
    mine = {}
    for c in page.data.candidates:
        n = sum(1 for q in page.data.questions
                if (row := page.scores_by_key.get((c.id, q.id, user_id))) is not None and row.score is not None)
        state = scorecore.MyState.of(stepped_aside=user_id in page.data.stepped_aside.get(c.id, set()),
                                     submitted=user_id in page.submitted.get(c.id, set()), started=n > 0)
        text = ("You stepped aside" if state.stepped_aside else f"{n} of {len(page.data.questions)} scored"
                if state.started else state.label)
        mine[c.id] = (state, text)
    return mine


def sign_off_problems(page: ResultsPage) -> list[str]:
    problems = []
    for c in page.data.candidates:
        if c.id not in page.data.outcomes:
            problems.append(f"Record an outcome for {c.label} ({c.full_name})")
    if not page.data.candidates:
        problems.append("There are no interviewed candidates to sign off")
    return problems


def not_submitted(page: ResultsPage) -> list[tuple[Candidate, list[PanelMember]]]:
    out = []
    for c in page.data.candidates:
        missing = [m for m in page.expected[c.id] if m.user_id not in page.submitted.get(c.id, set())]
        if missing:
            out.append((c, missing))
    return out


def sign_off(session: Session, actor: User, vacancy: Vacancy, page: ResultsPage, patient_view_note: str) -> InterviewSignOff:
    check_open(vacancy, _signoff(session, vacancy))
    problems = sign_off_problems(page)
    if problems:
        raise ScoringError(problems[0])
    note = (patient_view_note or "").strip()
    if page.disagreements and not note:
        raise ScoringError("Explain why the decision differs from the patient panelists' ranking",
                           field="patient_view_note")
    if len(note) > REASON_MAX:
        raise ScoringError(f"The explanation must be {REASON_MAX} characters or fewer", field="patient_view_note")
    row = _signoff(session, vacancy)
    if row is None:
        row = InterviewSignOff(vacancy_id=vacancy.id)
        session.add(row)
    row.signed_off_by_id = actor.id
    row.signed_off_at = utcnow()
    row.patient_view_note = note
    session.flush()
    audit.record(session, actor, "sign-off", row, vacancy_id=vacancy.id,
                 summary=f"Interview results for {vacancy.reference} signed off",
                 changes={"signed_off_at": {"before": None, "after": row.signed_off_at.isoformat()},
                          "patient_view_note": {"before": None, "after": note or None}})
    notifications.signed_off(session, vacancy, row)
    return row


def reopen(session: Session, actor: User, vacancy: Vacancy, reason: str) -> InterviewSignOff:
    row = _signoff(session, vacancy)
    if not results_signed_off(row):
        raise ScoringError("These results have not been signed off, so there is nothing to reopen.")
    reason = (reason or "").strip()
    if not reason:
        raise ScoringError("Give the reason for reopening the results", field="reason")
    if len(reason) > REASON_MAX:
        raise ScoringError(f"The reason must be {REASON_MAX} characters or fewer", field="reason")
    before = row.signed_off_at
    row.signed_off_at = None
    row.reopened_by_id = actor.id
    row.reopened_at = utcnow()
    row.reopen_reason = reason
    session.flush()
    audit.record(session, actor, "reopen", row, vacancy_id=vacancy.id,
                 summary=f"Interview results for {vacancy.reference} reopened by {actor.name}",
                 changes={"signed_off_at": {"before": before.isoformat() if before else None, "after": None},
                          "reopen_reason": {"before": None, "after": reason}})
    return row


# --- feedback -------------------------------------------------------------------

def save_feedback(session: Session, actor: User, candidate: Candidate, text: str, include_scores: bool,
                  base_version: int) -> CandidateFeedback:
    text = (text or "").replace("\r\n", "\n").strip()
    if not text:
        raise ScoringError("Enter the feedback", field="text")
    if len(text) > FEEDBACK_MAX:
        raise ScoringError(f"Feedback must be {FEEDBACK_MAX} characters or fewer", field="text")
    row = session.scalar(select(CandidateFeedback).where(CandidateFeedback.candidate_id == candidate.id))
    if (row.version if row is not None else 0) != base_version:
        raise FeedbackConflict(row, "Someone else changed this feedback while you had the page open. Nothing you typed "
                                    "has been saved: it is still in the box. Their feedback is shown below it.")
    fields = ["text", "include_scores"]
    before = audit.snapshot(row, fields) if row is not None else {}
    try:
        with session.begin_nested():  # as in record_outcome: a save in the same instant undoes this alone
            if row is None:
                row = CandidateFeedback(candidate_id=candidate.id, text=text, include_scores=include_scores,
                                        updated_by_id=actor.id)
                session.add(row)
            else:
                row.text, row.include_scores, row.updated_by_id, row.updated_at = (text, include_scores, actor.id,
                                                                                   utcnow())
    except (IntegrityError, StaleDataError) as exc:
        raise FeedbackConflict(_current(session, CandidateFeedback, candidate),
                               "Someone else saved this feedback at the same moment. Nothing you typed has been "
                               "saved: it is still in the box. Their feedback is shown below it.") from exc
    changes = audit.diff(before, audit.snapshot(row, fields))
    if changes:
        audit.record(session, actor, "update" if before else "create", row, vacancy_id=candidate.vacancy_id,
                     candidate_id=candidate.id,
                     summary=f"Feedback for {candidate.label} saved", changes=changes)
    return row


FEEDBACK_KIND = "candidate_feedback"  # its outbox rows (templates/notifications/candidate_feedback.txt)


def send_feedback(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, feedback: CandidateFeedback,
                  document: str, signed_off: bool) -> None:
    """Write the feedback email to the outbox with the record that it was sent, in this
    transaction; the notifications worker sends it (its status shows on the feedback page and
    on the candidate's page)."""
    if not signed_off:
        raise ScoringError("Feedback can be sent once the chair has signed off the results.")
    if not candidate.email:
        raise ScoringError(f"{candidate.label} has no email address. Download the feedback and send it another way.")
    before = feedback.sent_at
    outbox.enqueue_to_candidate(session, candidate=candidate, vacancy=vacancy, kind=FEEDBACK_KIND,
                                key=f"{FEEDBACK_KIND}:c{candidate.id}:v{feedback.version}",
                                context={"document": document, "subject": one_line(
                                    f"Feedback on your interview: {vacancy.title} ({vacancy.reference})")})
    feedback.sent_at = utcnow()  # when it was given to the outbox (the row says when it went)
    session.flush()
    audit.record(session, actor, "send", feedback, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Feedback queued to be emailed to {candidate.label}",
                 changes={"sent_at": {"before": before.isoformat() if before else None,
                                      "after": feedback.sent_at.isoformat()}})


# --- export ---------------------------------------------------------------------

EXPORT_HEADER = ["Candidate", "Name", "Question number", "Question", "Panel member", "Panel role", "Score",
                 "Notes", "Submitted", "Entered from paper by", "Agreed score", "Reason for agreed score",
                 "Outcome", "Reasons for outcome"]


def export_rows(page: ResultsPage) -> Iterator[list]:
    """Every interview score and note, with moderated scores and outcomes, of the
    candidates this viewer may see (the header first), made as the CSV writer takes them."""
    yield EXPORT_HEADER
    members = {m.user_id: m for m in page.members}
    questions = page.data.questions
    for c in page.data.candidates:
        if c.id not in page.visible:
            continue
        o = page.data.outcomes.get(c.id)
        result = page.results[c.id]
        moderated = {q.question_id: q for q in result.questions}
        wrote = False
        for q in questions:
            mod = moderated.get(q.id)
            for m in page.members:
                row = page.scores_by_key.get((c.id, q.id, m.user_id))
                if row is None:
                    continue
                wrote = True
                yield [
                    c.label, c.full_name, q.position, q.text, m.user.name, members[m.user_id].panel_role.label,
                    "" if row.score is None else row.score, row.notes,
                    "yes" if m.user_id in page.submitted.get(c.id, set()) else "not yet",
                    row.entered_by.name if row.entered_by else "",
                    "" if mod is None or mod.moderated is None else mod.moderated, mod.moderation_reason if mod else "",
                    o.outcome.label if o else "", o.rationale if o else ""]
        if not wrote:
            yield [c.label, c.full_name, "", "", "", "", "", "", "", "", "", "",
                   o.outcome.label if o else "", o.rationale if o else ""]
