"""Interview scoring, results, outcomes, sign-off, feedback and export.

Routes live under /vacancies/<vacancy_id>/interviews, /results and /feedback. Each view
checks one predicate from panel.permissions on the vacancy (404 otherwise), checks that
the candidate and question belong to it, calls a service and redirects.
"""
from __future__ import annotations

from flask import (Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request,
                   send_from_directory, url_for)
from flask_login import current_user, login_required

from panel import csvexport, permissions
from panel.db import db
from panel.models import Candidate, Outcome, PlanQuestion, User, Vacancy
from panel.scorecore import format_score
from panel.scoring import feedback as fb
from panel.scoring import queries, services
from panel.scoring.forms import (
    ConfirmForm,
    FeedbackForm,
    ModerateForm,
    OutcomeForm,
    ReopenForm,
    ScoresForm,
    SignOffForm,
    SubmitForm,
    read_answers,
)
from panel.templating import london
from panel.uploads import safe_download_name
from panel.vacancies.queries import vacancy_with_everything

bp = Blueprint("scoring", __name__, url_prefix="/vacancies")

PUBLIC_ENDPOINTS = {"scoring.offline_worker"}


@bp.before_request
def _signed_in():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return login_required(lambda: None)()


@bp.app_template_global("format_score")
def _format_score(value):
    return format_score(value)


@bp.app_template_global("interview_outcomes_for")
def interview_outcomes_for(vacancy: Vacancy) -> dict | None:
    """For a closed vacancy, the outcome of the interviews, for the people who took part
    (the panel and HR). None when there is nothing to show this user."""
    if not vacancy.stage.finished or not permissions.can_view_interviews(current_user, vacancy):
        return None
    signoff = queries.signoff(vacancy)
    return {"candidates": queries.closed_vacancy_outcomes(vacancy), "signoff": signoff,
            "names": permissions.can_see_candidate_identity(current_user, vacancy)}


def _vacancy(vacancy_id: int, predicate=permissions.can_view_interviews, *, lean: bool = False) -> Vacancy:
    vacancy = queries.vacancy_for_saving(vacancy_id) if lean else vacancy_with_everything(vacancy_id)
    if vacancy is None or not predicate(current_user, vacancy):
        abort(404)
    return vacancy


def _candidate(vacancy: Vacancy, candidate_id: int) -> Candidate:
    candidate = queries.interviewed_candidate(vacancy, candidate_id)
    if candidate is None:
        abort(404)
    return candidate


def _question(questions: list[PlanQuestion], question_id: int) -> PlanQuestion:
    question = next((q for q in questions if q.id == question_id), None)
    if question is None:
        abort(404)
    return question


def _member_user(vacancy: Vacancy, user_id: int) -> User:
    member = permissions.member_of(vacancy, user_id)
    if member is None:
        abort(404)
    return member.user


def _results_page(vacancy: Vacancy) -> services.ResultsPage:
    data = queries.everything(vacancy)
    if permissions.is_on_panel(current_user, vacancy):
        visible = permissions.interview_submitted_candidate_ids(current_user, vacancy)
    elif permissions.is_hr(current_user):
        visible = {c.id for c in data.candidates}
    else:
        visible = set()
    return services.build_results(vacancy, data, visible)


def _require_candidate_results(vacancy: Vacancy, candidate: Candidate) -> None:
    permissions.require(permissions.can_view_results(current_user, vacancy, candidate))


# --- the list of interviews -------------------------------------------------------

@bp.route("/<int:vacancy_id>/interviews")
def interviews(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_vacancy)
    if not permissions.interviews_started(vacancy):
        return render_template("scoring/not_started.html", vacancy=vacancy)
    page = _results_page(vacancy)
    me = current_user.id
    mine = {}
    for c in page.data.candidates:
        if me in page.data.stepped_aside.get(c.id, set()):
            mine[c.id] = ("stepped aside", "You stepped aside")
        elif me in page.submitted.get(c.id, set()):
            mine[c.id] = ("submitted", "Submitted")
        else:
            n = sum(1 for q in page.data.questions
                    if (row := page.scores_by_key.get((c.id, q.id, me))) is not None and row.score is not None)
            mine[c.id] = ("started", f"{n} of {len(page.data.questions)} scored") if n else ("not started", "Not started")
    return render_template(
        "scoring/index.html", vacancy=vacancy, page=page, mine=mine,
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
    autosave_urls = {q.id: (url_for("scoring.paper_save_answer", vacancy_id=vacancy.id, candidate_id=candidate.id,
                                    user_id=member.id, question_id=q.id) if paper else
                            url_for("scoring.save_answer", vacancy_id=vacancy.id, candidate_id=candidate.id,
                                    question_id=q.id)) for q in questions}
    return render_template(
        "scoring/score.html", vacancy=vacancy, candidate=candidate, member=member, paper=paper, questions=questions,
        scale=scale, rows=rows, values=values, errors=errors, form=form, locked=locked, submission=submission,
        read_only=read_only, autosave_urls=autosave_urls, show_name=permissions.can_see_candidate_identity(current_user, vacancy),
        can_see_results=permissions.can_view_results(current_user, vacancy, candidate),
    ), status


def _redirect_to_scoring(vacancy, candidate, member, paper):
    if paper:
        return redirect(url_for("scoring.paper", vacancy_id=vacancy.id, candidate_id=candidate.id, user_id=member.id))
    return redirect(url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))


def _submit_url(vacancy, candidate, member, paper) -> str:
    if paper:
        return url_for("scoring.paper_submit", vacancy_id=vacancy.id, candidate_id=candidate.id, user_id=member.id)
    return url_for("scoring.submit", vacancy_id=vacancy.id, candidate_id=candidate.id)


def _own_scoring_vacancy(vacancy_id: int) -> Vacancy:
    """A panel member's own scoring pages: while interviewing (read-only once closed)."""
    return _vacancy(vacancy_id, lambda u, v: permissions.is_on_panel(u, v) and permissions.interviews_started(v))


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/score", methods=["GET", "POST"])
def score(vacancy_id: int, candidate_id: int):
    vacancy = _own_scoring_vacancy(vacancy_id)
    candidate = _candidate(vacancy, candidate_id)
    return _scoring_page(vacancy, candidate, current_user, paper=False)


def _save_answer(vacancy: Vacancy, candidate: Candidate, member: User, question_id: int, paper: bool):
    question = queries.plan_question(vacancy, question_id)
    if question is None:
        abort(404)
    payload = request.get_json(silent=True) if request.is_json else None
    source = payload if isinstance(payload, dict) else request.form
    try:
        base = source.get("version")
        base_version = int(base) if base not in (None, "") else None
    except (TypeError, ValueError):
        base_version = None
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
def save_answer(vacancy_id: int, candidate_id: int, question_id: int):
    """Save one answer as it is typed (the scoring page's script); JSON in and out."""
    vacancy = _vacancy(vacancy_id, permissions.can_score_interview, lean=True)
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
def submit(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_score_interview)
    candidate = _candidate(vacancy, candidate_id)
    return _submit_page(vacancy, candidate, current_user, paper=False)


# --- paper score sheets -----------------------------------------------------------------

def _paper_guard(vacancy: Vacancy, candidate: Candidate, user_id: int):
    member = _member_user(vacancy, user_id)
    if member.id == current_user.id:
        return member, redirect(url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))
    if permissions.is_on_panel(current_user, vacancy) and not permissions.can_view_results(current_user, vacancy, candidate):
        flash(f"Submit your own scores for {candidate.label} first. Then you can type in other panel members' "
              "paper score sheets for them.", "info")
        return member, redirect(url_for("scoring.score", vacancy_id=vacancy.id, candidate_id=candidate.id))
    return member, None


def _paper_sheet(vacancy_id: int, candidate_id: int, user_id: int, *, lean: bool = False):
    """(vacancy, candidate, panel member, redirect or None) for a paper score sheet's routes."""
    vacancy = _vacancy(vacancy_id, permissions.can_enter_paper_scores, lean=lean)
    candidate = _candidate(vacancy, candidate_id)
    member, response = _paper_guard(vacancy, candidate, user_id)
    return vacancy, candidate, member, response


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>", methods=["GET", "POST"])
def paper(vacancy_id: int, candidate_id: int, user_id: int):
    """The chair or HR types in a panel member's paper score sheet."""
    vacancy, candidate, member, response = _paper_sheet(vacancy_id, candidate_id, user_id)
    return response or _scoring_page(vacancy, candidate, member, paper=True)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>/score/<int:question_id>", methods=["POST"])
def paper_save_answer(vacancy_id: int, candidate_id: int, user_id: int, question_id: int):
    vacancy, candidate, member, response = _paper_sheet(vacancy_id, candidate_id, user_id, lean=True)
    if response is not None:
        return jsonify(error="You cannot enter these scores."), 409
    return _save_answer(vacancy, candidate, member, question_id, paper=True)


@bp.route("/<int:vacancy_id>/interviews/<int:candidate_id>/paper/<int:user_id>/submit", methods=["GET", "POST"])
def paper_submit(vacancy_id: int, candidate_id: int, user_id: int):
    vacancy, candidate, member, response = _paper_sheet(vacancy_id, candidate_id, user_id)
    return response or _submit_page(vacancy, candidate, member, paper=True)


# --- results ------------------------------------------------------------------------------

@bp.route("/<int:vacancy_id>/results")
def results(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, lambda u, v: permissions.can_view_results(u, v))
    page = _results_page(vacancy)
    return render_template("scoring/results.html", vacancy=vacancy, page=page,
                           can_sign_off=permissions.can_sign_off(current_user, vacancy),
                           can_reopen=permissions.can_reopen(current_user, vacancy),
                           can_export=permissions.can_export_interviews(current_user, vacancy),
                           can_feedback=permissions.can_view_feedback(current_user, vacancy),
                           show_names=permissions.can_see_candidate_identity(current_user, vacancy))


@bp.route("/<int:vacancy_id>/results/<int:candidate_id>")
def candidate_results(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id)
    candidate = _candidate(vacancy, candidate_id)
    _require_candidate_results(vacancy, candidate)
    page = _results_page(vacancy)
    return render_template("scoring/candidate.html", vacancy=vacancy, candidate=candidate, page=page,
                           result=page.results[candidate.id],
                           can_moderate=permissions.can_moderate_scores(current_user, vacancy) and not page.signed_off,
                           can_outcome=permissions.can_record_outcome(current_user, vacancy) and not page.signed_off,
                           can_feedback=permissions.can_view_feedback(current_user, vacancy))


@bp.route("/<int:vacancy_id>/results/<int:candidate_id>/moderate/<int:question_id>", methods=["GET", "POST"])
def moderate(vacancy_id: int, candidate_id: int, question_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_moderate_scores)
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
            if exc.field:
                getattr(form, exc.field).errors = [exc.message]
            else:
                error = exc.message
        else:
            flash(f"Agreed score saved for question {question.position}. The panel's own scores are kept beside it.", "success")
            return redirect(url_for("scoring.candidate_results", vacancy_id=vacancy.id, candidate_id=candidate.id,
                                    _anchor=f"question-{question.id}"))
    bad = request.method == "POST"
    return render_template("scoring/moderate.html", vacancy=vacancy, candidate=candidate, page=page, question=question,
                           qresult=qresult, form=form, error=error), (400 if bad else 200)


@bp.route("/<int:vacancy_id>/results/<int:candidate_id>/outcome", methods=["GET", "POST"])
def outcome(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_record_outcome)
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
        except services.OutcomeConflict as exc:
            db().rollback()
            vacancy = vacancy_with_everything(vacancy_id)
            candidate = _candidate(vacancy, candidate_id)
            current = queries.outcome(candidate)
            error = exc.message
            form.version.data = current.version if current else 0
            status = 409
        except services.ScoringError as exc:
            if exc.field:
                getattr(form, exc.field).errors = [exc.message]
            else:
                error = exc.message
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
def sign_off(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_sign_off)
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
            if exc.field:
                getattr(form, exc.field).errors = [exc.message]
            else:
                error = exc.message
        else:
            flash("The interview results are signed off. Scores, notes and outcomes can no longer change.", "success")
            return redirect(url_for("scoring.results", vacancy_id=vacancy.id))
    return render_template("scoring/sign_off.html", vacancy=vacancy, page=page, form=form, error=error,
                           problems=services.sign_off_problems(page), not_submitted=services.not_submitted(page)), \
        (400 if request.method == "POST" else 200)


@bp.route("/<int:vacancy_id>/results/reopen", methods=["GET", "POST"])
def reopen(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_reopen)
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
def feedback_index(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_feedback)
    page = _results_page(vacancy)
    return render_template("scoring/feedback_index.html", vacancy=vacancy, page=page,
                           feedback=queries.feedback(vacancy))


def _feedback_candidate(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_view_feedback)
    candidate = _candidate(vacancy, candidate_id)
    _require_candidate_results(vacancy, candidate)
    return vacancy, candidate


@bp.route("/<int:vacancy_id>/feedback/<int:candidate_id>", methods=["GET", "POST"])
def feedback(vacancy_id: int, candidate_id: int):
    vacancy, candidate = _feedback_candidate(vacancy_id, candidate_id)
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
            except services.ScoringError as exc:
                db().rollback()
                form.text.errors = [exc.message]
                vacancy, candidate = _feedback_candidate(vacancy_id, candidate_id)
                page = _results_page(vacancy)
                saved = queries.feedback(vacancy).get(candidate.id)
                status = 409
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
                           send_form=ConfirmForm()), status


@bp.route("/<int:vacancy_id>/feedback/<int:candidate_id>/send", methods=["POST"])
def feedback_send(vacancy_id: int, candidate_id: int):
    vacancy, candidate = _feedback_candidate(vacancy_id, candidate_id)
    permissions.require(permissions.can_send_feedback(current_user, vacancy))
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
    flash(f"Feedback emailed to {candidate.label} ({candidate.full_name}).", "success")
    return back


@bp.route("/<int:vacancy_id>/feedback/<int:candidate_id>/download")
def feedback_download(vacancy_id: int, candidate_id: int):
    vacancy, candidate = _feedback_candidate(vacancy_id, candidate_id)
    page = _results_page(vacancy)
    saved = queries.feedback(vacancy).get(candidate.id)
    draft, scores = _feedback_parts(vacancy, candidate, page)
    text = fb.document(saved.text if saved else draft, saved.include_scores if saved else False, scores)
    name = safe_download_name(f"{vacancy.reference} feedback {candidate.label}")
    name = name.rsplit(".", 1)[0] if name.lower().endswith(".pdf") else name
    from panel import audit

    audit.record(db(), current_user, "download", entity_type="feedback", vacancy_id=vacancy.id,
                 candidate_id=candidate.id, summary=f"Feedback for {candidate.label} downloaded")
    return Response(text, mimetype="text/plain; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}.txt"'})


# --- export and the offline helper -----------------------------------------------------------

@bp.route("/<int:vacancy_id>/interviews/export.csv")
def export(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_export_interviews)
    page = _results_page(vacancy)
    body = csvexport.to_csv(services.export_rows(page))
    from panel import audit

    audit.record(db(), current_user, "download", entity_type="export", vacancy_id=vacancy.id,
                 summary=f"Interview scores export (CSV) for {vacancy.reference} downloaded")
    return Response(body, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{vacancy.reference}-interview-scores.csv"'.replace("/", "-")})


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
    from flask_wtf.csrf import generate_csrf

    from panel.security import LIVE_COOKIE, device_secrets

    device_id, key = device_secrets(current_user.id)
    response = jsonify(id=device_id, user_id=current_user.id, key=key, csrf=generate_csrf(),
                       idle_seconds=int(current_app.config["SESSION_IDLE_MINUTES"] * 60))
    response.set_cookie(LIVE_COOKIE, device_id, path="/", samesite="Lax", httponly=False,
                        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")))
    return response
