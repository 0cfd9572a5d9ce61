"""The interview plan: its questions (new, from the bank, changed, moved, removed) and the scoring scale."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.involvement import queries as involvement_queries
from panel.converters import id_value
from panel.db import db
from panel.forms import ConfirmForm, field_error, refused_status
from panel.loaders import found, vacancy_view
from panel.models import PlanQuestion, Vacancy
from panel.plans import queries, services
from panel.plans.forms import PlanQuestionForm, scale_form_class
from panel.plans.views import bp, labeller
from panel.questions import queries as bank_queries
from panel.questions.forms import SearchForm


def _plan_question(vacancy: Vacancy, question_id: int, questions: list[PlanQuestion] | None = None) -> PlanQuestion:
    questions = queries.plan_questions(vacancy.id) if questions is None else questions
    return found(next((q for q in questions if q.id == question_id), None))


@bp.route("/<int:vacancy_id>/plan")
@vacancy_view(permissions.can_view_plan)
def plan(vacancy: Vacancy):
    questions = queries.plan_questions(vacancy.id)
    day = queries.interview_day(vacancy.id)
    label, _ = labeller(vacancy)
    membership = permissions.panel_membership(current_user, vacancy)
    return render_template(
        "plans/plan.html", vacancy=vacancy, questions=questions,
        can_edit=permissions.can_edit_plan(current_user, vacancy),
        my_member_id=membership.id if membership else None,
        criteria_by_id={c.id: c for c in vacancy.criteria},
        members_by_id={m.id: m for m in vacancy.panel_members},
        coverage=services.plan_coverage(vacancy, questions, day),
        interview_criteria=services.interview_criteria(vacancy),
        scale=services.scale_rows(queries.scale_levels(vacancy.id)), day=day, slots=queries.slots(vacancy.id),
        label=label, form=ConfirmForm(),
        mine_count=sum(1 for q in questions if membership and q.asker_id == membership.id),
        avoiding=(involvement_queries.avoiding_content_notes(db(), vacancy.id)
                  if permissions.can_see_asking_preferences(current_user, vacancy) else set()),
        can_set_asking_preference=permissions.can_set_asking_preference(current_user, vacancy),
    )


@bp.route("/<int:vacancy_id>/plan/bank")
@vacancy_view(permissions.can_edit_plan)
def bank(vacancy: Vacancy):
    form = SearchForm(request.args)
    form.tag.choices = [("", "Any tag")] + [(t, t) for t in bank_queries.tag_choices(current_user)]
    form.show.choices = [(bank_queries.SHOW_APPROVED, "Approved questions")]
    form.validate()
    q = form.q.data if not form.q.errors else None
    category = form.category.data if not form.category.errors else None
    tag = form.tag.data if not form.tag.errors else None
    questions = bank_queries.search(current_user, q, category, tag, bank_queries.SHOW_APPROVED)
    in_plan = {pq.bank_question_id for pq in queries.plan_questions(vacancy.id) if pq.bank_question_id}
    return render_template("plans/bank.html", vacancy=vacancy, form=form, questions=questions, in_plan=in_plan,
                           usage=bank_queries.usage_counts([x.id for x in questions]),
                           filtered=bool(q or category or tag))


def _question_form(vacancy: Vacancy, data: dict | None) -> PlanQuestionForm:
    form = PlanQuestionForm(data=None if request.method == "POST" else data)
    form.criteria.choices = [(c.id, c.text) for c in services.interview_criteria(vacancy)]
    # who would rather not ask a question with a content note (issue 17): said next to their name
    avoiding = involvement_queries.avoiding_content_notes(db(), vacancy.id)
    form.asker_id.choices = [(0, "Not decided yet")] + [
        (m.id, f"{m.user.name} ({m.panel_role.label.lower()})"
               + (" – would rather not ask a question with a content note" if m.user_id in avoiding else ""))
        for m in vacancy.panel_members]
    return form


def _question_page(vacancy: Vacancy, form: PlanQuestionForm, question, from_bank):
    return render_template("plans/question_form.html", vacancy=vacancy, form=form, question=question,
                           from_bank=from_bank, has_criteria=bool(form.criteria.choices)), refused_status(form)


def _saved(vacancy: Vacancy, question: PlanQuestion, form: PlanQuestionForm, data: dict, done: str, offer: bool):
    if offer and form.offer_to_bank.data:
        services.offer_to_bank(db(), current_user, vacancy, question, data)
        flash(f"Question {question.position} {done}, and offered to the question bank for approval.", "success")
    else:
        flash(f"Question {question.position} {done}.", "success")
    return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor=f"question-{question.id}"))


@bp.route("/<int:vacancy_id>/plan/questions/new", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def question_new(vacancy: Vacancy):
    from_bank = None
    if bank_id := request.args.get("from", type=id_value):
        from_bank = bank_queries.question_or_none(bank_id)
        permissions.require(permissions.can_use_bank_question(current_user, from_bank))
    form = _question_form(vacancy, services.new_question_form_data(vacancy, from_bank))
    if form.validate_on_submit():
        data = services.plan_question_data(form)
        try:
            question = services.add_plan_question(db(), current_user, vacancy, data, from_bank)
        except services.PlanError as exc:
            field_error(form, exc, "text")
        else:
            return _saved(vacancy, question, form, data, "added to the plan", offer=from_bank is None)
    return _question_page(vacancy, form, None, from_bank)


@bp.route("/<int:vacancy_id>/plan/questions/<int:question_id>/edit", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def question_edit(vacancy: Vacancy, question_id: int):
    question = _plan_question(vacancy, question_id)
    form = _question_form(vacancy, services.question_form_data(question))
    if form.validate_on_submit():
        data = services.plan_question_data(form)
        try:
            services.update_plan_question(db(), current_user, vacancy, question, data)
        except services.PlanError as exc:
            field_error(form, exc, "text")
        else:
            return _saved(vacancy, question, form, data, "saved", offer=question.bank_question_id is None)
    return _question_page(vacancy, form, question, None)


@bp.route("/<int:vacancy_id>/plan/questions/<int:question_id>/move", methods=["POST"])
@vacancy_view(permissions.can_edit_plan)
def question_move(vacancy: Vacancy, question_id: int):
    questions = queries.plan_questions(vacancy.id)
    question = _plan_question(vacancy, question_id, questions)
    direction = request.form.get("direction")
    if ConfirmForm().validate_on_submit() and direction in ("up", "down"):
        if services.move_plan_question(db(), current_user, vacancy, questions, question, direction):
            flash(f"Question moved {direction}. It is now question {question.position}.", "success")
    return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor=f"question-{question.id}"))


@bp.route("/<int:vacancy_id>/plan/questions/<int:question_id>/delete", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def question_delete(vacancy: Vacancy, question_id: int):
    questions = queries.plan_questions(vacancy.id)
    question = _plan_question(vacancy, question_id, questions)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            services.delete_plan_question(db(), current_user, vacancy, questions, question)
        except services.PlanError as exc:
            error = str(exc)
        else:
            flash("Question removed from the plan.", "success")
            return redirect(url_for("plans.plan", vacancy_id=vacancy.id))
    return render_template("plans/question_delete.html", vacancy=vacancy, question=question, form=form,
                           error=error), refused_status(form, error)


# --- the scale: everyone on the panel reads it (GET); the chair and HR change it (POST) ---

def _scale_form(vacancy: Vacancy):
    """The scale form (filled in with the scale's wording on a GET) and the scale's rows."""
    rows = services.scale_rows(queries.scale_levels(vacancy.id))
    data = None
    if request.method == "GET":
        data = {}
        for score, label, descriptor in rows:
            data[f"label_{score}"], data[f"descriptor_{score}"] = label, descriptor
    form = scale_form_class(rows)(data=data)
    return form, rows


def _render_scale(vacancy: Vacancy, form, rows, error: str | None = None):
    return render_template("plans/scale.html", vacancy=vacancy, form=form, rows=rows,
                           can_edit=permissions.can_edit_plan(current_user, vacancy),
                           locked=queries.scoring_started(vacancy.id), error=error), refused_status(form, error)


@bp.route("/<int:vacancy_id>/plan/scale", methods=["GET", "POST"])
@vacancy_view(permissions.can_view_plan, post=permissions.can_edit_plan)
def scale(vacancy: Vacancy):
    if request.method == "POST":
        return _scale_save(vacancy)
    return _render_scale(vacancy, *_scale_form(vacancy))


def _scale_save(vacancy: Vacancy):
    form, rows = _scale_form(vacancy)
    error = None
    if queries.scoring_started(vacancy.id):
        error = "The scoring scale cannot change now: interview scores have already been recorded with it"
    elif form.validate_on_submit():
        wording = {score: (form[f"label_{score}"].data, form[f"descriptor_{score}"].data) for score, _l, _d in rows}
        try:
            changes = services.update_scale(db(), current_user, vacancy, wording)
        except services.PlanError as exc:
            error = str(exc)
        else:
            flash("The scoring scale has been saved." if changes else "Nothing changed in the scoring scale.", "success")
            return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor="scale"))
    return _render_scale(vacancy, form, rows, error)
