"""A panel member's shortlisting pages: their own list, a candidate's page (the conflict
question, then the scores), saving one answer at a time (the page's script, JSON in and
out: the protocol of static/js/scoring.js, shared with interview scoring), saving the whole
form (without JavaScript) and submitting."""
from __future__ import annotations

import re

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.converters import posted_number
from panel.db import db, utcnow
from panel.loaders import found, vacancy_view
from panel.models import Vacancy
from panel.shortlisting import queries, scoring, services, walk
from panel.shortlisting.forms import ConflictForm, ReviewModeForm, SubmitForm, score_form
from panel.shortlisting.views import bp, my_candidate, review
from panel.templating import london

SCORE_FIELD_RE = re.compile(r"^(?:score|comment)_\d+$")


@bp.route("")
@vacancy_view(permissions.can_view_shortlisting)
def index(vacancy: Vacancy):
    return index_page(vacancy)


def index_page(vacancy: Vacancy, *, mode_form=None, status: int = 200):
    mine = by_criterion = continue_to = None
    mode = review.my_mode(vacancy)
    if permissions.can_shortlist(current_user, vacancy):
        data = queries.load(vacancy, user_id=current_user.id, decisions=False)
        mine = services.my_progress(data, current_user)
        by_criterion = walk.criteria_progress(data, mine, current_user.id)
        continue_to = review.continue_url(vacancy, data, mine, mode)
    return render_template(
        "shortlisting/index.html", vacancy=vacancy, mine=mine, mode=mode, by_criterion=by_criterion,
        continue_to=continue_to, mode_form=mode_form or ReviewModeForm(data={"mode": mode}),
        page_of=walk.page_of, criterion_url=review.criterion_url,
        criteria_count=sum(1 for c in vacancy.criteria if c.at_application),
        membership=permissions.panel_membership(current_user, vacancy),
        can_progress=permissions.can_view_shortlisting_progress(current_user, vacancy),
        can_moderate=permissions.can_view_moderation(current_user, vacancy),
        can_export=permissions.can_export_shortlisting(current_user, vacancy),
        can_candidates=permissions.can_view_candidates(current_user, vacancy),
        can_allocate=permissions.can_allocate_shortlisting(current_user, vacancy),
    ), status


def _candidate_page(vacancy: Vacancy, candidate_id: int, *, conflict_form=None, form=None, error=None, status=200):
    data = queries.load(vacancy, candidate_id=candidate_id, evidence=True, decisions=False)
    candidate = my_candidate(vacancy, data, candidate_id)
    allocated = data.allocated(candidate.id, current_user.id)
    mine_data = queries.load(vacancy, user_id=current_user.id, decisions=False)
    progress = services.my_progress(mine_data, current_user)
    declaration = data.declaration(candidate.id, current_user.id)
    submitted = data.submitted(candidate.id, current_user.id)
    stepped_aside = permissions.has_stepped_aside(declaration)
    my_scores = data.scores_of(candidate.id, current_user.id)
    result = services.moderate(data, candidate)
    can_score = permissions.can_score_candidate(current_user, vacancy, candidate, declaration, submitted,
                                                allocated=allocated)
    show_others = permissions.can_see_scores_of_others(current_user, vacancy, permissions.SHORTLISTING, submitted=submitted,
                                                       stepped_aside=stepped_aside, all_in=result.all_in)
    if form is None and can_score:
        form = score_form(data.criteria, data={**{f"score_{cid}": (str(s.score) if s.score is not None else None)
                                                  for cid, s in my_scores.items()},
                                               **{f"comment_{cid}": s.comment for cid, s in my_scores.items()}})
    evidence = {e.criterion_id: e.text_for_panel for e in candidate.evidence}  # with HR's redactions
    users = {m.user_id: m.user for m in vacancy.panel_members}
    return render_template(
        "shortlisting/candidate.html", vacancy=vacancy, candidate=candidate, criteria=data.criteria,
        evidence=evidence, declaration=declaration, submitted=submitted, stepped_aside=stepped_aside,
        can_declare=permissions.can_declare_conflict(current_user, vacancy, candidate, declaration, submitted,
                                                     allocated=allocated),
        can_score=can_score, form=form, conflict_form=conflict_form or ConflictForm(),
        my_scores=my_scores, others=result if show_others else None, all_in=result.all_in, users=users,
        comments=services.comments_of(data, result) if show_others else {},
        me=current_user.id,
        progress=progress, position=progress.position(candidate.id), scale=scoring.SCALE,
        error=error, guides={c.id: scoring.marking_guide(c.guide_texts) for c in data.criteria},
        can_read=permissions.can_read_application(current_user, vacancy, candidate, declaration, allocated=allocated),
        readonly_reason=None if can_score else services.why_not_scoring(vacancy, candidate, declaration, submitted),
        held=(services.HELD_MESSAGE.format(label=candidate.label)
              if permissions.held_for_identity_check(vacancy, candidate) else None),
    ), status


@bp.route("/candidates/<int:candidate_id>")
@vacancy_view(permissions.can_shortlist)
def candidate(vacancy: Vacancy, candidate_id: int):
    return _candidate_page(vacancy, candidate_id)


def _my_state(vacancy: Vacancy, candidate_id: int, may=permissions.can_score_candidate):
    """(data, candidate, declaration, submitted, refusal) of this person for the candidate;
    ``refusal`` is the plain-English reason they may not do this (``may``) now, or None."""
    data = queries.load(vacancy, user_id=current_user.id, candidate_id=candidate_id, decisions=False)
    candidate = my_candidate(vacancy, data, candidate_id)
    declaration, submitted = data.declaration(candidate.id, current_user.id), data.submitted(candidate.id, current_user.id)
    refusal = (None if may(current_user, vacancy, candidate, declaration, submitted,
                           allocated=data.allocated(candidate.id, current_user.id))
               else services.why_not_scoring(vacancy, candidate, declaration, submitted))
    return data, candidate, declaration, submitted, refusal


@bp.route("/candidates/<int:candidate_id>/conflict", methods=["POST"])
@vacancy_view(permissions.can_shortlist)
def conflict(vacancy: Vacancy, candidate_id: int):
    data, candidate, declaration, submitted, refusal = _my_state(vacancy, candidate_id, permissions.can_declare_conflict)
    if refusal:
        return _candidate_page(vacancy, candidate_id, status=409, error=refusal)
    form = ConflictForm()
    if not form.validate_on_submit():
        return _candidate_page(vacancy, candidate_id, conflict_form=form, status=400)
    knows = form.knows.data == "yes"
    try:
        services.declare_conflict(db(), current_user, vacancy, candidate, knows, declaration, submitted,
                                  data.scores_of(candidate.id, current_user.id))
    except services.ShortlistingError as exc:
        return _candidate_page(vacancy, candidate_id, error=str(exc), status=409)
    back = _criterion_return(vacancy, data, candidate.id)
    if knows:
        flash(f"You have stepped aside from {candidate.label}. You will not score this candidate.", "success")
        return redirect(back) if back else _go_next(vacancy, candidate.id)
    if back:
        return redirect(back)
    return redirect(url_for("shortlisting.candidate", vacancy_id=vacancy.id, candidate_id=candidate.id,
                            _anchor="scores"))


def _criterion_return(vacancy: Vacancy, data: queries.ShortlistingData, candidate_id: int) -> str | None:
    """The criterion's page the question was answered on (one criterion at a time: the form
    names the criterion and the page), back at this candidate; None from a candidate's page."""
    criterion_id, page = posted_number(request.form.get("criterion")), posted_number(request.form.get("page", "1"))
    if criterion_id is None or page is None:
        return None
    if not any(c.id == criterion_id for c in data.criteria):
        return None
    return review.criterion_url(vacancy, criterion_id, max(1, page), candidate_id)


def _go_next(vacancy: Vacancy, candidate_id: int | None):
    """On to what this member does next in their way of reviewing (review.continue_url)."""
    data = queries.load(vacancy, user_id=current_user.id, decisions=False)
    target = review.continue_url(vacancy, data, services.my_progress(data, current_user), review.my_mode(vacancy),
                                 after=candidate_id)
    return redirect(target or url_for("shortlisting.index", vacancy_id=vacancy.id))


def _answer(row) -> dict:
    """One answer as the page's script knows it (never anything about the candidate)."""
    if row is None:
        return {"score": "", "notes": "", "version": 0}
    return {"score": "" if row.score is None else str(row.score), "notes": row.comment or "", "version": row.version}


@bp.route("/candidates/<int:candidate_id>/scores/<int:criterion_id>", methods=["POST"])
@vacancy_view(permissions.can_shortlist)
def save_answer(vacancy: Vacancy, candidate_id: int, criterion_id: int):
    """Save one criterion's score and comment as they change: JSON {score, notes, version} in;
    the new version out, 400 with the message for a bad value, 409 when this person may no
    longer score the candidate or the answer was saved elsewhere first (with it as it now is)."""
    data, candidate, _declaration, _submitted, refusal = _my_state(vacancy, candidate_id)
    criterion = found(next((c for c in data.criteria if c.id == criterion_id), None))
    if refusal:
        return jsonify(error=refusal), 409
    payload = request.get_json(silent=True)
    payload = payload if isinstance(payload, dict) else {}
    version = payload.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        return jsonify(error="This page is out of date. Reload it, then try again.", field="version"), 400
    existing = data.scores_of(candidate.id, current_user.id).get(criterion.id)
    try:
        row = services.save_answer(db(), current_user, vacancy, candidate, criterion,
                                   services.check_score(payload.get("score")),
                                   services.check_comment(payload.get("notes")), version, existing)
    except services.StaleScore as exc:
        return jsonify(error=exc.message, current=_answer(exc.current)), 409
    except services.ShortlistingError as exc:
        return jsonify(error=exc.message, field=exc.field), 400
    mine = {cid: s.score for cid, s in data.scores_of(candidate.id, current_user.id).items()}
    if row is not None:
        mine[criterion.id] = row.score
    infos = services.criterion_infos(data.criteria)
    scored = scoring.count_scored(infos, mine)
    return jsonify(version=row.version if row is not None else 0, saved_at=london(utcnow(), "time"),
                   scored=scored, of=len(infos), progress=f"{scored} of {len(infos)} criteria scored.")


@bp.route("/candidates/<int:candidate_id>/scores", methods=["POST"])
@vacancy_view(permissions.can_shortlist)
def save_scores(vacancy: Vacancy, candidate_id: int):
    """The whole form, as posted without JavaScript (or by its buttons)."""
    data, candidate, _declaration, _submitted, refusal = _my_state(vacancy, candidate_id)
    if refusal:
        return _candidate_page(vacancy, candidate_id, status=409, error=refusal)
    form = score_form(data.criteria)
    known = {name for _cid, score_name, comment_name in form.answer_fields for name in (score_name, comment_name)}
    if any(SCORE_FIELD_RE.match(key) and key not in known for key in request.form):
        # a score for a criterion of another vacancy, or one assessed only at interview
        return _candidate_page(vacancy, candidate_id, form=form, status=400,
                               error="That criterion is not scored at shortlisting for this vacancy. Nothing was saved.")
    if not form.validate_on_submit():
        return _candidate_page(vacancy, candidate_id, form=form, status=400)
    existing = data.scores_of(candidate.id, current_user.id)
    try:
        services.save_scores(db(), current_user, vacancy, candidate, data.criteria, form.entries(request.form), existing)
    except services.ShortlistingError as exc:
        return _candidate_page(vacancy, candidate_id, form=form, error=str(exc), status=400)
    action = request.form.get("action", "save")
    if action in ("continue", "submit"):  # on to check and submit (the one primary way forward)
        return redirect(url_for("shortlisting.submit", vacancy_id=vacancy.id, candidate_id=candidate.id))
    if action == "next":  # save and go straight to the next candidate (kept for older pages)
        flash(f"Your scores for {candidate.label} are saved.", "success")
        return _go_next(vacancy, candidate.id)
    flash(f"Your scores for {candidate.label} are saved. You can come back and finish them later.", "success")
    return redirect(url_for("shortlisting.index", vacancy_id=vacancy.id))


@bp.route("/candidates/<int:candidate_id>/submit", methods=["GET", "POST"])
@vacancy_view(permissions.can_shortlist)
def submit(vacancy: Vacancy, candidate_id: int):
    data, candidate, _declaration, _submitted, refusal = _my_state(vacancy, candidate_id)
    if refusal:
        return _candidate_page(vacancy, candidate_id, status=409, error=refusal)
    existing = data.scores_of(candidate.id, current_user.id)
    infos = services.criterion_infos(data.criteria)
    complete = scoring.is_complete(infos, {cid: s.score for cid, s in existing.items()})
    form = SubmitForm()
    error = None
    if form.validate_on_submit():
        try:
            services.submit_scores(db(), current_user, vacancy, candidate, data.criteria, existing)
        except services.ShortlistingError as exc:
            error = str(exc)
        else:
            flash(f"Your scores for {candidate.label} are submitted. You can now see other panel members' "
                  "scores for this candidate as they submit theirs.", "success")
            return _go_next(vacancy, candidate.id)
    candidate_url = url_for("shortlisting.candidate", vacancy_id=vacancy.id, candidate_id=candidate.id)
    items = [{"label": f"Criterion {c.position}: {c.text}",
              "score": scoring.score_text(s.score if (s := existing.get(c.id)) else None),
              "notes": s.comment if s else "", "change_url": f"{candidate_url}#criterion-{c.id}",
              "change_hidden": f"your score for criterion {c.position}"} for c in data.criteria]
    index_url = url_for("shortlisting.index", vacancy_id=vacancy.id)
    return render_template(
        "_submit_scores.html", vacancy=vacancy, title=f"Check your scores for {candidate.label} – {vacancy.reference}",
        caption=candidate.label, heading="Check your scores before you submit", back_url=candidate_url,
        back_text=f"Back to {candidate.label}", items=items, notes_empty="", blanks="required",
        unscored=[] if complete else ["criteria"], finish_url=f"{candidate_url}#scores",
        lock_heading="You cannot change your scores after you submit",
        lock_text="Once you submit, you will see the other panel members' scores for this candidate as they submit theirs.",
        submit_text="Submit my scores", form=form, error=error,
        links=[{"href": index_url, "text": "Not now: back to your candidates",
                "after": "(your scores are saved but not submitted)"} if complete else
               {"href": index_url, "text": "Back to your candidates"}]), (400 if error or form.errors else 200)
