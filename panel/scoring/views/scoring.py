"""Interview scoring pages: the list of interviews, a panel member's scores (typed and
saved one answer at a time), submitting them, paper score sheets typed in by the chair or
HR, and the service worker and key that let a scoring page work offline."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from panel import permissions
from panel.booking import services as booking_services
from panel.converters import posted_number
from panel.db import db
from panel.involvement import gate
from panel.loaders import found, vacancy_view
from panel.models import Candidate, User, Vacancy
from panel.scoring import queries, services
from panel.scoring.forms import ScoresForm, SubmitForm, read_answers
from panel.security import LIVE_COOKIE, device_secrets
from panel.templating import london
from panel.scoring.views import _candidate, _may_see_results, _member_user, _results_page, bp


# --- the list of interviews -------------------------------------------------------

@bp.route("/<int:vacancy_id>/interviews")
@vacancy_view(permissions.can_view_vacancy)
def interviews(vacancy: Vacancy):
    if not permissions.interviews_started(vacancy):
        return render_template("scoring/not_started.html", vacancy=vacancy)
    if (asked := gate.ask_first(vacancy)) is not None:  # "Do you know any of these people?" first
        return asked
    page = _results_page(vacancy)
    return render_template(
        "scoring/index.html", vacancy=vacancy, page=page, mine=services.my_interviews(page, current_user.id),
        on_panel=permissions.is_on_panel(current_user, vacancy),
        can_score=permissions.can_score_interview(current_user, vacancy),
        can_paper=permissions.can_enter_paper_scores(current_user, vacancy),
        can_export=permissions.can_export_interviews(current_user, vacancy),
        signed_off=page.signed_off,
    )


# --- scoring ------------------------------------------------------------------------

def _locked_reason(vacancy, candidate, member, paper, signoff, submission, aside) -> str | None:
    if not vacancy.stage.scoring_open:
        return services.NOT_OPEN
    if permissions.results_signed_off(signoff):
        return services.SIGNED_OFF
    if aside:
        return (f"{member.name} stepped" if paper else "You stepped") + f" aside for {candidate.label}, so there is nothing to score."
    if submission:
        return None  # shown as "submitted" by the template
    return None


def _scoring_page(vacancy: Vacancy, candidate: Candidate, member: User, paper: bool):
    questions = queries.plan_questions(vacancy)
    scale = queries.effective_scale(vacancy)
    signoff = queries.signoff(vacancy)
    submission = queries.submission(candidate, member.id)
    aside = queries.stepped_aside(candidate, member.id)
    rows = {r.plan_question_id: r for r in queries.scores(vacancy, [candidate.id], member.id)}
    locked = _locked_reason(vacancy, candidate, member, paper, signoff, submission, aside)
    read_only = bool(locked or submission)
    form = ScoresForm()
    values = {q.id: {"score": "" if (r := rows.get(q.id)) is None or r.score is None else str(r.score),
                     "notes": r.notes if r else "", "version": r.version if r else 0} for q in questions}
    errors: dict[int, str] = {}
    status = 200
    if request.method == "POST":
        if read_only:
            flash(locked or f"These scores for {candidate.label} have been submitted, so they cannot change.", "info")
            return _redirect_to_scoring(vacancy, candidate, member, paper)
        if form.validate_on_submit():
            answers = read_answers(request.form, questions)
            parsed = {}
            for qid, answer in answers.items():
                values[qid] = {"score": answer["score"], "notes": answer["notes"],
                               "version": answer["version"] if answer["version"] is not None else values[qid]["version"]}
                try:
                    parsed[qid] = (services.check_score(answer["score"], scale), services.check_notes(answer["notes"]),
                                   answer["version"])
                except services.ScoringError as exc:
                    errors[qid] = exc.message
            if not errors:
                behind = []
                try:
                    for q in questions:
                        if q.id in parsed:
                            score, notes, version = parsed[q.id]
                            saved = services.save_score(db(), current_user, vacancy, candidate, q, member, score, notes,
                                                        version, paper=paper)
                            if saved.was_behind and saved.changed:
                                behind.append(q.position)
                except services.ScoringError as exc:
                    flash(exc.message, "info")
                    return _redirect_to_scoring(vacancy, candidate, member, paper)
                if behind:
                    flash("Some answers had been changed in another tab or on another device since you opened this "
                          f"page (question {', '.join(map(str, behind))}). What you have just saved replaced them.", "info")
                if request.form.get("action") == "submit":
                    return redirect(_submit_url(vacancy, candidate, member, paper))
                flash(f"Saved {'their' if paper else 'your'} scores for {candidate.label}.", "success")
                return _redirect_to_scoring(vacancy, candidate, member, paper)
        status = 400
    save, extra = ("scoring.paper_save_answer", {"user_id": member.id}) if paper else ("scoring.save_answer", {})
    autosave_urls = {q.id: url_for(save, vacancy_id=vacancy.id, candidate_id=candidate.id, question_id=q.id, **extra)
                     for q in questions}
    return render_template(
        "scoring/score.html", vacancy=vacancy, candidate=candidate, member=member, paper=paper, questions=questions,
        scale=scale, rows=rows, values=values, errors=errors, form=form, locked=locked, submission=submission,
        read_only=read_only, autosave_urls=autosave_urls, show_name=permissions.can_see_candidate_identity(current_user, vacancy),
        can_see_results=_may_see_results(vacancy, candidate),
        adjustments=booking_services.adjustments_for(db(), vacancy, candidate.id)), status


def _redirect_to_scoring(vacancy, candidate, member, paper):
    if paper:
        return redirect(url_for("scoring.paper", vacancy_id=vacancy.id, candidate_id=candidate.id, user_id=member.id))
    return redirect(url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))


def _submit_url(vacancy, candidate, member, paper) -> str:
    if paper:
        return url_for("scoring.paper_submit", vacancy_id=vacancy.id, candidate_id=candidate.id, user_id=member.id)
    return url_for("scoring.submit", vacancy_id=vacancy.id, candidate_id=candidate.id)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/score", methods=["GET", "POST"])
@vacancy_view(permissions.can_view_own_interview_scores)
def score(vacancy: Vacancy, candidate_id: int):
    """A panel member's own scores (read-only once submitted or closed)."""
    candidate = _candidate(vacancy, candidate_id)
    if request.method == "GET" and (asked := gate.ask_first(vacancy)) is not None:
        return asked
    return _scoring_page(vacancy, candidate, current_user, paper=False)


def _save_answer(vacancy: Vacancy, candidate: Candidate, member: User, question_id: int, paper: bool):
    question = found(queries.plan_question(vacancy, question_id))
    payload = request.get_json(silent=True) if request.is_json else None
    source = payload if isinstance(payload, dict) else request.form
    base_version = posted_number(source.get("version"))
    try:
        score_value = services.check_score(source.get("score"), queries.effective_scale(vacancy))
        notes = services.check_notes(source.get("notes") if isinstance(source.get("notes"), str) else "")
        saved = services.save_score(db(), current_user, vacancy, candidate, question, member, score_value, notes,
                                    base_version, paper=paper)
    except services.ScoringError as exc:
        return jsonify(error=exc.message, field=exc.field), (400 if exc.field else 409)
    message = ("This answer had been changed in another tab or on another device since you opened this page. "
               "What you typed here has been saved and replaced it." if saved.was_behind and saved.changed else "")
    return jsonify(version=saved.row.version, saved_at=london(saved.row.updated_at, "time"), was_behind=saved.was_behind,
                   message=message)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/score/<int:question_id>", methods=["POST"])
@vacancy_view(permissions.can_score_interview, load=queries.vacancy_for_saving)
def save_answer(vacancy: Vacancy, candidate_id: int, question_id: int):
    """Save one answer as it is typed (the scoring page's script); JSON in and out."""
    candidate = _candidate(vacancy, candidate_id)
    return _save_answer(vacancy, candidate, current_user, question_id, paper=False)


def _submit_page(vacancy: Vacancy, candidate: Candidate, member: User, paper: bool):
    if queries.submission(candidate, member.id):
        flash(f"{'Their' if paper else 'Your'} scores for {candidate.label} are already submitted.", "info")
        return _redirect_to_scoring(vacancy, candidate, member, paper)
    questions = queries.plan_questions(vacancy)
    rows = queries.scores(vacancy, [candidate.id], member.id)
    unscored = services.unscored_questions(questions, rows)
    form = SubmitForm()
    error = None
    if form.validate_on_submit():
        if unscored and not form.confirm_blank.data:
            form.confirm_blank.errors = [f"{len(unscored)} question{'s have' if len(unscored) > 1 else ' has'} no score. "
                                         "Tick the box to submit anyway, or go back and add the scores"]
        else:
            try:
                services.submit_scores(db(), current_user, vacancy, candidate, member, paper=paper)
            except services.ScoringError as exc:
                error = exc.message
            else:
                if paper:
                    flash(f"{member.name}'s paper scores for {candidate.label} are submitted, recorded as entered by you.", "success")
                    return redirect(url_for("scoring.interviews", vacancy_id=vacancy.id))
                flash(f"Your scores for {candidate.label} are submitted. You can now see the whole panel's scores for them.",
                      "success")
                return redirect(url_for("scoring.candidate_results", vacancy_id=vacancy.id, candidate_id=candidate.id))
    by_question = {r.plan_question_id: r for r in rows}
    back_url = (url_for("scoring.paper", vacancy_id=vacancy.id, candidate_id=candidate.id, user_id=member.id) if paper
                else url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))
    whose = f"{member.name}'s" if paper else "your"
    show_name = permissions.can_see_candidate_identity(current_user, vacancy)
    items = [{"label": f"Question {q.position}: {q.text}",
              "score": "No score" if (r := by_question.get(q.id)) is None or r.score is None else str(r.score),
              "notes": r.notes if r else ""} for q in questions]
    return render_template(
        "_submit_scores.html", vacancy=vacancy, title=f"Submit {whose} scores for {candidate.label}",
        caption=f"{candidate.label}: {candidate.full_name}" if show_name else candidate.label,
        heading=f"Submit {whose} scores", back_url=back_url, back_text="Back to the scores", items=items,
        notes_empty="No notes", blanks="confirm", unscored=[f"Question {q.position}" for q in unscored],
        lock_heading=f"You cannot change {'their' if paper else 'your'} scores after you submit",
        lock_text=("Once submitted they are locked." if paper else
                   f"Once submitted they are locked, and you will see the rest of the panel's scores and notes "
                   f"for {candidate.label}."),
        submit_text=f"Submit {'their' if paper else 'my'} scores", form=form, error=error,
        links=[{"href": back_url, "text": "Go back and change the scores"}]), (400 if form.errors or error else 200)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/submit", methods=["GET", "POST"])
@vacancy_view(permissions.can_score_interview)
def submit(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    return _submit_page(vacancy, candidate, current_user, paper=False)


# --- paper score sheets -----------------------------------------------------------------

def _paper_guard(vacancy: Vacancy, candidate: Candidate, user_id: int):
    member = _member_user(vacancy, user_id)
    if member.id == current_user.id:
        return member, redirect(url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))
    if permissions.is_on_panel(current_user, vacancy) and not _may_see_results(vacancy, candidate):
        flash(f"Submit your own scores for {candidate.label} first. Then you can type in other panel members' "
              "paper score sheets for them.", "info")
        return member, redirect(url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))
    return member, None


def _paper_sheet(vacancy: Vacancy, candidate_id: int, user_id: int):
    """(candidate, panel member, redirect or None) for a paper score sheet's routes."""
    candidate = _candidate(vacancy, candidate_id)
    member, response = _paper_guard(vacancy, candidate, user_id)
    return candidate, member, response


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>", methods=["GET", "POST"])
@vacancy_view(permissions.can_enter_paper_scores)
def paper(vacancy: Vacancy, candidate_id: int, user_id: int):
    """The chair or HR types in a panel member's paper score sheet."""
    candidate, member, response = _paper_sheet(vacancy, candidate_id, user_id)
    return response or _scoring_page(vacancy, candidate, member, paper=True)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>/score/<int:question_id>", methods=["POST"])
@vacancy_view(permissions.can_enter_paper_scores, load=queries.vacancy_for_saving)
def paper_save_answer(vacancy: Vacancy, candidate_id: int, user_id: int, question_id: int):
    candidate, member, response = _paper_sheet(vacancy, candidate_id, user_id)
    if response is not None:
        return jsonify(error="You cannot enter these scores."), 409
    return _save_answer(vacancy, candidate, member, question_id, paper=True)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>/submit", methods=["GET", "POST"])
@vacancy_view(permissions.can_enter_paper_scores)
def paper_submit(vacancy: Vacancy, candidate_id: int, user_id: int):
    candidate, member, response = _paper_sheet(vacancy, candidate_id, user_id)
    return response or _submit_page(vacancy, candidate, member, paper=True)


@bp.route("/interviews-offline.js")
def offline_worker():
    """The service worker that lets a scoring page reopen without a connection. It is
    served from here (not /static) so that it may look after pages under /vacancies/."""
    response = send_from_directory(current_app.static_folder, "js/scoring-sw.js", mimetype="text/javascript",
                                   max_age=0)
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"  # so it also sees signing out, and empties its cache
    return response


@bp.route("/interviews-offline-key")
def offline_key():
    """What the scoring page needs to keep answers on this device for this session only: the
    key that encrypts them, the id of this session (also set as a cookie the service worker
    checks before it reopens a page offline), how long the session lasts without activity, and
    a fresh CSRF token (so a page left open across a new sign-in can save again)."""
    device_id, key = device_secrets(current_user.id)
    response = jsonify(id=device_id, user_id=current_user.id, key=key, csrf=generate_csrf(),
                       idle_seconds=int(current_app.config["SESSION_IDLE_MINUTES"] * 60))
    response.set_cookie(LIVE_COOKIE, device_id, path="/", samesite="Lax", httponly=False,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
