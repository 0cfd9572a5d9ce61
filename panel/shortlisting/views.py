"""Shortlisting: each panel member scores anonymised applications on their own, the chair
moderates, HR and the chair follow progress and export the results."""
from __future__ import annotations

import re

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import audit, csvexport, permissions
from panel.db import db, utcnow
from panel.forms import field_error
from panel.models import Candidate, ShortlistOutcome, Vacancy
from panel.shortlisting import queries, scoring, services
from panel.shortlisting.forms import ConflictForm, DecisionForm, SubmitForm, score_form
from panel.templating import london
from panel.uploads import safe_download_name
from panel.vacancies.queries import vacancy_with_everything

SCORE_FIELD_RE = re.compile(r"^(?:score|comment)_\d+$")

bp = Blueprint("shortlisting", __name__, url_prefix="/vacancies/<int:vacancy_id>/shortlisting")


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.app_template_global()
def shortlisting_score_text(score: int | None) -> str:
    return scoring.score_text(score)


def _vacancy(vacancy_id: int, predicate) -> Vacancy:
    vacancy = vacancy_with_everything(vacancy_id)
    if vacancy is None or not predicate(current_user, vacancy):
        abort(404)
    return vacancy


def _candidate(data: queries.ShortlistingData, candidate_id: int) -> Candidate:
    candidate = data.candidate(candidate_id)
    if candidate is None:
        abort(404)
    return candidate


# --- the panel member's own list ------------------------------------------------

@bp.route("")
def index(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_shortlisting)
    mine = None
    if permissions.can_shortlist(current_user, vacancy):
        data = queries.load(vacancy, user_id=current_user.id, decisions=False)
        mine = services.my_progress(data, current_user)
    return render_template(
        "shortlisting/index.html", vacancy=vacancy, mine=mine,
        criteria_count=sum(1 for c in vacancy.criteria if c.at_application),
        membership=permissions.panel_membership(current_user, vacancy),
        can_progress=permissions.can_view_shortlisting_progress(current_user, vacancy),
        can_moderate=permissions.can_view_moderation(current_user, vacancy),
        can_export=permissions.can_export_shortlisting(current_user, vacancy),
        can_candidates=permissions.can_view_candidates(current_user, vacancy),
    )


def _candidate_page(vacancy: Vacancy, candidate_id: int, *, conflict_form=None, form=None, error=None, status=200):
    data = queries.load(vacancy, candidate_id=candidate_id, evidence=True, decisions=False)
    candidate = _candidate(data, candidate_id)
    mine_data = queries.load(vacancy, user_id=current_user.id, decisions=False)
    progress = services.my_progress(mine_data, current_user)
    declaration = data.declaration(candidate.id, current_user.id)
    submitted = data.submitted(candidate.id, current_user.id)
    stepped_aside = permissions.has_stepped_aside(declaration)
    my_scores = data.scores_of(candidate.id, current_user.id)
    result = services.moderate(data, candidate)
    can_score = permissions.can_score_candidate(current_user, vacancy, candidate, declaration, submitted)
    show_others = permissions.can_see_scores_of_others(current_user, vacancy, permissions.SHORTLISTING, submitted=submitted,
                                                       stepped_aside=stepped_aside, all_in=result.all_in)
    if form is None and can_score:
        form = score_form(data.criteria, data={**{f"score_{cid}": (str(s.score) if s.score is not None else None)
                                                  for cid, s in my_scores.items()},
                                               **{f"comment_{cid}": s.comment for cid, s in my_scores.items()}})
    evidence = {e.criterion_id: e.text for e in candidate.evidence}
    users = {m.user_id: m.user for m in vacancy.panel_members}
    return render_template(
        "shortlisting/candidate.html", vacancy=vacancy, candidate=candidate, criteria=data.criteria,
        evidence=evidence, declaration=declaration, submitted=submitted, stepped_aside=stepped_aside,
        can_declare=permissions.can_declare_conflict(current_user, vacancy, candidate, declaration, submitted),
        can_score=can_score, form=form, conflict_form=conflict_form or ConflictForm(),
        my_scores=my_scores, others=result if show_others else None, all_in=result.all_in, users=users,
        comments=services.comments_of(data, result) if show_others else {},
        me=current_user.id,
        progress=progress, position=progress.position(candidate.id), scale=scoring.SCALE,
        scale_hints=scoring.SCALE_HINTS, error=error,
        can_read=permissions.can_read_application(current_user, vacancy, candidate, declaration),
        readonly_reason=None if can_score else services.why_not_scoring(vacancy, candidate, declaration, submitted),
    ), status


@bp.route("/candidates/<int:candidate_id>")
def candidate(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_shortlist)
    return _candidate_page(vacancy, candidate_id)


def _my_state(vacancy: Vacancy, candidate_id: int):
    data = queries.load(vacancy, user_id=current_user.id, candidate_id=candidate_id, decisions=False)
    candidate = _candidate(data, candidate_id)
    return data, candidate, data.declaration(candidate.id, current_user.id), data.submitted(candidate.id, current_user.id)


@bp.route("/candidates/<int:candidate_id>/conflict", methods=["POST"])
def conflict(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_shortlist)
    data, candidate, declaration, submitted = _my_state(vacancy, candidate_id)
    if not permissions.can_declare_conflict(current_user, vacancy, candidate, declaration, submitted):
        return _candidate_page(vacancy, candidate_id, status=409,
                               error=services.why_not_scoring(vacancy, candidate, declaration, submitted))
    form = ConflictForm()
    if not form.validate_on_submit():
        return _candidate_page(vacancy, candidate_id, conflict_form=form, status=400)
    knows = form.knows.data == "yes"
    try:
        services.declare_conflict(db(), current_user, vacancy, candidate, knows, declaration, submitted,
                                  data.scores_of(candidate.id, current_user.id))
    except services.ShortlistingError as exc:
        return _candidate_page(vacancy, candidate_id, error=str(exc), status=409)
    if knows:
        flash(f"You have stepped aside from {candidate.label}. You will not score this candidate.", "success")
        return _go_next(vacancy, candidate.id)
    return redirect(url_for("shortlisting.candidate", vacancy_id=vacancy.id, candidate_id=candidate.id,
                            _anchor="scores"))


def _go_next(vacancy: Vacancy, candidate_id: int | None):
    data = queries.load(vacancy, user_id=current_user.id, decisions=False)
    nxt = services.my_progress(data, current_user).next_after(candidate_id)
    if nxt is None:
        return redirect(url_for("shortlisting.index", vacancy_id=vacancy.id))
    return redirect(url_for("shortlisting.candidate", vacancy_id=vacancy.id, candidate_id=nxt.id))


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


@bp.route("/candidates/<int:candidate_id>/scores", methods=["POST"])
def save_scores(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_shortlist)
    data, candidate, declaration, submitted = _my_state(vacancy, candidate_id)
    if not permissions.can_score_candidate(current_user, vacancy, candidate, declaration, submitted):
        reason = services.why_not_scoring(vacancy, candidate, declaration, submitted)
        if _wants_json():
            return {"saved": False, "error": reason}, 409
        return _candidate_page(vacancy, candidate_id, error=reason, status=409)
    form = score_form(data.criteria)
    known = {name for _cid, score_name, comment_name in form.criterion_fields for name in (score_name, comment_name)}
    if any(SCORE_FIELD_RE.match(key) and key not in known for key in request.form):
        # a score for a criterion of another vacancy, or one assessed only at interview
        reason = "That criterion is not scored at shortlisting for this vacancy. Nothing was saved."
        if _wants_json():
            return {"saved": False, "error": reason}, 400
        return _candidate_page(vacancy, candidate_id, form=form, error=reason, status=400)
    if not form.validate_on_submit():
        if _wants_json():
            return {"saved": False, "error": "Some answers could not be saved. Use the save button to see why."}, 400
        return _candidate_page(vacancy, candidate_id, form=form)
    existing = data.scores_of(candidate.id, current_user.id)
    try:
        services.save_scores(db(), current_user, vacancy, candidate, data.criteria, form.entries(request.form), existing)
    except services.ShortlistingError as exc:
        if _wants_json():
            return {"saved": False, "error": str(exc)}, 400
        return _candidate_page(vacancy, candidate_id, form=form, error=str(exc), status=400)
    infos = services.criterion_infos(data.criteria)
    scored = scoring.count_scored(infos, {cid: s.score for cid, s in existing.items()})
    if _wants_json():

        return {"saved": True, "scored": scored, "of": len(infos), "time": london(utcnow(), "time")}
    action = request.form.get("action", "save")
    if action in ("continue", "submit"):  # on to check and submit (the one primary way forward)
        return redirect(url_for("shortlisting.submit", vacancy_id=vacancy.id, candidate_id=candidate.id))
    if action == "next":  # save and go straight to the next candidate (kept for older pages)
        flash(f"Your scores for {candidate.label} are saved.", "success")
        return _go_next(vacancy, candidate.id)
    flash(f"Your scores for {candidate.label} are saved. You can come back and finish them later.", "success")
    return redirect(url_for("shortlisting.index", vacancy_id=vacancy.id))


@bp.route("/candidates/<int:candidate_id>/submit", methods=["GET", "POST"])
def submit(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_shortlist)
    data, candidate, declaration, submitted = _my_state(vacancy, candidate_id)
    if not permissions.can_score_candidate(current_user, vacancy, candidate, declaration, submitted):
        return _candidate_page(vacancy, candidate_id, status=409,
                               error=services.why_not_scoring(vacancy, candidate, declaration, submitted))
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


# --- progress, moderation and export (HR and the chair) ------------------------------

@bp.route("/progress")
def progress(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_shortlisting_progress)
    data = queries.load(vacancy, decisions=False)
    members, per_candidate = services.progress(data)
    live = [c for c in data.candidates if not c.is_withdrawn]
    return render_template("shortlisting/progress.html", vacancy=vacancy, members=members,
                           per_candidate=per_candidate, candidates=live,
                           withdrawn=len(data.candidates) - len(live),
                           identity=permissions.can_see_candidate_identity(current_user, vacancy))


def _visible_results(vacancy: Vacancy, data: queries.ShortlistingData):
    """The ranked results, each with whether this user may see its scores."""
    results = services.moderate_all(data)
    visible = {}
    for r in results:
        declaration = data.declaration(r.candidate_id, current_user.id)
        visible[r.candidate_id] = permissions.can_see_scores_of_others(
            current_user, vacancy, permissions.SHORTLISTING, submitted=data.submitted(r.candidate_id, current_user.id),
            stepped_aside=permissions.has_stepped_aside(declaration), all_in=r.all_in)
    return results, visible


@bp.route("/moderation")
def moderation(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_moderation)
    data = queries.load(vacancy)
    results, visible = _visible_results(vacancy, data)
    withdrawn = [c for c in data.candidates if c.is_withdrawn]
    return render_template("shortlisting/moderation.html", vacancy=vacancy, results=results, visible=visible,
                           candidates={c.id: c for c in data.candidates}, withdrawn=withdrawn,
                           can_decide=permissions.can_moderate_shortlist(current_user, vacancy),
                           identity=permissions.can_see_candidate_identity(current_user, vacancy),
                           can_export=permissions.can_export_shortlisting(current_user, vacancy),
                           decided=sum(1 for c in data.candidates if c.decision and not c.is_withdrawn),
                           live=len(data.candidates) - len(withdrawn))


@bp.route("/moderation/<int:candidate_id>", methods=["GET", "POST"])
def moderate(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_moderation)
    data = queries.load(vacancy, candidate_id=candidate_id)
    candidate = _candidate(data, candidate_id)
    result = services.moderate(data, candidate)
    declaration = data.declaration(candidate.id, current_user.id)
    visible = permissions.can_see_scores_of_others(
        current_user, vacancy, permissions.SHORTLISTING, submitted=data.submitted(candidate.id, current_user.id),
        stepped_aside=permissions.has_stepped_aside(declaration), all_in=result.all_in)
    can_decide = permissions.can_moderate_shortlist(current_user, vacancy)
    decision = candidate.decision
    form = DecisionForm(data=None if request.method == "POST" else {
        "outcome": decision.outcome.value if decision else None, "reason": decision.reason if decision else "",
        "version": str(decision.version) if decision else ""})
    error = None
    status = 200
    if request.method == "POST":
        permissions.require(can_decide)
        status = 400  # unless saved (a redirect) or refused for the state of things (409)
        if form.validate_on_submit():
            try:
                expected = int(form.version.data) if (form.version.data or "").isdigit() else None
                services.record_decision(db(), current_user, vacancy, candidate, result,
                                         ShortlistOutcome(form.outcome.data), form.reason.data, expected)
            except services.StaleDecisionError as exc:
                error = str(exc)
                db().rollback()  # nothing is saved; show the decision as it is now
                data = queries.load(vacancy, candidate_id=candidate_id)
                candidate = _candidate(data, candidate_id)
                result = services.moderate(data, candidate)
                decision = candidate.decision
                form.version.data = str(decision.version) if decision else ""
                status = 409
            except services.ShortlistingError as exc:
                error = field_error(form, exc)
                status = 409 if error else 400  # a refusal for the vacancy's state, or bad input on a field
            else:
                flash(f"Decision for {candidate.label} saved: {ShortlistOutcome(form.outcome.data).label}.", "success")
                return redirect(url_for("shortlisting.moderation", vacancy_id=vacancy.id,
                                        _anchor=f"candidate-{candidate.id}"))
    users = {m.user_id: m.user for m in vacancy.panel_members}
    return render_template("shortlisting/moderate.html", vacancy=vacancy, candidate=candidate, result=result,
                           visible=visible, can_decide=can_decide, form=form, error=error, users=users,
                           decision=decision, scale=scoring.SCALE,
                           comments=services.comments_of(data, result) if visible else {},
                           identity=permissions.can_see_candidate_identity(current_user, vacancy)), status


@bp.route("/export.csv")
def export(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_export_shortlisting)
    data = queries.load(vacancy)
    results, visible = _visible_results(vacancy, data)
    users = {m.user_id: m.user for m in vacancy.panel_members}
    rows = services.export_rows(data, [r for r in results if visible[r.candidate_id]],
                                identity=permissions.can_see_candidate_identity(current_user, vacancy), users=users,
                                contact=permissions.can_see_candidate_contact_details(current_user, vacancy))
    name = safe_download_name(f"{vacancy.reference} shortlisting").removesuffix(".pdf") + ".csv"

    audit.record(db(), current_user, "download", entity_type="export", vacancy_id=vacancy.id,
                 summary=f"Shortlisting export (CSV) for {vacancy.reference} downloaded")
    return Response(csvexport.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


# Sharing the reading: registers on bp.
from panel.shortlisting import allocation_views  # noqa: E402,F401
