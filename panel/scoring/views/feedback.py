"""Feedback to interviewed candidates: the chair edits a draft built from the panel's
notes, HR sends it by email or downloads it."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import audit, permissions
from panel.db import db
from panel.errors import StaleEdit
from panel.forms import STALE_EDIT_STATUS, ConfirmForm, field_error, stale_edit
from panel.loaders import vacancy_view
from panel.models import Candidate, Vacancy
from panel.notifications import queries as notification_queries
from panel.scoring import feedback as fb
from panel.scoring import queries, services
from panel.scoring.forms import FeedbackForm
from panel.uploads import safe_download_name
from panel.scoring.views import _candidate, _require_candidate_results, _results_page, bp


# --- feedback -------------------------------------------------------------------------------

def _feedback_parts(vacancy: Vacancy, candidate: Candidate, page: services.ResultsPage):
    """The draft and the scores section of a candidate's feedback (plain text)."""
    questions = [fb.FeedbackQuestion(q.id, q.position, q.text,
                                     tuple(link.criterion.text for link in q.criteria_links))
                 for q in page.data.questions]
    result = page.results.get(candidate.id)
    notes: dict[int, list[str]] = {}
    for m in page.members:
        if m.user_id not in page.submitted.get(candidate.id, set()):
            continue
        for q in page.data.questions:
            row = page.scores_by_key.get((candidate.id, q.id, m.user_id))
            if row is not None and row.notes.strip():
                notes.setdefault(q.id, []).append(row.notes)
    o = page.data.outcomes.get(candidate.id)
    scale = page.data.scale
    top, bottom = max(p.score for p in scale), min(p.score for p in scale)
    draft = fb.draft(candidate.first_name, vacancy.title, vacancy.reference, o.outcome.value if o else None,
                     questions, result, top, notes)
    return draft, fb.scores_section(questions, result, bottom, top)


@bp.route("/<int:vacancy_id>/feedback")
@vacancy_view(permissions.can_view_feedback)
def feedback_index(vacancy: Vacancy):
    page = _results_page(vacancy)
    feedback = queries.feedback(vacancy)
    return render_template("scoring/feedback_index.html", vacancy=vacancy, page=page, feedback=feedback,
                           emails=_emails(list(feedback)))


def _emails(candidate_ids: list[int]) -> dict:
    """Each candidate's newest feedback email in the outbox (whether it has gone), by candidate id."""
    return notification_queries.latest_of_kind(db(), services.FEEDBACK_KIND, candidate_ids=candidate_ids)


def _feedback_candidate(vacancy: Vacancy, candidate_id: int) -> Candidate:
    """A candidate whose results this user may read, or 404."""
    candidate = _candidate(vacancy, candidate_id)
    _require_candidate_results(vacancy, candidate)
    return candidate


@bp.route("/<int:vacancy_id>/feedback/<int:candidate_id>", methods=["GET", "POST"])
@vacancy_view(permissions.can_view_feedback)
def feedback(vacancy: Vacancy, candidate_id: int):
    candidate = _feedback_candidate(vacancy, candidate_id)
    can_edit = permissions.can_edit_feedback(current_user, vacancy)
    page = _results_page(vacancy)
    saved = queries.feedback(vacancy).get(candidate.id)
    draft, scores = _feedback_parts(vacancy, candidate, page)
    form = FeedbackForm(data=None if request.method == "POST" else
                        {"text": saved.text if saved else draft, "include_scores": saved.include_scores if saved else False,
                         "version": str(saved.version) if saved else "0"})
    status = 200
    if request.method == "POST":
        permissions.require(can_edit)
        if form.validate_on_submit():
            try:
                version = int(form.version.data or 0)
            except ValueError:
                version = -1
            try:
                services.save_feedback(db(), current_user, candidate, form.text.data, form.include_scores.data, version)
            except StaleEdit as exc:
                stale_edit(form, exc)
                page = _results_page(vacancy)
                saved = queries.feedback(vacancy).get(candidate.id)
                status = STALE_EDIT_STATUS
            except services.ScoringError as exc:
                field_error(form, exc, "text")
                status = 400
            else:
                flash(f"Feedback for {candidate.label} saved.", "success")
                return redirect(url_for("scoring.feedback", vacancy_id=vacancy.id, candidate_id=candidate.id))
        else:
            status = 400
    text = saved.text if saved else draft
    return render_template("scoring/feedback.html", vacancy=vacancy, candidate=candidate, page=page, saved=saved,
                           form=form, can_edit=can_edit, scores=scores,
                           document=fb.document(text, saved.include_scores if saved else False, scores),
                           unedited_notes=fb.has_unedited_notes(text),
                           can_send=permissions.can_send_feedback(current_user, vacancy),
                           email=_emails([candidate.id]).get(candidate.id),
                           send_form=ConfirmForm(), stale=status == STALE_EDIT_STATUS), status


@bp.route("/<int:vacancy_id>/feedback/<int:candidate_id>/send", methods=["POST"])
@vacancy_view(permissions.can_send_feedback)
def feedback_send(vacancy: Vacancy, candidate_id: int):
    candidate = _feedback_candidate(vacancy, candidate_id)
    back = redirect(url_for("scoring.feedback", vacancy_id=vacancy.id, candidate_id=candidate.id))
    if not ConfirmForm().validate_on_submit():
        return back
    saved = queries.feedback(vacancy).get(candidate.id)
    if saved is None:
        flash("The chair has not saved any feedback for this candidate yet.", "info")
        return back
    if fb.has_unedited_notes(saved.text):
        flash("The feedback still has panel notes marked for the chair to rewrite or remove. "
              "Ask the chair to finish it before it is sent.", "info")
        return back
    page = _results_page(vacancy)
    _draft, scores = _feedback_parts(vacancy, candidate, page)
    try:
        services.send_feedback(db(), current_user, vacancy, candidate, saved,
                               fb.document(saved.text, saved.include_scores, scores), page.signed_off)
    except services.ScoringError as exc:
        flash(exc.message, "info")
        return back
    flash(f"The feedback to {candidate.label} ({candidate.full_name}) is queued: it will be emailed within a minute. "
          "This page shows when it has gone.", "success")
    return back


@bp.route("/<int:vacancy_id>/feedback/<int:candidate_id>/download")
@vacancy_view(permissions.can_view_feedback)
def feedback_download(vacancy: Vacancy, candidate_id: int):
    candidate = _feedback_candidate(vacancy, candidate_id)
    page = _results_page(vacancy)
    saved = queries.feedback(vacancy).get(candidate.id)
    draft, scores = _feedback_parts(vacancy, candidate, page)
    text = fb.document(saved.text if saved else draft, saved.include_scores if saved else False, scores)
    name = safe_download_name(f"{vacancy.reference} feedback {candidate.label}")
    name = name.rsplit(".", 1)[0] if name.lower().endswith(".pdf") else name
    audit.record(db(), current_user, "download", entity_type="feedback", vacancy_id=vacancy.id,
                 candidate_id=candidate.id, summary=f"Feedback for {candidate.label} downloaded")
    return Response(text, mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.txt"'})
