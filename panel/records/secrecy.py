"""Which audit entries and exported scores a viewer may read the values of.

The rule itself is ``permissions.score_values_hidden_because``; this module says which audit
actions carry scores or notes, loads the facts the rule needs for a whole page in a fixed
number of queries (never one per entry), and words the placeholders shown instead.
"""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from panel import permissions as p
from panel.models import (
    AuditEvent,
    CandidateFeedback,
    AT_INTERVIEWS,
    AT_SHORTLISTING,
    ConflictDeclaration,
    InterviewOutcome,
    InterviewScore,
    InterviewSubmission,
    ModeratedScore,
    ShortlistAllocation,
    ShortlistSubmission,
    Vacancy,
)

# (action, entity type) of every audit entry whose changes hold scores or notes, and what
# they are. tests/test_hardening_audit.py finds every audit.record call that could carry
# them and fails until each is listed here or in NO_SCORES.
SCORE_ACTIONS: dict[tuple[str, str], str] = {
    ("score", "candidate"): p.SHORTLISTING_SCORES,         # saved (unsubmitted) shortlisting scores
    ("submit", "candidate"): p.SHORTLISTING_SCORES,        # submitted shortlisting scores
    ("decision", "shortlistdecision"): p.SHORTLISTING_DECISION,
    ("create", "interviewscore"): p.INTERVIEW_SCORES,      # autosave, save, paper score sheets
    ("update", "interviewscore"): p.INTERVIEW_SCORES,
    ("moderate", "moderatedscore"): p.INTERVIEW_PANEL,     # agreed scores
    ("delete", "moderatedscore"): p.INTERVIEW_PANEL,
    ("outcome", "interviewoutcome"): p.INTERVIEW_PANEL,
    ("sign-off", "interviewsignoff"): p.INTERVIEW_PANEL,   # the note on the patient panelists' ranking
    ("create", "candidatefeedback"): p.FEEDBACK,
    ("update", "candidatefeedback"): p.FEEDBACK,
}

# Entries that mention scores or notes but hold none of their values, and why.
NO_SCORES: dict[tuple[str, str], str] = {
    ("conflict", "conflictdeclaration"): "stepping aside: whether the member knows the candidate and how many "
                                         "unsubmitted scores were removed (a count, never a score)",
    ("submit", "interviewsubmission"): "who submitted and who typed it in; the values are in the score entries",
    ("reopen", "interviewsignoff"): "HR's reason for reopening the results, written by HR",
    ("reallocate", "vacancy"): "who stopped reading and how many unscored applications moved to whom (counts, never a score)",
    ("send", "candidatefeedback"): "when the feedback was emailed",
    ("download", "export"): "that an export was downloaded",
    ("download", "feedback"): "that a feedback document was downloaded",
    ("purge", "vacancy"): "how many records were purged",
    ("create", "vacancy"): "a vacancy (demo data loaded)",
    ("view", "candidate"): "that a candidate's details were viewed",
    ("create", "candidate"): "a candidate added (demo data)",
    ("create", "criterion"): "a criterion of the person specification (its text is public)",
    ("create", "plan_question"): "an interview question and its guidance",
    ("update", "plan_question"): "an interview question and its guidance",
    ("delete", "plan_question"): "an interview question removed",
    ("update", "scale"): "the scoring scale's labels",
    ("approve", "bankquestion"): "a bank question approved",
    ("reject", "bankquestion"): "a bank question rejected",
    ("status", "vacancy"): "the vacancy's stage",
    ("step_aside", "candidate"): "stepping aside from an interview when names are revealed: the round and how many "
                                 "unsubmitted interview scores were removed (a count, never a score)",
    ("declare", "vacancy"): "that a panel member answered \"Do you know any of these people?\" (a count)",
    ("update", "askingpreference"): "whether a panel member would rather not ask a question with a content note",
    # claims for involvement payments: money and a digest of the words, never a score ("notes" is the tax note)
    ("payments.claim_purged", "claim"): "that a claim's receipts and free text were deleted",
    ("payments.rules_added", "expenserules"): "the expenses rules: rates, limits and the tax and benefits note",
    ("payments.claim_answered", "claim"): "that the claimant answered a question (a digest of the answer)",
    ("payments.claim_approved", "claim"): "a claim's status and amounts",
    ("payments.claim_queried", "claim"): "a claim's status and a digest of the question",
    ("payments.claim_rejected", "claim"): "a claim's status and a digest of the reason",
    ("override", "panelruleoverride"): "a panel composition rule overridden, with HR's reason",
    ("update", "panelmember"): "how a panel member chose to review applications (one candidate or one criterion at a time)",
}

PLACEHOLDERS = {
    p.UNTIL_SHORTLISTING_ENDS: "Scores are hidden until shortlisting ends.",
    p.UNTIL_YOU_SUBMIT: "Scores and notes are hidden until you have submitted your own scores for this candidate.",
    p.UNTIL_THEY_SUBMIT: "Scores and notes are hidden until this panel member submits their scores for this candidate.",
    p.NOT_YOURS: "Scores and notes are hidden: you cannot see this panel's scores for this candidate.",
}

_ROW_TABLES = {"interviewscore": InterviewScore, "moderatedscore": ModeratedScore,
               "interviewoutcome": InterviewOutcome, "candidatefeedback": CandidateFeedback}


def kind_of(event: AuditEvent) -> str | None:
    """What score or note data this entry's changes hold (None: none)."""
    return SCORE_ACTIONS.get((event.action, event.entity_type))


def load_facts(session: Session, candidate_ids: set[int], shared: set[int] = frozenset()) -> p.SubmissionFacts:
    """Who has submitted or stepped aside for these candidates: three queries (none without ids),
    and a fourth for who was given ``shared`` (candidates of vacancies whose reading is shared
    out) to read."""
    facts = p.SubmissionFacts()
    if not candidate_ids:
        return facts
    ids = sorted(candidate_ids)
    facts.shortlisting = {tuple(r) for r in session.execute(
        select(ShortlistSubmission.candidate_id, ShortlistSubmission.user_id)
        .where(ShortlistSubmission.candidate_id.in_(ids)))}
    facts.interview = {tuple(r) for r in session.execute(
        select(InterviewSubmission.candidate_id, InterviewSubmission.user_id)
        .where(InterviewSubmission.candidate_id.in_(ids)))}
    for cid, uid, at_shortlisting in session.execute(
            select(ConflictDeclaration.candidate_id, ConflictDeclaration.user_id,
                   ConflictDeclaration.aside_at(AT_SHORTLISTING))
            .where(ConflictDeclaration.candidate_id.in_(ids), ConflictDeclaration.aside_at(AT_INTERVIEWS))):
        facts.interview_aside.add((cid, uid))
        if at_shortlisting:
            facts.stepped_aside.add((cid, uid))
    if shared:
        for cid, uid in session.execute(select(ShortlistAllocation.candidate_id, ShortlistAllocation.user_id)
                                        .where(ShortlistAllocation.candidate_id.in_(sorted(shared)))):
            facts.allocation.setdefault(cid, set()).add(uid)
    return facts


def records_of(session: Session, events: list[AuditEvent]) -> dict[int, p.ScoreRecord]:
    """{event id: ScoreRecord} for the entries that carry scores or notes, in a fixed number of
    queries: the vacancies with their panels, and the score rows the older entries need."""
    carrying = [(e, kind) for e in events if (kind := kind_of(e)) is not None]
    if not carrying:
        return {}
    vacancy_ids = {e.vacancy_id for e, _ in carrying if e.vacancy_id}
    vacancies = {v.id: v for v in session.scalars(
        select(Vacancy).where(Vacancy.id.in_(vacancy_ids)).options(selectinload(Vacancy.panel_members)))} \
        if vacancy_ids else {}
    rows: dict[tuple[str, int], object] = {}
    for entity_type, model in _ROW_TABLES.items():
        ids = {e.entity_id for e, _ in carrying if e.entity_type == entity_type and e.entity_id}
        if ids:
            # the columns read below, as plain rows (thousands of score rows at 400 candidates)
            columns = [model.id, model.candidate_id] + ([model.user_id] if hasattr(model, "user_id") else [])
            rows.update(((entity_type, r.id), r) for r in session.execute(select(*columns).where(model.id.in_(ids))))
    out = {}
    for e, kind in carrying:
        row = rows.get((e.entity_type, e.entity_id))
        candidate_id = e.candidate_id or getattr(row, "candidate_id", None)
        author_id, typed_by_id = e.actor_id, None
        if e.entity_type == "candidate":
            candidate_id = e.entity_id
        elif kind == p.INTERVIEW_SCORES:
            # whose scores: the score row's member (a paper sheet is typed in by someone else)
            author_id, typed_by_id = getattr(row, "user_id", None), e.actor_id
        out[e.id] = p.ScoreRecord(kind=kind, vacancy=vacancies.get(e.vacancy_id), candidate_id=candidate_id,
                                  author_id=author_id, typed_by_id=typed_by_id)
    return out


def hidden_events(session: Session, viewer, events: list[AuditEvent]) -> dict[int, str]:
    """{event id: placeholder} for the entries whose values ``viewer`` may not read yet."""
    records = records_of(session, events)
    if not records:
        return {}
    # the signed-in user itself, not Flask-Login's proxy: the rules read it for every entry
    viewer = viewer._get_current_object() if hasattr(viewer, "_get_current_object") else viewer
    facts = load_facts(session, {r.candidate_id for r in records.values() if r.candidate_id},
                       {r.candidate_id for r in records.values() if r.candidate_id and r.vacancy is not None
                        and p.shares_the_reading(r.vacancy)})
    out = {}
    for event_id, record in records.items():
        why = p.score_values_hidden_because(viewer, record, facts)
        if why is not None:
            out[event_id] = PLACEHOLDERS[why]
    return out
