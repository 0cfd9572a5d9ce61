"""The one place that turns the database into a pack's plain data: dicts, lists, strings,
numbers and booleans only (no ORM object ever reaches a pack template), loaded in a fixed
number of queries whatever the size of the vacancy.

Privacy is decided here, by leaving things out of the data rather than hiding them in a
template: while a vacancy is in draft or shortlisting a pack names no candidate (labels
only, and their names are not even read from the database); the shortlisting pack never
reads a candidate's name, email, phone or Disability Confident status at all.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from panel import scorecore
from panel.db import db
from panel.models import (
    DEFAULT_SCALE,
    Candidate,
    CandidateEvidence,
    InterviewBooking,
    InterviewDay,
    InterviewSlot,
    PanelMember,
    PanelRole,
    PlanQuestion,
    ScaleLevel,
    ShortlistDecision,
    ShortlistOutcome,
    User,
    Vacancy,
    adjustment_lines,
)
from panel.deadlines import london_today
from panel.permissions import held_for_identity_check, is_arrangement_day, results_signed_off
from panel.profiles import arrangements
from panel.scoring import queries as scoring_queries
from panel.scoring import results as calc
from panel.scoring import services as scoring_services
from panel.shortlisting.allocation import allocated_candidate_ids
from panel.shortlisting.scoring import MAX_SCORE, SCALE_POINTS, marking_guide, panelist_order
from panel.templating import LONDON, london, long_date

KINDS = ("panel", "panelist", "shortlisting", "results")
KIND_NAMES = {
    "panel": "Interview pack",
    "panelist": "Interview pack",
    "shortlisting": "Shortlisting pack",
    "results": "Interview results pack",
}
LANG = "en-GB"
ROLE_ORDER = {PanelRole.CHAIR: 0, PanelRole.STAFF: 1, PanelRole.PATIENT: 2}


# What each pack needs before it can be made. Each need is said two ways: as the problem on
# the "cannot be made yet" page, and as what the packs page says the pack waits for
# ("can be made once ..."). ``pack_needs`` checks them all for the packs page.
INTERVIEW_NEEDS = {
    "questions": ("There is no interview plan yet: the chair or HR adds the interview questions on the "
                  "vacancy's interview plan page.",
                  "the interview plan has its questions"),
    "shortlisted": ("No candidates have been shortlisted for interview yet: the chair records shortlisting "
                    "decisions first.",
                    "the chair has shortlisted candidates for interview"),
    "panel": ("Nobody is on the panel yet: HR adds the panel on the vacancy's panel page.",
              "HR has added the panel"),
}
SHORTLISTING_NEEDS = {
    "criteria": ("The person specification has no criteria assessed at application yet: HR adds them "
                 "on the vacancy's person specification page.",
                 "the person specification has criteria assessed at application"),
    "applications": ("There are no applications yet: HR adds the candidates first.",
                     "HR has added the applications"),
}
RESULTS_NOT_SIGNED_OFF = ("The chair has not signed off the interview results yet. The results pack can be "
                          "made once they are signed off.")


class NotReady(Exception):
    """The pack cannot be made yet; ``problems`` says what is missing, in plain words."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _missing(needs: dict, **have: bool) -> list[str]:
    """The keys of ``needs`` (in their order) that are not met."""
    return [key for key in needs if not have[key]]


def pack_needs(v: Vacancy) -> dict[str, list[str]]:
    """For the packs page: what the interview packs and the shortlisting pack still wait for,
    as "once ..." phrases (an empty list: it can be made now). Uses the vacancy's loaded
    criteria and panel, and two small queries."""
    has_questions = db().scalar(select(PlanQuestion.id).where(PlanQuestion.vacancy_id == v.id).limit(1)) is not None
    outcomes = db().execute(
        select(ShortlistDecision.outcome)
        .select_from(Candidate).outerjoin(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
        .where(Candidate.vacancy_id == v.id, Candidate.withdrawn_at.is_(None)).distinct()).scalars().all()
    interview = _missing(INTERVIEW_NEEDS, questions=has_questions, shortlisted=ShortlistOutcome.SHORTLIST in outcomes,
                         panel=bool(v.panel_members))
    shortlisting = _missing(SHORTLISTING_NEEDS, criteria=any(c.at_application for c in v.criteria),
                            applications=bool(outcomes))
    return {"interview": [INTERVIEW_NEEDS[k][1] for k in interview],
            "shortlisting": [SHORTLISTING_NEEDS[k][1] for k in shortlisting]}


def load_vacancy(vacancy_id: int) -> Vacancy | None:
    """The vacancy with its criteria and panel (4 queries)."""
    return db().scalar(
        select(Vacancy).where(Vacancy.id == vacancy_id).options(
            selectinload(Vacancy.criteria),
            selectinload(Vacancy.panel_members).selectinload(PanelMember.user)))


# --- small formatters (plain strings for the templates) -----------------------

def _lines(text: str | None) -> list[str]:
    """Guidance and follow-ups are one point a line."""
    return [line.strip(" \t-•*") for line in (text or "").splitlines() if line.strip(" \t-•*")]


def _paragraphs(text: str | None) -> list[str]:
    paragraphs, current = [], []
    for line in (text or "").splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return paragraphs


def _day(value: dt.datetime) -> str:
    local = value.astimezone(LONDON)
    return f"{local:%A} {local.day} {local:%B %Y}"


def _vacancy(v: Vacancy) -> dict:
    return {
        "id": v.id, "title": v.title, "reference": v.reference, "band": v.band, "site": v.site,
        "team": v.team, "hours": v.hours, "status": v.status.value, "status_label": v.status.label,
        "interview_date": long_date(v.interview_date), "venue": v.interview_venue,
    }


def panel_members(v: Vacancy) -> list[dict]:
    members = sorted(v.panel_members, key=lambda m: (ROLE_ORDER.get(m.panel_role, 9), m.user.name.lower(), m.id))
    return [{"user_id": m.user_id, "member_id": m.id, "name": m.user.name, "role": m.panel_role.label,
             "patient": m.panel_role == PanelRole.PATIENT} for m in members]


def _criteria(v: Vacancy) -> list[dict]:
    return [{"id": c.id, "number": i, "text": c.text, "category": c.category.label,
             "essential": c.essential, "assessed_at": c.assessed_at.label,
             "at_application": c.at_application, "at_interview": c.at_interview}
            for i, c in enumerate(v.criteria, start=1)]


def _scale(vacancy_id: int) -> list[dict]:
    levels = db().scalars(select(ScaleLevel).where(ScaleLevel.vacancy_id == vacancy_id).order_by(ScaleLevel.score))
    points = [(lv.score, lv.label, lv.descriptor) for lv in levels] or DEFAULT_SCALE
    return [{"score": s, "label": label, "descriptor": d} for s, label, d in points]


def tick_boxes(scale: list[dict]) -> str:
    """One line of boxes to tick, "☐ 0 No evidence  ☐ 1 Limited ...", wrapping only between
    choices (no-break spaces inside each)."""
    nbsp = "\u00a0"
    return "\u2003 ".join(f"\u2610{nbsp}{p['score']}{nbsp}{p['label'].replace(' ', nbsp)}" for p in scale)


def _base(kind: str, v: Vacancy, *, large_print: bool, for_member: dict | None) -> dict:
    who = f" for {for_member['name']}" if for_member else ""
    return {
        "kind": kind, "lang": LANG, "large_print": bool(large_print),
        "title": f"{KIND_NAMES[kind]}{who} – {v.reference} {v.title}",
        "heading": KIND_NAMES[kind],
        "names_shown": v.stage.names_shown,  # packs name candidates only from the stage that shows names
        "vacancy": _vacancy(v),
        "panel": panel_members(v),
        "for_member": for_member,
    }


def _member(v: Vacancy, user_id: int | None) -> dict | None:
    if user_id is None:
        return None
    return next((m for m in panel_members(v) if m["user_id"] == user_id), None)


# --- interview packs (panel and per-panelist) ---------------------------------

def interview_pack(v: Vacancy, *, panelist_user_id: int | None = None, large_print: bool = False) -> dict:
    """The panel pack (every panel member's sheets) or one panel member's pack.

    Queries after the vacancy: plan questions, their criteria links, scale, interview day,
    slots, candidates, conflicts (7, whatever the numbers)."""
    for_member = _member(v, panelist_user_id)
    kind = "panelist" if panelist_user_id is not None else "panel"
    if panelist_user_id is not None and for_member is None:
        raise LookupError("not on this panel")
    pack = _base(kind, v, large_print=large_print, for_member=for_member)
    criteria = _criteria(v)
    number_of = {c["id"]: c["number"] for c in criteria}
    members_by_id = {m.id: m for m in v.panel_members}

    questions = list(db().scalars(
        select(PlanQuestion).where(PlanQuestion.vacancy_id == v.id)
        .options(selectinload(PlanQuestion.criteria_links))
        .order_by(PlanQuestion.position, PlanQuestion.id)))
    scale = _scale(v.id)
    day = db().scalar(select(InterviewDay).where(InterviewDay.vacancy_id == v.id))
    slots = list(db().scalars(select(InterviewSlot).where(InterviewSlot.vacancy_id == v.id)
                              .order_by(InterviewSlot.starts_at, InterviewSlot.id)))
    show_names = pack["names_shown"]
    columns = [Candidate.id, Candidate.number] + ([Candidate.first_name, Candidate.last_name] if show_names else [])
    # the adjustments candidates asked for when booking: in the pack only from the interviews on
    with_adjustments = v.stage.adjustments_shown
    if with_adjustments:
        columns += [InterviewBooking.adjustments, InterviewBooking.adjustments_other]
    query = select(*columns).join(ShortlistDecision, ShortlistDecision.candidate_id == Candidate.id)
    if with_adjustments:
        query = query.outerjoin(InterviewBooking, InterviewBooking.candidate_id == Candidate.id)
    rows = db().execute(
        query.where(Candidate.vacancy_id == v.id, Candidate.withdrawn_at.is_(None),
               ShortlistDecision.outcome == ShortlistOutcome.SHORTLIST)
        .order_by(Candidate.number)).all()
    aside_by_candidate = scoring_queries.stepped_aside_user_ids(v)

    missing = _missing(INTERVIEW_NEEDS, questions=bool(questions), shortlisted=bool(rows), panel=bool(v.panel_members))
    if missing:
        raise NotReady([INTERVIEW_NEEDS[k][0] for k in missing])

    first_slot: dict[int, InterviewSlot] = {}
    for s in slots:
        if s.candidate_id is not None and s.candidate_id not in first_slot:
            first_slot[s.candidate_id] = s
    candidates = []
    label_of: dict[int, str] = {}
    for row in rows:
        label = f"Candidate {row.number:02d}"
        name = f"{row.first_name} {row.last_name}".strip() if show_names else ""
        slot = first_slot.get(row.id)
        label_of[row.id] = label
        candidates.append({
            "id": row.id, "label": label, "name": name,
            "slot": (f"{_day(slot.starts_at)}, {london(slot.starts_at, 'time')} to {london(slot.ends_at, 'time')}"
                     if slot else "Not in the timetable yet"),
            "location": (slot.location if slot and slot.location else (day.default_location if day else "")),
            "_start": slot.starts_at.timestamp() if slot else None,
            "adjustments": adjustment_lines(row.adjustments, row.adjustments_other) if with_adjustments else [],
        })
    candidates.sort(key=lambda c: (c["_start"] is None, c["_start"] or 0, c["label"]))
    for c in candidates:
        del c["_start"]

    adjustments_of = {c["id"]: c["adjustments"] for c in candidates}
    timetable: list[dict] = []
    for s in slots:
        day_text = _day(s.starts_at)
        if not timetable or timetable[-1]["day"] != day_text:
            timetable.append({"day": day_text, "slots": []})
        who = label_of.get(s.candidate_id) if s.candidate_id else None
        if who and show_names:
            who = next(f"{c['label']} – {c['name']}" for c in candidates if c["id"] == s.candidate_id)
        timetable[-1]["slots"].append({
            "time": f"{london(s.starts_at, 'time')} to {london(s.ends_at, 'time')}",
            "candidate": who or "No candidate",
            "adjustments": adjustments_of.get(s.candidate_id, []),
            "location": s.location or (day.default_location if day else ""),
        })

    me = for_member["user_id"] if for_member else None
    plan = []
    for i, q in enumerate(questions, start=1):
        asker = members_by_id.get(q.asker_id)
        plan.append({
            "number": i, "text": q.text, "guidance": _lines(q.guidance), "follow_ups": _lines(q.follow_ups),
            "content_note": q.content_note or "", "minutes": q.minutes,
            "asker": asker.user.name if asker else "", "asker_role": asker.panel_role.label if asker else "",
            "mine": asker is not None and asker.user_id == me,
            "criteria": sorted(number_of[link.criterion_id] for link in q.criteria_links
                               if link.criterion_id in number_of),
        })

    stepped_aside: dict[int, set[int]] = {}
    for candidate_id, user_ids in aside_by_candidate.items():
        for user_id in user_ids:
            stepped_aside.setdefault(user_id, set()).add(candidate_id)
    sheet_members = [for_member] if for_member else pack["panel"]
    sheets = []
    for m in sheet_members:
        aside = stepped_aside.get(m["user_id"], set())
        sheets.append({
            "member": m,
            "candidates": [i for i, c in enumerate(candidates) if c["id"] not in aside],
            "stepped_aside": [c["label"] for c in candidates if c["id"] in aside],
        })
    for c in candidates:
        del c["id"]

    pack.update({
        "criteria": criteria,
        "interview_criteria": [c for c in criteria if c["at_interview"]],
        "scale": scale,
        "boxes": tick_boxes(scale),
        "max_score": max(p["score"] for p in scale),
        "max_total": max(p["score"] for p in scale) * len(plan),
        "questions": plan,
        "total_minutes": sum(q["minutes"] for q in plan),
        "slot_minutes": day.slot_minutes if day else None,
        "breaks": day.breaks if day else "",
        "timetable": timetable,
        "candidates": candidates,
        "sheets": sheets,
        "my_questions": [q["number"] for q in plan if q["mine"]],
        # the chair's pack only: what panel members asked to have arranged for the day (shared items)
        "arrangements": _arrangements(v, day) if kind == "panel" else [],
    })
    return pack


def _arrangements(v: Vacancy, day: InterviewDay | None) -> list[dict]:
    """What to arrange for the interview day, until it is over (panel/profiles/arrangements.py)."""
    date = day.starts_at.astimezone(LONDON).date() if day is not None and day.starts_at else v.interview_date
    if not is_arrangement_day(v, date, london_today()):
        return []
    return arrangements.for_panel(db(), v)


# --- shortlisting pack ----------------------------------------------------------

def shortlisting_pack(v: Vacancy, *, for_user_id: int | None = None, large_print: bool = False) -> dict:
    """Anonymised applications for shortlisting on paper: labels, supporting information,
    evidence per criterion, and a blank scoring grid. Never a name, email, phone or
    Disability Confident status: those columns are not even selected.

    ``for_user_id``: a panel member's own pack (their own shuffled order, without the
    candidates they said they know, and only their allocation when the reading is shared
    out). Queries after the vacancy: candidates, evidence, conflicts, allocation (3 or 4)."""

    for_member = _member(v, for_user_id)
    pack = _base("shortlisting", v, large_print=large_print, for_member=for_member)
    pack["names_shown"] = False
    guides = {c.id: marking_guide(c.guide_texts) for c in v.criteria}
    criteria = [{**c, "guide": [{"score": p.score, "label": p.label, "text": p.text, "own": p.own}
                                for p in guides[c["id"]]]}
                for c in _criteria(v) if c["at_application"]]
    rows = db().execute(
        select(Candidate.id, Candidate.number,  # the panel's text: with HR's redactions (the identity check)
               func.coalesce(Candidate.panel_supporting_information, Candidate.supporting_information)
               .label("supporting_information"),
               Candidate.application_file.is_not(None).label("has_file"), Candidate.identity_open)
        .where(Candidate.vacancy_id == v.id, Candidate.withdrawn_at.is_(None))
        .order_by(Candidate.number)).all()
    evidence_rows = db().execute(
        select(CandidateEvidence.candidate_id, CandidateEvidence.criterion_id,
               func.coalesce(CandidateEvidence.panel_text, CandidateEvidence.text))
        .join(Candidate, Candidate.id == CandidateEvidence.candidate_id)
        .where(Candidate.vacancy_id == v.id)).all()
    aside: set[int] = set()
    mine: set[int] | None = None  # the reading shared out: only this member's allocation
    if for_member:
        aside = {cid for cid, user_ids in scoring_queries.stepped_aside_user_ids(v).items()
                 if for_member["user_id"] in user_ids}
        mine = allocated_candidate_ids(v, for_member["user_id"])

    missing = _missing(SHORTLISTING_NEEDS, criteria=bool(criteria), applications=bool(rows))
    if missing:
        raise NotReady([SHORTLISTING_NEEDS[k][0] for k in missing])

    evidence: dict[int, dict[int, str]] = {}
    for candidate_id, criterion_id, text in evidence_rows:
        if text and text.strip():
            evidence.setdefault(candidate_id, {})[criterion_id] = text
    by_id = {r.id: r for r in rows}
    order = [r.id for r in rows]
    if for_member:
        order = panelist_order(v.id, for_member["user_id"], order)
    candidates = []
    held = 0
    for cid in order:
        if cid in aside or (mine is not None and cid not in mine):
            continue
        r = by_id[cid]
        if held_for_identity_check(v, r):  # HR has not finished the identity check on it
            held += 1
            continue
        candidates.append({
            "label": f"Candidate {r.number:02d}",
            "paragraphs": _paragraphs(r.supporting_information),
            "has_file": bool(r.has_file),
            "evidence": [{"number": c["number"], "text": c["text"], "paragraphs": _paragraphs(evidence[cid][c["id"]])}
                         for c in criteria if c["id"] in evidence.get(cid, {})],
        })
    scale = [{"score": s, "label": label, "descriptor": d} for s, label, d in SCALE_POINTS]
    pack.update({
        "criteria": criteria,
        "scale": scale,
        "boxes": tick_boxes(scale),
        "max_total": MAX_SCORE * len(criteria),
        "candidates": candidates,
        "stepped_aside_count": len(aside & set(order)),
        "held_count": held,
    })
    return pack


# --- results pack ------------------------------------------------------------------

def results_pack(v: Vacancy, *, large_print: bool = False) -> dict:
    """The signed-off results: each panel member's score per question, means, spreads and
    flags (computed by panel.scoring.results, the one place for that arithmetic), ranks,
    outcomes with rationale, and the sign-off. Queries after the vacancy: those of
    panel.scoring.queries.everything plus one for the names of people not on the panel."""

    data = scoring_queries.everything(v)
    signoff = data.signoff
    if not results_signed_off(signoff):
        raise NotReady([RESULTS_NOT_SIGNED_OFF])
    if not data.candidates:
        raise NotReady(["There are no interviewed candidates."])
    page = scoring_services.build_results(v, data, {c.id for c in data.candidates})
    pack = _base("results", v, large_print=large_print, for_member=None)
    member_names = {m.user_id: m.user.name for m in v.panel_members}
    other_ids = {signoff.signed_off_by_id} - set(member_names) - {None}
    if other_ids:
        for uid, name in db().execute(select(User.id, User.name).where(User.id.in_(other_ids))):
            member_names[uid] = name
    show_names = pack["names_shown"]
    questions = [{"number": i, "text": q.text} for i, q in enumerate(data.questions, start=1)]
    number_of_q = {q.id: i for i, q in enumerate(data.questions, start=1)}
    patient_ids = page.patient_ids()
    fmt = scorecore.format_score

    def name_of(c) -> str:
        return c.full_name if show_names else ""

    candidates = []
    for c in page.ranked:
        r = page.results[c.id]
        outcome = data.outcomes.get(c.id)
        scorers = [{"name": member_names.get(u, "Former panel member"), "patient": u in patient_ids}
                   for u in r.scorers]
        rows = []
        for q in r.questions:
            rows.append({
                "number": number_of_q[q.question_id],
                "scores": [fmt(q.scores.get(u)) for u in r.scorers],
                "mean": fmt(q.mean), "spread": fmt(q.spread), "flagged": q.flagged,
                "moderated": fmt(q.moderated) if q.moderated is not None else "",
                "moderation_reason": q.moderation_reason,
            })
        aside = [member_names.get(m.user_id, "") for m in page.members
                 if m.user_id in data.stepped_aside.get(c.id, set())]
        candidates.append({
            "label": c.label, "name": name_of(c),
            "rank": page.rank_text(c.id), "patient_rank": page.rank_text(c.id, patient=True),
            "total": fmt(r.total), "patient_total": fmt(r.patient_total),
            "shortlisting_total": fmt(page.shortlisting.get(c.id)),
            "scorers": scorers, "rows": rows, "flagged_count": r.flagged_count,
            "moderated_count": r.moderated_count, "stepped_aside": aside,
            "outcome": outcome.outcome.label if outcome else "Not decided",
            "outcome_value": outcome.outcome.value if outcome else "",
            "rationale": _paragraphs(outcome.rationale) if outcome else [],
            "decided_by": (outcome.decided_by.name if outcome and outcome.decided_by else ""),
            "decided_at": london(outcome.decided_at) if outcome else "",
        })
    label_of = {c.id: c.label for c in data.candidates}
    pack.update({
        "questions": questions,
        "scale": [{"score": p.score, "label": p.label, "descriptor": p.descriptor} for p in data.scale],
        "max_total": page.max_total,
        "flag_at": calc.FLAG_AT,
        "candidates": candidates,
        "disagreements": [f"The patient panelists ranked {label_of[d.patients_prefer]} above "
                          f"{label_of[d.decision_prefers]}, but the decision puts {label_of[d.decision_prefers]} higher."
                          for d in page.disagreements],
        "signoff": {
            "by": member_names.get(signoff.signed_off_by_id, ""),
            "at": london(signoff.signed_off_at),
            "patient_view_note": _paragraphs(signoff.patient_view_note),
        },
    })
    return pack


def build(kind: str, vacancy: Vacancy, *, large_print: bool = False, panelist_user_id: int | None = None,
          for_user_id: int | None = None) -> dict:
    """The plain-data context of one pack. Raises NotReady (what is missing) or
    LookupError (no such panel member)."""
    if kind == "panel":
        return interview_pack(vacancy, large_print=large_print)
    if kind == "panelist":
        return interview_pack(vacancy, panelist_user_id=panelist_user_id, large_print=large_print)
    if kind == "shortlisting":
        return shortlisting_pack(vacancy, for_user_id=for_user_id, large_print=large_print)
    if kind == "results":
        return results_pack(vacancy, large_print=large_print)
    raise LookupError(kind)
