"""Interview results: the results page, a candidate's results, moderation (agreed scores),
outcomes, signing the results off and reopening them, and the CSV export of every score."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import audit, csvexport, paging, permissions
from panel.converters import posted_number
from panel.db import db
from panel.errors import StaleEdit
from panel.forms import STALE_EDIT_STATUS, ConfirmForm, field_error, stale_edit
from panel.loaders import vacancy_view
from panel.models import Outcome, Vacancy
from panel.scoring import queries, services
from panel.scoring.forms import ModerateForm, OutcomeForm, ReopenForm, SignOffForm
from panel.scoring.views import _candidate, _question, _require_candidate_results, _results_page, bp


# --- results ------------------------------------------------------------------------------

#: Candidates on one page of the results (a vacancy can interview hundreds).
RESULTS_PAGE_SIZE = 50

@bp.route("/<int:vacancy_id>/results")
@vacancy_view(permissions.can_view_results)
def results(vacancy: Vacancy):
    page = _results_page(vacancy)
    # best first (when ranks show), RESULTS_PAGE_SIZE a page: a vacancy can interview hundreds
    order = page.ranked if page.ranks_visible else page.data.candidates
    listing = paging.page_of(order, posted_number(request.args.get("page"), 1) or 1, RESULTS_PAGE_SIZE)
    return render_template("scoring/results.html", vacancy=vacancy, page=page, listing=listing,
                           can_sign_off=permissions.can_sign_off(current_user, vacancy),
                           can_reopen=permissions.can_reopen(current_user, vacancy),
                           can_export=permissions.can_export_interviews(current_user, vacancy),
                           can_feedback=permissions.can_view_feedback(current_user, vacancy),
                           show_names=permissions.can_see_candidate_identity(current_user, vacancy))


@bp.route("/<int:vacancy_id>/results/<int:candidate_id>")
@vacancy_view(permissions.can_view_interviews)
def candidate_results(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    _require_candidate_results(vacancy, candidate)
    page = _results_page(vacancy)
    return render_template("scoring/candidate.html", vacancy=vacancy, candidate=candidate, page=page,
                           result=page.results[candidate.id],
                           can_moderate=permissions.can_moderate_scores(current_user, vacancy) and not page.signed_off,
                           can_outcome=permissions.can_record_outcome(current_user, vacancy) and not page.signed_off,
                           can_feedback=permissions.can_view_feedback(current_user, vacancy))


@bp.route("/<int:vacancy_id>/results/<int:candidate_id>/moderate/<int:question_id>", methods=["GET", "POST"])
@vacancy_view(permissions.can_moderate_scores)
def moderate(vacancy: Vacancy, candidate_id: int, question_id: int):
    candidate = _candidate(vacancy, candidate_id)
    _require_candidate_results(vacancy, candidate)
    page = _results_page(vacancy)
    question = _question(page.data.questions, question_id)
    qresult = next(q for q in page.results[candidate.id].questions if q.question_id == question.id)
    form = ModerateForm(data=None if request.method == "POST" else
                        {"score": str(qresult.moderated) if qresult.moderated is not None else None,
                         "reason": qresult.moderation_reason})
    form.score.choices = [(str(p.score), f"{p.score} – {p.label}") for p in page.data.scale]
    error = None
    if request.method == "POST" and request.form.get("remove") and ConfirmForm().validate_on_submit():
        try:
            services.moderate(db(), current_user, vacancy, candidate, question, None, "")
        except services.ScoringError as exc:
            error = exc.message
        else:
            flash(f"The agreed score for question {question.position} was removed. The panel's own scores are unchanged.", "success")
            return redirect(url_for("scoring.candidate_results", vacancy_id=vacancy.id, candidate_id=candidate.id,
                                    _anchor=f"question-{question.id}"))
    elif form.validate_on_submit():
        try:
            services.moderate(db(), current_user, vacancy, candidate, question, int(form.score.data), form.reason.data)
        except services.ScoringError as exc:
            error = field_error(form, exc)
        else:
            flash(f"Agreed score saved for question {question.position}. The panel's own scores are kept beside it.", "success")
            return redirect(url_for("scoring.candidate_results", vacancy_id=vacancy.id, candidate_id=candidate.id,
                                    _anchor=f"question-{question.id}"))
    bad = request.method == "POST"
    return render_template("scoring/moderate.html", vacancy=vacancy, candidate=candidate, page=page, question=question,
                           qresult=qresult, form=form, error=error), (400 if bad else 200)


@bp.route("/<int:vacancy_id>/results/<int:candidate_id>/outcome", methods=["GET", "POST"])
@vacancy_view(permissions.can_record_outcome)
def outcome(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    _require_candidate_results(vacancy, candidate)
    current = queries.outcome(candidate)
    form = OutcomeForm(data=None if request.method == "POST" else
                       {"outcome": current.outcome.value if current else None,
                        "rationale": current.rationale if current else "", "version": current.version if current else 0})
    error = None
    status = 200
    if form.validate_on_submit():
        try:
            services.record_outcome(db(), current_user, vacancy, candidate, Outcome(form.outcome.data),
                                    form.rationale.data, form.version.data or 0)
        except StaleEdit as exc:
            error = stale_edit(form, exc)
            current = queries.outcome(candidate)
            status = STALE_EDIT_STATUS
        except services.ScoringError as exc:
            error = field_error(form, exc)
            status = 400
        else:
            flash(f"Outcome recorded for {candidate.label}.", "success")
            return redirect(url_for("scoring.results", vacancy_id=vacancy.id))
    elif request.method == "POST":
        status = 400
    page = _results_page(vacancy)
    return render_template("scoring/outcome.html", vacancy=vacancy, candidate=candidate, page=page,
                           result=page.results[candidate.id], current=current, form=form, error=error), status


@bp.route("/<int:vacancy_id>/results/sign-off", methods=["GET", "POST"])
@vacancy_view(permissions.can_sign_off)
def sign_off(vacancy: Vacancy):
    page = _results_page(vacancy)
    if page.signed_off:
        flash("These results are already signed off.", "info")
        return redirect(url_for("scoring.results", vacancy_id=vacancy.id))
    form = SignOffForm()
    error = None
    if form.validate_on_submit():
        try:
            services.sign_off(db(), current_user, vacancy, page, form.patient_view_note.data)
        except services.ScoringError as exc:
            error = field_error(form, exc)
        else:
            flash("The interview results are signed off. Scores, notes and outcomes can no longer change.", "success")
            return redirect(url_for("scoring.results", vacancy_id=vacancy.id))
    return render_template("scoring/sign_off.html", vacancy=vacancy, page=page, form=form, error=error,
                           problems=services.sign_off_problems(page), not_submitted=services.not_submitted(page)), \
        (400 if request.method == "POST" else 200)


@bp.route("/<int:vacancy_id>/results/reopen", methods=["GET", "POST"])
@vacancy_view(permissions.can_reopen)
def reopen(vacancy: Vacancy):
    signoff = queries.signoff(vacancy)
    if not permissions.results_signed_off(signoff):
        flash("These results are not signed off, so there is nothing to reopen.", "info")
        return redirect(url_for("scoring.results", vacancy_id=vacancy.id))
    form = ReopenForm()
    if form.validate_on_submit():
        services.reopen(db(), current_user, vacancy, form.reason.data)
        flash("The interview results are reopened. The chair can change them and sign them off again.", "success")
        return redirect(url_for("scoring.results", vacancy_id=vacancy.id))
    return render_template("scoring/reopen.html", vacancy=vacancy, signoff=signoff, form=form), \
        (400 if request.method == "POST" else 200)


# --- export and the offline helper -----------------------------------------------------------

@bp.route("/<int:vacancy_id>/interviews/export.csv")
@vacancy_view(permissions.can_export_interviews)
def export(vacancy: Vacancy):
    page = _results_page(vacancy)
    body = csvexport.to_csv(services.export_rows(page))
    audit.record(db(), current_user, "download", entity_type="export", vacancy_id=vacancy.id,
                 summary=f"Interview scores export (CSV) for {vacancy.reference} downloaded")
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{vacancy.reference}-interview-scores.csv"'.replace("/", "-")})
