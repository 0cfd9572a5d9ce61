"""A vacancy's interview plan, scoring scale, timetable and invitations to candidates.

The chair and HR edit; everyone on the panel reads the plan and timetable; only HR
sees candidates' email addresses and sends invitations."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import permissions
from panel.converters import id_value
from panel.db import db
from panel.forms import ConfirmForm, field_error
from panel.models import Candidate, InterviewSlot, PlanQuestion, Vacancy
from panel.plans import invitations as invitation_text
from panel.plans import queries, services, timetable
from panel.plans.forms import (
    DayForm,
    InvitationForm,
    InvitationTemplateForm,
    PlanQuestionForm,
    SlotForm,
    scale_form_class,
)
from panel.questions import queries as bank_queries
from panel.questions import services as bank_services
from panel.questions.forms import SearchForm
from panel.vacancies.queries import vacancy_with_everything

bp = Blueprint("plans", __name__, url_prefix="/vacancies")


@bp.before_request
@login_required
def _signed_in():
    return None


def _vacancy(vacancy_id: int, predicate=permissions.can_view_plan) -> Vacancy:
    vacancy = vacancy_with_everything(vacancy_id)
    if vacancy is None or not predicate(current_user, vacancy):
        abort(404)
    return vacancy


def _plan_question(questions: list[PlanQuestion], question_id: int) -> PlanQuestion:
    for q in questions:
        if q.id == question_id:
            return q
    abort(404)


def _labeller(vacancy: Vacancy):
    show_names = permissions.can_see_candidate_identity(current_user, vacancy)
    return (lambda c: services.candidate_label(c, show_names)), show_names


# --- the plan ------------------------------------------------------------------

@bp.route("/<int:vacancy_id>/plan")
def plan(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    questions = queries.plan_questions(vacancy.id)
    day = queries.interview_day(vacancy.id)
    slots = queries.slots(vacancy.id)
    levels = queries.scale_levels(vacancy.id)
    label, _ = _labeller(vacancy)
    membership = permissions.panel_membership(current_user, vacancy)
    can_edit = permissions.can_edit_plan(current_user, vacancy)
    return render_template(
        "plans/plan.html", vacancy=vacancy, questions=questions, can_edit=can_edit,
        my_member_id=membership.id if membership else None,
        criteria_by_id={c.id: c for c in vacancy.criteria},
        members_by_id={m.id: m for m in vacancy.panel_members},
        coverage=services.plan_coverage(vacancy, questions, day),
        interview_criteria=services.interview_criteria(vacancy),
        scale=services.scale_rows(levels), day=day, slots=slots, label=label,
        form=ConfirmForm(), mine_count=sum(1 for q in questions if membership and q.asker_id == membership.id),
    )


@bp.route("/<int:vacancy_id>/plan/bank")
def bank(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    form = SearchForm(request.args)
    form.tag.choices = [("", "Any tag")] + [(t, t) for t in bank_queries.tag_choices(current_user)]
    form.show.choices = [(bank_queries.SHOW_APPROVED, "Approved questions")]
    form.validate()
    q = form.q.data if not form.q.errors else None
    category = form.category.data if not form.category.errors else None
    tag = form.tag.data if not form.tag.errors else None
    found = bank_queries.search(current_user, q, category, tag, bank_queries.SHOW_APPROVED)
    in_plan = {pq.bank_question_id for pq in queries.plan_questions(vacancy.id) if pq.bank_question_id}
    return render_template("plans/bank.html", vacancy=vacancy, form=form, questions=found, in_plan=in_plan,
                           usage=bank_queries.usage_counts([x.id for x in found]), filtered=bool(q or category or tag))


def _setup_question_form(form: PlanQuestionForm, vacancy: Vacancy) -> None:
    form.criteria.choices = [(c.id, c.text) for c in services.interview_criteria(vacancy)]
    form.asker_id.choices = [(0, "Not decided yet")] + [
        (m.id, f"{m.user.name} ({m.panel_role.label.lower()})") for m in vacancy.panel_members]


@bp.route("/<int:vacancy_id>/plan/questions/new", methods=["GET", "POST"])
def question_new(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    from_bank = None
    bank_id = request.args.get("from", type=id_value)
    if bank_id:
        from_bank = bank_queries.question_or_none(bank_id)
        if from_bank is None or not from_bank.status.approved \
                or not permissions.can_see_bank_question(current_user, from_bank,
                                                         bank_queries.chaired_vacancy_ids(current_user)):
            abort(404)
    defaults = None
    if request.method == "GET":
        defaults = {"minutes": 5, "asker_id": 0, "criteria": []}
        if from_bank:
            defaults.update(text=from_bank.text, guidance=from_bank.guidance, follow_ups=from_bank.follow_ups,
                            content_note=from_bank.content_note,
                            criteria=[c.id for c in services.interview_criteria(vacancy) if c.category == from_bank.category])
    form = PlanQuestionForm(data=defaults)
    _setup_question_form(form, vacancy)
    if form.validate_on_submit():
        try:
            question = services.add_plan_question(db(), current_user, vacancy, services.plan_question_data(form), from_bank)
        except services.PlanError as exc:
            field_error(form, exc, "text")
        else:
            if form.offer_to_bank.data and from_bank is None:
                first = next(c for c in vacancy.criteria if c.id == services.plan_question_data(form)["criterion_ids"][0])
                bank_services.offer_plan_question(db(), current_user, question, first.category)
                flash(f"Question {question.position} added to the plan, and offered to the question bank for approval.",
                      "success")
            else:
                flash(f"Question {question.position} added to the plan.", "success")
            return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor=f"question-{question.id}"))
    return render_template("plans/question_form.html", vacancy=vacancy, form=form, question=None, from_bank=from_bank,
                           has_criteria=bool(form.criteria.choices))


@bp.route("/<int:vacancy_id>/plan/questions/<int:question_id>/edit", methods=["GET", "POST"])
def question_edit(vacancy_id: int, question_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    question = _plan_question(queries.plan_questions(vacancy.id), question_id)
    form = PlanQuestionForm(data=None if request.method == "POST" else {
        "text": question.text, "guidance": question.guidance, "follow_ups": question.follow_ups,
        "content_note": question.content_note, "minutes": question.minutes, "asker_id": question.asker_id or 0,
        "criteria": [link.criterion_id for link in question.criteria_links]})
    _setup_question_form(form, vacancy)
    if form.validate_on_submit():
        data = services.plan_question_data(form)
        try:
            services.update_plan_question(db(), current_user, vacancy, question, data)
        except services.PlanError as exc:
            field_error(form, exc, "text")
        else:
            if form.offer_to_bank.data and question.bank_question_id is None:
                first = next(c for c in vacancy.criteria if c.id == data["criterion_ids"][0])
                bank_services.offer_plan_question(db(), current_user, question, first.category)
                flash(f"Question {question.position} saved, and offered to the question bank for approval.", "success")
            else:
                flash(f"Question {question.position} saved.", "success")
            return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor=f"question-{question.id}"))
    return render_template("plans/question_form.html", vacancy=vacancy, form=form, question=question, from_bank=None,
                           has_criteria=bool(form.criteria.choices))


@bp.route("/<int:vacancy_id>/plan/questions/<int:question_id>/move", methods=["POST"])
def question_move(vacancy_id: int, question_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    questions = queries.plan_questions(vacancy.id)
    question = _plan_question(questions, question_id)
    form = ConfirmForm()
    direction = request.form.get("direction")
    if form.validate_on_submit() and direction in ("up", "down"):
        if services.move_plan_question(db(), current_user, vacancy, questions, question, direction):
            flash(f"Question moved {direction}. It is now question {question.position}.", "success")
    return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor=f"question-{question.id}"))


@bp.route("/<int:vacancy_id>/plan/questions/<int:question_id>/delete", methods=["GET", "POST"])
def question_delete(vacancy_id: int, question_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    questions = queries.plan_questions(vacancy.id)
    question = _plan_question(questions, question_id)
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
                           error=error), (400 if error else 200)


# --- the scale -------------------------------------------------------------------

@bp.route("/<int:vacancy_id>/plan/scale", methods=["GET", "POST"])
def scale(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    can_edit = permissions.can_edit_plan(current_user, vacancy)
    rows = services.scale_rows(queries.scale_levels(vacancy.id))
    locked = queries.scoring_started(vacancy.id)
    form_class = scale_form_class(rows)
    data = None
    if request.method == "GET":
        data = {}
        for score, label, descriptor in rows:
            data[f"label_{score}"], data[f"descriptor_{score}"] = label, descriptor
    form = form_class(data=data)
    error = None
    if request.method == "POST":
        permissions.require(can_edit)
        if locked:
            error = "The scoring scale cannot change now: interview scores have already been recorded with it"
        elif form.validate_on_submit():
            wording = {score: (getattr(form, f"label_{score}").data, getattr(form, f"descriptor_{score}").data)
                       for score, _l, _d in rows}
            try:
                changes = services.update_scale(db(), current_user, vacancy, wording)
            except services.PlanError as exc:
                error = str(exc)
            else:
                flash("The scoring scale has been saved." if changes else "Nothing changed in the scoring scale.", "success")
                return redirect(url_for("plans.plan", vacancy_id=vacancy.id, _anchor="scale"))
    return render_template("plans/scale.html", vacancy=vacancy, form=form, rows=rows, can_edit=can_edit,
                           locked=locked, error=error), (400 if error else 200)


# --- the timetable ----------------------------------------------------------------

@bp.route("/<int:vacancy_id>/timetable", endpoint="timetable")
def timetable_page(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    day = queries.interview_day(vacancy.id)
    slots = queries.slots(vacancy.id)
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    label, show_names = _labeller(vacancy)
    problems = services.timetable_problems(slots, day, shortlisted, label)
    problem_slots = {sid for p in problems for sid in p.slot_ids}
    can_edit = permissions.can_edit_plan(current_user, vacancy)
    unslotted = any(p.kind == "no_slot" for p in problems)
    return render_template(
        "plans/timetable.html", vacancy=vacancy, day=day, settings=services.day_settings(day), slots=slots,
        shortlisted=shortlisted, label=label, problems=problems, problem_slots=problem_slots,
        suggestions=services.fit_suggestions(day, shortlisted) if can_edit and unslotted else [],
        can_edit=can_edit,
        can_invite=permissions.can_send_invitations(current_user, vacancy), show_names=show_names,
        clock=timetable.clock, describe_breaks=timetable.describe_breaks)


@bp.route("/<int:vacancy_id>/timetable/day", methods=["GET", "POST"])
def day(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    current = queries.interview_day(vacancy.id)
    settings = services.day_settings(current)
    data = None
    if request.method == "GET":
        if settings:
            data = {"date": settings.date, "starts": f"{settings.starts:%H:%M}", "ends": f"{settings.ends:%H:%M}",
                    "slot_minutes": settings.slot_minutes, "gap_minutes": settings.gap_minutes,
                    "breaks": timetable.format_breaks(settings.breaks), "default_location": current.default_location}
        else:
            data = {"date": vacancy.interview_date, "starts": "09:30", "ends": "16:30", "slot_minutes": 45,
                    "gap_minutes": 15, "breaks": "12:30-13:15", "default_location": vacancy.interview_venue}
    form = DayForm(data=data)
    if form.validate_on_submit():
        try:
            services.save_day(db(), current_user, vacancy, form.settings(), form.default_location.data or "")
        except services.PlanError as exc:
            field_error(form, exc, "starts")
        else:
            flash("The interview day has been saved.", "success")
            if request.form.get("generate"):
                return redirect(url_for("plans.generate", vacancy_id=vacancy.id))
            return redirect(url_for("plans.timetable", vacancy_id=vacancy.id))
    return render_template("plans/day.html", vacancy=vacancy, form=form)


@bp.route("/<int:vacancy_id>/timetable/generate", methods=["GET", "POST"])
def generate(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    day = queries.interview_day(vacancy.id)
    if services.day_settings(day) is None:
        flash("First set the interview day: its date, times and breaks.", "info")
        return redirect(url_for("plans.day", vacancy_id=vacancy.id))
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    existing = queries.slots(vacancy.id)
    label, _ = _labeller(vacancy)
    form = ConfirmForm()
    error = None
    try:
        preview = services.preview_timetable(day, shortlisted)
    except services.PlanError as exc:
        preview, error = None, str(exc)
    if preview is not None and shortlisted and form.validate_on_submit():
        result = services.generate_timetable(db(), current_user, vacancy, day, shortlisted)
        message = f"The timetable has been made: {len(result.slots)} interview{'s' if len(result.slots) != 1 else ''}."
        if result.unplaced:
            message += f" {len(result.unplaced)} candidate{'s do' if len(result.unplaced) != 1 else ' does'} not fit in the day: change the day or add slots by hand."
        flash(message, "success" if not result.unplaced else "info")
        return redirect(url_for("plans.timetable", vacancy_id=vacancy.id))
    by_id = {c.id: c for c in shortlisted}
    invited = queries.invitations_by_candidate([c.id for c in shortlisted])
    return render_template("plans/generate.html", vacancy=vacancy, day=day, settings=services.day_settings(day),
                           preview=preview, error=error,
                           suggestions=services.fit_suggestions(day, shortlisted) if preview and preview.unplaced else [], by_id=by_id, label=label, existing=existing, form=form,
                           shortlisted=shortlisted, clock=timetable.clock, describe_breaks=timetable.describe_breaks,
                           already_invited=sum(1 for c in shortlisted if services.was_invited(invited.get(c.id, []))))


def _slot(slots: list[InterviewSlot], slot_id: int) -> InterviewSlot:
    for s in slots:
        if s.id == slot_id:
            return s
    abort(404)


def _slot_form(vacancy: Vacancy, slot: InterviewSlot | None, shortlisted: list[Candidate], label) -> SlotForm:
    data = None
    if request.method == "GET":
        day = queries.interview_day(vacancy.id)
        if slot is not None:
            start, end = timetable.to_london(slot.starts_at), timetable.to_london(slot.ends_at)
            data = {"date": start.date(), "starts": f"{start:%H:%M}", "ends": f"{end:%H:%M}",
                    "candidate_id": slot.candidate_id or 0, "location": slot.location}
        else:
            settings = services.day_settings(day)
            data = {"date": settings.date if settings else vacancy.interview_date, "candidate_id": 0,
                    "location": day.default_location if day else vacancy.interview_venue}
    form = SlotForm(data=data)
    choices = [(0, "No candidate (an empty slot)")] + [(c.id, label(c)) for c in shortlisted]
    if slot is not None and slot.candidate is not None and slot.candidate_id not in {c.id for c in shortlisted}:
        choices.append((slot.candidate_id, label(slot.candidate) + " (no longer shortlisted)"))
    form.candidate_id.choices = choices
    return form


def _save_slot(vacancy, slot, form, slots, shortlisted, label):
    candidate = None
    if form.candidate_id.data:
        candidate = next((c for c in shortlisted if c.id == form.candidate_id.data), None)
        if candidate is None and slot is not None and slot.candidate_id == form.candidate_id.data:
            candidate = slot.candidate
    return services.save_slot(
        db(), current_user, vacancy, slot, date=form.date.data, starts=timetable.parse_time(form.starts.data),
        ends=timetable.parse_time(form.ends.data), candidate=candidate, location=form.location.data or "",
        others=slots, shortlisted=shortlisted, label=label)


@bp.route("/<int:vacancy_id>/timetable/slots/new", methods=["GET", "POST"])
def slot_new(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    slots = queries.slots(vacancy.id)
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    label, _ = _labeller(vacancy)
    form = _slot_form(vacancy, None, shortlisted, label)
    if form.validate_on_submit():
        try:
            _save_slot(vacancy, None, form, slots, shortlisted, label)
        except services.PlanError as exc:
            field_error(form, exc, "starts")
        else:
            flash("The slot has been added.", "success")
            return redirect(url_for("plans.timetable", vacancy_id=vacancy.id))
    return render_template("plans/slot_form.html", vacancy=vacancy, form=form, slot=None)


@bp.route("/<int:vacancy_id>/timetable/slots/<int:slot_id>/edit", methods=["GET", "POST"])
def slot_edit(vacancy_id: int, slot_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    slots = queries.slots(vacancy.id)
    slot = _slot(slots, slot_id)
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    label, _ = _labeller(vacancy)
    form = _slot_form(vacancy, slot, shortlisted, label)
    if form.validate_on_submit():
        try:
            _save_slot(vacancy, slot, form, slots, shortlisted, label)
        except services.PlanError as exc:
            field_error(form, exc, "starts")
        else:
            flash("The slot has been saved.", "success")
            return redirect(url_for("plans.timetable", vacancy_id=vacancy.id, _anchor=f"slot-{slot.id}"))
    return render_template("plans/slot_form.html", vacancy=vacancy, form=form, slot=slot)


@bp.route("/<int:vacancy_id>/timetable/slots/<int:slot_id>/delete", methods=["GET", "POST"])
def slot_delete(vacancy_id: int, slot_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_plan)
    slot = _slot(queries.slots(vacancy.id), slot_id)
    label, _ = _labeller(vacancy)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_slot(db(), current_user, vacancy, slot)
        flash("The slot has been removed.", "success")
        return redirect(url_for("plans.timetable", vacancy_id=vacancy.id))
    return render_template("plans/slot_delete.html", vacancy=vacancy, slot=slot, form=form, label=label,
                           clock=timetable.clock)


# --- invitations to candidates -----------------------------------------------------

def _invitation_rows(vacancy: Vacancy):
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    slots = queries.slots(vacancy.id)
    slot_for: dict[int, InterviewSlot] = {}
    for s in slots:
        if s.candidate_id is not None:
            slot_for.setdefault(s.candidate_id, s)
    history = queries.invitations_by_candidate([c.id for c in shortlisted])
    return shortlisted, slot_for, history


@bp.route("/<int:vacancy_id>/invitations")
def invitation_list(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_send_invitations)
    shortlisted, slot_for, history = _invitation_rows(vacancy)
    rows = [{"candidate": c, "slot": slot_for.get(c.id), "history": history.get(c.id, []),
             "latest": services.latest_invitation(history.get(c.id, []))} for c in shortlisted]
    return render_template("plans/invitations.html", vacancy=vacancy, rows=rows, form=ConfirmForm(),
                           clock=timetable.clock,
                           panel_sentence=invitation_text.panel_by_role(m.panel_role.value for m in vacancy.panel_members),
                           to_send=sum(1 for r in rows if r["slot"] and not services.was_invited(r["history"])))


@bp.route("/<int:vacancy_id>/invitations/template", methods=["GET", "POST"])
def invitation_template(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_send_invitations)
    template = queries.invitation_template(vacancy.id)
    subject, body = services.template_texts(template)
    form = InvitationTemplateForm(data=None if request.method == "POST" else {"subject": subject, "body": body})
    if form.validate_on_submit():
        try:
            services.save_template(db(), current_user, vacancy, form.subject.data, form.body.data)
        except services.PlanError as exc:
            field_error(form, exc, "body")
        else:
            flash("The invitation wording has been saved.", "success")
            return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
    return render_template("plans/invitation_template.html", vacancy=vacancy, form=form,
                           placeholders=invitation_text.PLACEHOLDERS)


@bp.route("/<int:vacancy_id>/invitations/<int:candidate_id>", methods=["GET", "POST"])
def invitation(vacancy_id: int, candidate_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_send_invitations)
    shortlisted, slot_for, history = _invitation_rows(vacancy)
    candidate = next((c for c in shortlisted if c.id == candidate_id), None)
    if candidate is None:
        abort(404)
    slot = slot_for.get(candidate.id)
    day = queries.interview_day(vacancy.id)
    data = None
    if request.method == "GET" and slot is not None:
        subject, body = services.render_invitation(vacancy, queries.invitation_template(vacancy.id), candidate, slot, day)
        data = {"subject": subject, "body": body}
    form = InvitationForm(data=data)
    if slot is not None and form.validate_on_submit():
        try:
            sent = services.send_invitation(db(), current_user, vacancy, candidate, slot, form.subject.data,
                                            form.body.data, {c.id for c in shortlisted})
        except services.PlanError as exc:
            field_error(form, exc, "body")
        else:
            if sent.was_sent:
                flash(f"Invitation sent to {candidate.full_name}.", "success")
            else:
                flash(f"The invitation to {candidate.full_name} could not be sent. It has been kept: try again later.",
                      "info")
            return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
    return render_template("plans/invitation.html", vacancy=vacancy, candidate=candidate, slot=slot, form=form,
                           history=history.get(candidate.id, []), clock=timetable.clock,
                           latest=services.latest_invitation(history.get(candidate.id, [])))


@bp.route("/<int:vacancy_id>/invitations/send-all", methods=["POST"])
def invitation_send_all(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_send_invitations)
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
    shortlisted, slot_for, history = _invitation_rows(vacancy)
    template = queries.invitation_template(vacancy.id)
    day = queries.interview_day(vacancy.id)
    ids = {c.id for c in shortlisted}
    sent = failed = no_slot = 0
    for candidate in shortlisted:
        if services.was_invited(history.get(candidate.id, [])):
            continue
        slot = slot_for.get(candidate.id)
        if slot is None:
            no_slot += 1
            continue
        subject, body = services.render_invitation(vacancy, template, candidate, slot, day)
        try:
            result = services.send_invitation(db(), current_user, vacancy, candidate, slot, subject, body, ids)
        except services.PlanError:
            failed += 1
            continue
        if result.was_sent:
            sent += 1
        else:
            failed += 1
    parts = []
    if sent or failed:
        parts.append(f"{sent} invitation{'s' if sent != 1 else ''} sent.")
    else:
        parts.append("Everyone with an interview slot has already been sent their invitation.")
    if failed:
        parts.append(f"{failed} could not be sent: they are kept, so you can try again later.")
    if no_slot:
        parts.append(f"{no_slot} candidate{'s have' if no_slot != 1 else ' has'} no interview slot yet.")
    flash(" ".join(parts), "success" if not (failed or no_slot) else "info")
    return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
