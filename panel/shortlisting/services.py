"""The work behind the shortlisting pages. Services flush; the request commits.
Every score, submission, conflict answer and decision is written to the audit log."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from panel import audit
from panel.db import utcnow
from panel.errors import ServiceError, StaleEdit
from panel.models import (
    Candidate,
    ConflictDeclaration,
    Criterion,
    PanelMember,
    ShortlistDecision,
    ShortlistOutcome,
    ShortlistScore,
    ShortlistSubmission,
    User,
    Vacancy,
)
from panel.permissions import has_stepped_aside, held_for_identity_check
from panel.scorecore import MyState
from panel.shortlisting import scoring, walk
from panel.shortlisting.queries import ShortlistingData
from panel.templating import london

COMMENT_LIMIT = 2000
REASON_LIMIT = 2000


class ShortlistingError(ServiceError):
    """Refused by the shortlisting services."""


class StaleDecisionError(ShortlistingError, StaleEdit):
    """Someone else changed the decision since the page was shown (optimistic lock)."""


class StaleScore(ShortlistingError, StaleEdit):
    """This answer (a criterion's score and comment) was saved elsewhere since the page had
    it: ``current`` is the row as it now stands (None if it has gone)."""


STALE_ANSWER = ("This answer was changed in another tab or on another device since you opened this page. "
                "What you typed here has not been saved.")
BAD_SCORE = "Choose no evidence, some evidence or clear evidence"


def criterion_infos(criteria: list[Criterion]) -> list[scoring.CriterionInfo]:
    return [scoring.CriterionInfo(id=c.id, number=c.position, text=c.text, essential=c.essential) for c in criteria]


# --- one panel member's own list ------------------------------------------------

@dataclass
class MyCandidate:
    candidate: Candidate
    state: MyState
    scored: int  # criteria scored so far
    complete: bool = False  # every criterion has a score: ready to check and submit

    @property
    def needs_work(self) -> bool:
        return self.state.needs_work

    @property
    def not_submitted(self) -> bool:
        """Scored (in part or in full) and saved, but not submitted: nobody can use these scores yet."""
        return self.state.started and self.scored > 0

    @property
    def state_label(self) -> str:
        if self.not_submitted and self.complete:
            return "Scored, not submitted"
        return self.state.label


@dataclass
class MyProgress:
    items: list[MyCandidate]

    @property
    def to_score(self) -> int:
        return sum(1 for i in self.items if i.state.counts)

    @property
    def submitted(self) -> int:
        return sum(1 for i in self.items if i.state.submitted)

    @property
    def stepped_aside(self) -> int:
        return sum(1 for i in self.items if i.state.stepped_aside)

    @property
    def not_submitted(self) -> int:
        """Applications this person has scored and saved but not submitted."""
        return sum(1 for i in self.items if i.not_submitted)

    @property
    def scored(self) -> int:
        """Applications this person has scored, submitted or not."""
        return self.submitted + self.not_submitted

    def first_ready(self) -> Candidate | None:
        """The first candidate in this person's order whose scores are complete but not submitted."""
        return next((i.candidate for i in self.items if i.not_submitted and i.complete), None)

    def position(self, candidate_id: int) -> int | None:
        for n, i in enumerate(self.items, start=1):
            if i.candidate.id == candidate_id:
                return n
        return None

    def next_after(self, candidate_id: int | None) -> Candidate | None:
        """The next candidate in this person's order that still needs their scores (wrapping round)."""
        ids = [i.candidate.id for i in self.items]
        start = ids.index(candidate_id) + 1 if candidate_id in ids else 0
        for i in self.items[start:] + self.items[:start]:
            if i.needs_work and i.candidate.id != candidate_id:
                return i.candidate
        return None


def my_progress(data: ShortlistingData, user: User) -> MyProgress:
    """This panel member's candidates (those allocated to them, when the reading is shared out)
    in their own stable shuffled order, with where they are."""
    infos = criterion_infos(data.criteria)
    order = scoring.panelist_order(data.vacancy.id, user.id, [c.id for c in data.candidates])
    by_id = {c.id: c for c in data.candidates}
    items = []
    for cid in order:
        if not data.allocated(cid, user.id):  # the reading is shared out: not theirs to read
            continue
        c = by_id[cid]
        rows = data.scores_of(cid, user.id)
        mine = {cr: s.score for cr, s in rows.items()}
        scored = scoring.count_scored(infos, mine)
        declaration = data.declaration(cid, user.id)
        state = MyState.of(stepped_aside=has_stepped_aside(declaration), submitted=data.submitted(cid, user.id),
                           withdrawn=c.is_withdrawn, held=held_for_identity_check(data.vacancy, c),
                           started=bool(scored or any(s.comment for s in rows.values()) or declaration is not None))
        items.append(MyCandidate(candidate=c, state=state, scored=scored, complete=scoring.is_complete(infos, mine)))
    return MyProgress(items=items)


HELD_MESSAGE = ("HR is checking {label}'s application for anything that could say who they are. You can read "
                "and score it once they have finished.")


def why_not_scoring(vacancy: Vacancy, candidate: Candidate, declaration, submitted: bool) -> str:
    """Plain-English reason a panel member cannot change scores for this candidate."""
    if not vacancy.stage.shortlisting_open:
        return "Shortlisting for this vacancy has closed, so scores can no longer change."
    if candidate.is_withdrawn:
        return f"{candidate.label} has withdrawn from this vacancy. You do not need to score them."
    if held_for_identity_check(vacancy, candidate):
        return HELD_MESSAGE.format(label=candidate.label)
    if has_stepped_aside(declaration):
        return f"You stepped aside from {candidate.label}, so you do not score them."
    if submitted:
        return f"You have already submitted your scores for {candidate.label}, so they cannot change."
    if declaration is None:
        return f"Answer the question \"Do you think you know this person from what they wrote?\" before you score {candidate.label}."
    return "You cannot score this candidate."


# --- conflicts of interest -----------------------------------------------------

def declare_conflict(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, knows: bool,
                     existing: ConflictDeclaration | None, submitted: bool,
                     my_scores: dict[int, ShortlistScore] | None = None) -> ConflictDeclaration:
    """Record the answer to "Do you think you know this person from what they wrote?". A yes is
    final and asks no reason; a no can become a yes until the scores are submitted (the
    unsubmitted scores are then removed)."""
    if (not vacancy.stage.shortlisting_open or candidate.is_withdrawn or submitted
            or held_for_identity_check(vacancy, candidate)):
        raise ShortlistingError(why_not_scoring(vacancy, candidate, existing, submitted))
    if has_stepped_aside(existing):
        raise ShortlistingError(f"You have already stepped aside from {candidate.label}.")
    if existing is not None and not knows:
        return existing
    if existing is None:
        existing = ConflictDeclaration(candidate_id=candidate.id, user_id=actor.id, knows_candidate=knows)
        session.add(existing)
        before = None
    else:
        before = existing.knows_candidate
        existing.knows_candidate = knows
        existing.declared_at = utcnow()
    removed = 0
    if knows:
        for s in (my_scores or {}).values():
            session.delete(s)
            removed += 1
    session.flush()
    audit.record(session, actor, "conflict", existing, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=(f"{actor.name} stepped aside from {candidate.label}" if knows
                          else f"{actor.name} does not know {candidate.label}"),
                 changes={"knows_candidate": {"before": before, "after": knows},
                          **({"unsubmitted_scores_removed": {"before": removed, "after": 0}} if removed else {})})
    return existing


# --- scores ---------------------------------------------------------------------

def save_scores(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, criteria: list[Criterion],
                entries: dict[int, dict], existing: dict[int, ShortlistScore]) -> int:
    """Save this person's (unsubmitted) scores and comments for a candidate.

    ``entries``: criterion id -> {"score": 0-2 or None, "comment": text}; a key that is missing
    leaves that value as it was. Criteria must be this vacancy's criteria assessed at
    application. Returns how many criteria changed.

    The page's own autosave may insert the same new answer in the same instant as this whole-form
    post (a person pressing "Save" while a change is still being sent): the insert is undone inside
    a savepoint, the rows as they now stand are read again, and the form's values are saved over
    them (the newest save wins, as it does between two saves of one answer)."""
    allowed = {c.id: c for c in criteria if c.vacancy_id == vacancy.id and c.at_application}
    for criterion_id, entry in entries.items():
        if criterion_id not in allowed:
            raise ShortlistingError("That criterion is not scored at shortlisting for this vacancy.")
        if entry.get("score") is not None and not scoring.valid_score(entry["score"]):
            raise ShortlistingError(BAD_SCORE)
        if len(entry.get("comment") or "") > COMMENT_LIMIT:
            raise ShortlistingError(f"Comment must be {COMMENT_LIMIT} characters or fewer")
    try:
        with session.begin_nested():
            return _apply_scores(session, actor, vacancy, candidate, allowed, entries, existing)
    except IntegrityError:
        existing.clear()
        existing.update({row.criterion_id: row for row in session.scalars(select(ShortlistScore).where(
            ShortlistScore.candidate_id == candidate.id, ShortlistScore.user_id == actor.id)
            .execution_options(populate_existing=True))})
        with session.begin_nested():
            return _apply_scores(session, actor, vacancy, candidate, allowed, entries, existing)


def _apply_scores(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, allowed: dict,
                  entries: dict[int, dict], existing: dict[int, ShortlistScore]) -> int:
    changes: dict[str, dict] = {}
    for criterion_id, entry in entries.items():
        number = allowed[criterion_id].position
        row = existing.get(criterion_id)
        before_score, before_comment = (row.score, row.comment or "") if row is not None else (None, "")
        score = entry["score"] if "score" in entry else before_score
        comment = (entry["comment"] or "").strip() if "comment" in entry else before_comment
        if score == before_score and comment == before_comment:
            continue
        if row is None:
            row = ShortlistScore(candidate_id=candidate.id, criterion_id=criterion_id, user_id=actor.id, version=1)
            session.add(row)
            existing[criterion_id] = row
        else:
            row.version = ShortlistScore.version + 1  # counted in SQL: a page saving one answer learns it is behind
        row.score, row.comment = score, comment
        if before_score != score:
            changes[f"criterion {number} score"] = {"before": before_score, "after": score}
        if before_comment != comment:
            changes[f"criterion {number} comment"] = {"before": before_comment, "after": comment}
    if changes:
        session.flush()
        audit.record(session, actor, "score", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                     summary=f"{actor.name} saved shortlisting scores for {candidate.label}", changes=changes)
    return len({k.rsplit(" ", 1)[0] for k in changes})


def check_score(value) -> int | None:
    """A score as sent by a page: blank is "not scored yet"; anything else must be 0, 1 or 2."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    try:
        score = int(str(value).strip())
    except ValueError:
        score = None
    if isinstance(value, bool) or not scoring.valid_score(score):
        raise ShortlistingError(BAD_SCORE, field="score")
    return score


def check_comment(value) -> str:
    comment = (value if isinstance(value, str) else "").replace("\r\n", "\n").strip()
    if len(comment) > COMMENT_LIMIT:
        raise ShortlistingError(f"Comment must be {COMMENT_LIMIT} characters or fewer", field="comment")
    return comment


def save_answer(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, criterion: Criterion,
                score: int | None, comment: str, base_version: int,
                existing: ShortlistScore | None) -> ShortlistScore | None:
    """Save one answer (a criterion's score and comment) of this person's unsubmitted scores,
    as the page sends it. ``base_version`` is the answer's version the page had (0: none yet);
    when the answer was saved since, StaleScore is raised and nothing changes. Whether this
    person may score this candidate is the caller's check (panel.permissions)."""
    if criterion.vacancy_id != vacancy.id or not criterion.at_application:
        raise ShortlistingError("That criterion is not scored at shortlisting for this vacancy.")
    current = existing.version if existing is not None else 0
    if base_version != current:
        raise StaleScore(STALE_ANSWER, current=existing)
    if existing is not None and existing.score == score and (existing.comment or "") == comment:
        return existing
    if existing is None and score is None and not comment:
        return None  # nothing to keep
    before = {"score": existing.score, "comment": existing.comment or ""} if existing is not None else {}
    try:
        with session.begin_nested():  # a save of the same answer in the same instant: undo ours only
            row = existing
            if row is None:
                row = ShortlistScore(candidate_id=candidate.id, criterion_id=criterion.id, user_id=actor.id, version=1)
                session.add(row)
            else:
                row.version = ShortlistScore.version + 1  # counted in SQL, read back below
            row.score, row.comment = score, comment
            session.flush()
            if row.version != base_version + 1:  # another save got in between
                raise StaleScore(STALE_ANSWER)
    except (IntegrityError, StaleScore):
        raise StaleScore(STALE_ANSWER, current=session.scalar(select(ShortlistScore).where(
            ShortlistScore.candidate_id == candidate.id, ShortlistScore.criterion_id == criterion.id,
            ShortlistScore.user_id == actor.id).execution_options(populate_existing=True))) from None
    changes = {f"criterion {criterion.position} {name}": {"before": before.get(name, default), "after": after}
               for name, default, after in (("score", None, score), ("comment", "", comment))
               if before.get(name, default) != after}
    audit.record(session, actor, "score", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"{actor.name} saved shortlisting scores for {candidate.label}", changes=changes)
    return row


def submit_scores(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate, criteria: list[Criterion],
                  existing: dict[int, ShortlistScore]) -> ShortlistSubmission:
    """Lock this person's scores for the candidate. Every criterion needs a score."""
    infos = criterion_infos(criteria)
    missing = [c for c in infos if not scoring.valid_score(existing[c.id].score if c.id in existing else None)]
    if missing:
        numbers = ", ".join(str(c.number) for c in missing)
        raise ShortlistingError(f"Score every criterion before you submit. Still to score: criterion {numbers}.")
    submission = ShortlistSubmission(candidate_id=candidate.id, user_id=actor.id)
    session.add(submission)
    try:
        session.flush()
    except IntegrityError:
        raise ShortlistingError(f"You have already submitted your scores for {candidate.label}.") from None
    audit.record(session, actor, "submit", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"{actor.name} submitted shortlisting scores for {candidate.label}",
                 changes={f"criterion {c.number} score": {"before": None, "after": existing[c.id].score} for c in infos})
    return submission


# --- moderation --------------------------------------------------------------------

def panel_ids(vacancy: Vacancy) -> list[int]:
    return [m.user_id for m in vacancy.panel_members]


def moderate(data: ShortlistingData, candidate: Candidate,
             infos: list[scoring.CriterionInfo] | None = None) -> scoring.CandidateResult:
    """One candidate's moderation: their scores are looked up (data.scores_for), never found by
    scanning the vacancy's score rows, so moderating every candidate is O(N). When the reading
    is shared out, the scores expected are those of the members it is allocated to."""
    infos = criterion_infos(data.criteria) if infos is None else infos
    ids = data.readers_of(candidate.id)
    aside = [u for u in ids if data.stepped_aside(candidate.id, u)]
    submitted = [u for u in ids if data.submitted(candidate.id, u)]
    scores = {key: s.score for key, s in data.scores_for(candidate.id).items()}
    return scoring.moderate(candidate.id, infos, ids, aside, submitted, scores,
                            disability_confident=candidate.disability_confident,
                            readers_wanted=data.vacancy.shortlist_readers)


def comments_of(data: ShortlistingData, result: scoring.CandidateResult) -> dict[tuple[int, int], str]:
    """(criterion id, user id) -> comment, for the submitted scores of one candidate only."""
    submitted = set(result.submitted_ids)
    return {(cr, u): s.comment for (cr, u), s in data.scores_for(result.candidate_id).items()
            if u in submitted and s.comment}


def moderate_all(data: ShortlistingData) -> list[scoring.CandidateResult]:
    """Every candidate still in, ranked by total (those with every score in first)."""
    infos = criterion_infos(data.criteria)
    results = [moderate(data, c, infos) for c in data.candidates if not c.is_withdrawn]
    return scoring.rank(results, {c.id: c.number for c in data.candidates})


def record_decision(session: Session, actor: User, vacancy: Vacancy, candidate: Candidate,
                    result: scoring.CandidateResult, outcome: ShortlistOutcome, reason: str,
                    expected_version: int | None) -> ShortlistDecision:
    """Shortlist, reserve or do not shortlist, with a reason (required for do not shortlist).
    ``expected_version`` is the version of the decision the chair saw (None: there was none)."""
    reason = (reason or "").strip()
    if not vacancy.stage.shortlisting_open:
        raise ShortlistingError("Decisions are locked because the vacancy has moved on from shortlisting.")
    if candidate.is_withdrawn:
        raise ShortlistingError(f"{candidate.label} has withdrawn, so there is nothing to decide.")
    if not result.all_in:
        raise ShortlistingError(f"Wait until every panel member has submitted their scores for {candidate.label}.")
    if outcome == ShortlistOutcome.REJECT and not reason:
        raise ShortlistingError("Give a reason for not shortlisting this candidate", field="reason")
    if len(reason) > REASON_LIMIT:
        raise ShortlistingError(f"Reason must be {REASON_LIMIT} characters or fewer", field="reason")
    if result.guaranteed_interview and outcome != ShortlistOutcome.SHORTLIST:
        raise ShortlistingError(f"{candidate.label} is guaranteed an interview: they applied under the Disability "
                                "Confident scheme and meet every essential criterion. Choose shortlist.", field="outcome")
    decision = candidate.decision
    stale = StaleDecisionError(f"Someone else recorded a decision for {candidate.label} while you were looking. "
                               "Check the decision below and try again.", current=decision)
    if (decision.version if decision is not None else None) != (expected_version or None):
        raise stale  # before anything changes
    before = audit.snapshot(decision, ["outcome", "reason", "decided_by_id"]) if decision is not None else {}
    try:
        with session.begin_nested():  # another chair saving in the same instant: undo ours only
            if decision is None:
                decision = ShortlistDecision(candidate_id=candidate.id, outcome=outcome, reason=reason,
                                             decided_by_id=actor.id)
                session.add(decision)
            else:
                decision.outcome, decision.reason, decision.decided_by_id = outcome, reason, actor.id
                decision.decided_at = utcnow()
            session.flush()
    except (StaleDataError, IntegrityError):
        raise stale from None
    after = audit.snapshot(decision, ["outcome", "reason", "decided_by_id"])
    changes = audit.diff(before, after)
    audit.record(session, actor, "decision", decision, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Shortlisting decision for {candidate.label}: {outcome.label}", changes=changes)
    return decision


# --- progress ----------------------------------------------------------------------

@dataclass
class MemberProgress:
    user: User
    role_label: str
    submitted: int
    in_progress: int
    stepped_aside: int
    to_score: int


def progress(data: ShortlistingData) -> tuple[list[MemberProgress], dict[int, tuple[int, int]]]:
    """Per panel member: how many of their candidates (all, or their allocation when the reading
    is shared out) they have submitted (never the scores). Per candidate: (submitted, expected)."""
    live = [c for c in data.candidates if not c.is_withdrawn]
    members = []
    per_candidate: dict[int, tuple[int, int]] = {}
    for c in live:
        expected = [u for u in data.readers_of(c.id) if not data.stepped_aside(c.id, u)]
        per_candidate[c.id] = (sum(1 for u in expected if data.submitted(c.id, u)), len(expected))
    started = {(cand, u) for (cand, _cr, u) in data.scores}
    for m in data.vacancy.panel_members:
        mine = [c for c in live if data.allocated(c.id, m.user_id)]
        aside = sum(1 for c in mine if data.stepped_aside(c.id, m.user_id))
        submitted = sum(1 for c in mine if data.submitted(c.id, m.user_id))
        in_progress = sum(1 for c in mine if (c.id, m.user_id) in started and not data.submitted(c.id, m.user_id)
                          and not data.stepped_aside(c.id, m.user_id))
        members.append(MemberProgress(user=m.user, role_label=m.panel_role.label, submitted=submitted,
                                      in_progress=in_progress, stepped_aside=aside, to_score=len(mine) - aside))
    return members, per_candidate


# --- export ------------------------------------------------------------------------

EXPORT_HEADER = ["Candidate", "Criterion number", "Criterion", "Essential", "Panel member", "Score", "Score meaning",
                 "Comment", "Criterion mean", "Panel members differ by the whole scale", "Candidate total",
                 "Rank", "Essential criterion not met", "Guaranteed interview", "Decision", "Reason",
                 "Decided by", "Decided at"]


def export_rows(data: ShortlistingData, results: list[scoring.CandidateResult], *, identity: bool,
                users: dict[int, User], contact: bool = False) -> Iterator[list[str]]:
    """One row per candidate, criterion and panel member (and one per stepped-aside member), the
    header first. ``identity``: with the candidate's name; ``contact``: with their email and
    phone too (HR only). The rows are made as the CSV writer takes them, so 400 candidates'
    12,800 rows are never all held at once (which also keeps the garbage collector's work linear)."""
    header = list(EXPORT_HEADER)
    k = data.vacancy.shortlist_readers
    if k is not None:  # the reading is shared out: who was given each candidate (names: chair and HR export)
        at = header.index("Decision")
        header[at:at] = ["Read by", f"Read by fewer than {k}"]
    if identity:
        header[1:1] = ["First name", "Last name"] + (["Email", "Phone"] if contact else [])
    yield header

    def who(c) -> list[str]:
        return [c.first_name, c.last_name] + ([c.email, c.phone] if contact else [])

    by_id = {c.id: c for c in data.candidates}
    for r in results:
        c = by_id[r.candidate_id]
        d = c.decision
        decision = [d.outcome.label, d.reason, d.decided_by.name if d.decided_by else "",
                    london(d.decided_at)] if d else ["", "", "", ""]
        unmet = "; ".join(f"criterion {x.number}" for x in r.essential_not_met)
        common_tail = [r.total_text if r.all_in else "Not all scores in", str(r.rank or ""), unmet,
                       "Yes" if r.guaranteed_interview else ""]
        if k is not None:
            common_tail += ["; ".join(users[uid].name if uid in users else f"Former panel member {uid}"
                                      for uid in r.scorer_ids), "Yes" if r.readers_short else "No"]
        mine = data.scores_for(c.id)
        for row in r.criteria:
            for uid, score in row.scores.items():
                s = mine.get((row.criterion.id, uid))
                line = [c.label, str(row.criterion.number), row.criterion.text,
                        "Essential" if row.criterion.essential else "Desirable",
                        users[uid].name if uid in users else f"Former panel member {uid}",
                        "" if score is None else str(score), scoring.SCALE.get(score, ""), s.comment if s else "",
                        row.mean_text, "Yes" if row.disagreement else "No", *common_tail, *decision]
                if identity:
                    line[1:1] = who(c)
                yield line
        for uid in r.stepped_aside_ids:
            line = [c.label, "", "", "", users[uid].name if uid in users else "", "Stepped aside", "", "", "", "",
                    *common_tail, *decision]
            if identity:
                line[1:1] = who(c)
            yield line



# --- how a panel member reviews (panel/shortlisting/walk.py) ---------------------------

def set_review_mode(session: Session, actor: User, vacancy: Vacancy, member: PanelMember, mode: str) -> bool:
    """Remember how this panel member reviews applications for the vacancy: one candidate at a
    time or one criterion at a time. Their scores are the same either way. True if it changed."""
    if mode not in walk.MODES:
        raise ShortlistingError("Choose one candidate at a time or one criterion at a time", field="mode")
    before = walk.mode_of(member)
    if before == mode:
        return False
    member.review_mode = mode
    session.flush()
    audit.record(session, actor, "update", member, vacancy_id=vacancy.id,
                 summary=f"{actor.name} chose to review applications {walk.MODES[mode].lower()}",
                 changes={"review_mode": {"before": before, "after": mode}})
    return True
