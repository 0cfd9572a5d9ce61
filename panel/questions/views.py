"""The shared question bank: anyone signed in proposes; HR or a chair approves."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import permissions
from panel.converters import id_value
from panel.db import db
from panel.loaders import found, user_view
from panel.models import BankQuestion
from panel.questions import queries, services
from panel.questions.forms import BankQuestionForm, ProposeForm, ReviewForm, SearchForm

bp = Blueprint("questions", __name__, url_prefix="/questions")


@bp.before_request
@login_required
def _signed_in():
    return None


bank_reader = user_view(permissions.can_view_question_bank)


def _question(question_id: int, chaired: set[int], predicate=permissions.can_see_bank_question) -> BankQuestion:
    """The question, when it exists and the signed-in user passes the predicate; 404 otherwise."""
    question = found(queries.question_or_none(question_id))
    permissions.require(predicate(current_user, question, chaired))
    return question


@bp.route("")
@bank_reader
def index():
    form = SearchForm(request.args)
    chaired = queries.chaired_vacancy_ids(current_user)
    show_choices = queries.show_choices(current_user, chaired)
    form.show.choices = show_choices
    tags = queries.tag_choices(current_user, chaired)
    form.tag.choices = [("", "Any tag")] + [(t, t) for t in tags]
    show = request.args.get("show") or queries.SHOW_APPROVED
    if show not in {value for value, _ in show_choices}:
        show = queries.SHOW_APPROVED
    form.show.data = show
    form.validate()
    q = form.q.data if not form.q.errors else None
    category = form.category.data if not form.category.errors else None
    tag = form.tag.data if not form.tag.errors else None
    questions = queries.search(current_user, q, category, tag, show, chaired)
    return render_template(
        "questions/index.html", form=form, questions=questions, show=show,
        show_label=dict(show_choices)[show],
        usage=queries.usage_counts([question.id for question in questions]),
        vacancies=queries.vacancy_references({x.proposed_for_vacancy_id for x in questions if x.proposed_for_vacancy_id}),
        waiting=queries.waiting_count(current_user, chaired) if permissions.can_review_questions(current_user, chaired) else 0,
        filtered=bool(q or category or tag),
    )


@bp.route("/propose", methods=["GET", "POST"])
@user_view(permissions.can_propose_question)
def propose():
    vacancies = queries.vacancy_choices(current_user)
    form = ProposeForm()
    form.vacancy_id.choices = [(0, "Any vacancy")] + [(v.id, f"{v.reference} – {v.title}") for v in vacancies]
    if request.method == "GET":
        wanted = request.args.get("vacancy", type=id_value)
        if wanted and any(v.id == wanted for v in vacancies):
            form.vacancy_id.data = wanted
    if form.validate_on_submit():
        vacancy = next((v for v in vacancies if v.id == form.vacancy_id.data), None)
        question = services.propose_question(db(), current_user, services.question_data(form), vacancy)
        flash("Thank you. Your question has been sent for approval. You will be credited as the person who proposed it.",
              "success")
        return redirect(url_for("questions.show", question_id=question.id))
    return render_template("questions/form.html", form=form, question=None, vacancies=vacancies)


@bp.route("/<int:question_id>")
@bank_reader
def show(question_id: int):
    chaired = queries.chaired_vacancy_ids(current_user)
    question = _question(question_id, chaired)
    return render_template(
        "questions/show.html", question=question,
        used=queries.usage_counts([question.id]).get(question.id, 0),
        vacancy_reference=queries.vacancy_references({question.proposed_for_vacancy_id} - {None}).get(
            question.proposed_for_vacancy_id),
        can_edit=permissions.can_edit_bank_question(current_user, question, chaired),
        can_review=permissions.can_review_question(current_user, question, chaired) and question.status.waiting_for_review,
    )


@bp.route("/<int:question_id>/edit", methods=["GET", "POST"])
@bank_reader
def edit(question_id: int):
    question = _question(question_id, queries.chaired_vacancy_ids(current_user), permissions.can_edit_bank_question)
    form = BankQuestionForm(data=None if request.method == "POST" else {
        "text": question.text, "category": question.category.value, "tags": ", ".join(question.tags.split(",")) if question.tags else "",
        "guidance": question.guidance, "follow_ups": question.follow_ups, "content_note": question.content_note})
    if form.validate_on_submit():
        services.update_question(db(), current_user, question, services.question_data(form))
        flash("The question has been saved.", "success")
        return redirect(url_for("questions.show", question_id=question.id))
    return render_template("questions/form.html", form=form, question=question, vacancies=[])


@bp.route("/<int:question_id>/review", methods=["GET", "POST"])
@bank_reader
def review(question_id: int):
    question = _question(question_id, queries.chaired_vacancy_ids(current_user), permissions.can_review_question)
    form = ReviewForm()
    error = None
    if not question.status.waiting_for_review:
        flash(f"This question has already been reviewed: {question.status.label.lower()}.", "info")
        return redirect(url_for("questions.show", question_id=question.id))
    if form.validate_on_submit():
        approve = form.decision.data == "approve"
        try:
            services.review_question(db(), current_user, question, approve, form.note.data or "")
        except services.QuestionError as exc:
            error = str(exc)
        else:
            flash("The question is now in the bank, for every panel to use." if approve
                  else "The question has not been added to the bank. The person who proposed it can see your note.",
                  "success")
            return redirect(url_for("questions.index", show=queries.SHOW_WAITING))
    return render_template("questions/review.html", question=question, form=form, error=error,
                           used=queries.usage_counts([question.id]).get(question.id, 0),
                           vacancy_reference=queries.vacancy_references({question.proposed_for_vacancy_id} - {None}).get(
                               question.proposed_for_vacancy_id))
