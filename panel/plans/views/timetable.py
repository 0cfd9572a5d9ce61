"""The timetable: the interview day, generating slots from it, and adding, changing and removing slots."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.involvement import queries as involvement_queries
from panel.db import db
from panel.forms import ConfirmForm, field_error, refused_status
from panel.loaders import found, vacancy_view
from panel.models import InterviewSlot, Vacancy
from panel.booking import services as booking_services
from panel.plans import queries, services, timetable
from panel.plans.forms import DayForm, SlotForm
from panel.plans.views import bp, labeller
from panel.profiles import arrangements


def _plural(n: int, one: str, many: str) -> str:
    return one if n == 1 else many


@bp.route("/<int:vacancy_id>/timetable", endpoint="timetable")
@vacancy_view(permissions.can_view_plan)
def timetable_page(vacancy: Vacancy):
    day = queries.interview_day(vacancy.id)
    slots = queries.slots(vacancy.id)
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    label, show_names = labeller(vacancy)
    problems = services.timetable_problems(slots, day, shortlisted, label)
    can_edit = permissions.can_edit_plan(current_user, vacancy)
    unslotted = any(p.kind == "no_slot" for p in problems)
    aside = (involvement_queries.stepped_aside_names(db(), vacancy)
             if permissions.can_see_who_stepped_aside(current_user, vacancy) else {})
    return render_template(
        "plans/timetable.html", vacancy=vacancy, day=day, settings=services.day_settings(day), slots=slots,
        shortlisted=shortlisted, label=label, problems=problems,
        problem_slots={sid for p in problems for sid in p.slot_ids},
        suggestions=services.fit_suggestions(day, shortlisted) if can_edit and unslotted else [],
        can_edit=can_edit, can_invite=permissions.can_send_invitations(current_user, vacancy),
        show_names=show_names, clock=timetable.clock, describe_breaks=timetable.describe_breaks,
        bookings=booking_services.bookings_by_candidate(db(), vacancy.id),
        adjustments_shown=booking_services.adjustments_shown(vacancy),
        arrangements=arrangements.visible(db(), current_user, vacancy),
        aside=aside)


@bp.route("/<int:vacancy_id>/timetable/day", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def day(vacancy: Vacancy):
    data = None if request.method == "POST" else services.day_form_data(vacancy, queries.interview_day(vacancy.id))
    form = DayForm(data=data)
    if form.validate_on_submit():
        try:
            services.save_day(db(), current_user, vacancy, form.settings(), form.default_location.data or "")
        except services.PlanError as exc:
            field_error(form, exc, "starts")
        else:
            flash("The interview day has been saved.", "success")
            next_page = "plans.generate" if request.form.get("generate") else "plans.timetable"
            return redirect(url_for(next_page, vacancy_id=vacancy.id))
    return render_template("plans/day.html", vacancy=vacancy, form=form), refused_status(form)


@bp.route("/<int:vacancy_id>/timetable/generate", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def generate(vacancy: Vacancy):
    day = queries.interview_day(vacancy.id)
    if services.day_settings(day) is None:
        flash("First set the interview day: its date, times and breaks.", "info")
        return redirect(url_for("plans.day", vacancy_id=vacancy.id))
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    form = ConfirmForm()
    error = None
    try:
        preview = services.preview_timetable(day, shortlisted)
    except services.PlanError as exc:
        preview, error = None, str(exc)
    if preview is not None and shortlisted and form.validate_on_submit():
        result = services.generate_timetable(db(), current_user, vacancy, day, shortlisted)
        made, unplaced = len(result.slots), len(result.unplaced)
        message = f"The timetable has been made: {made} interview{_plural(made, '', 's')}."
        if unplaced:
            message += (f" {unplaced} candidate{_plural(unplaced, ' does', 's do')} not fit in the day:"
                        " change the day or add slots by hand.")
        flash(message, "info" if unplaced else "success")
        return redirect(url_for("plans.timetable", vacancy_id=vacancy.id))
    invited = queries.invitations_by_candidate([c.id for c in shortlisted])
    label, _ = labeller(vacancy)
    # a POST that made nothing (nobody to place, or a day that does not work) was refused
    return render_template(
        "plans/generate.html", vacancy=vacancy, day=day, settings=services.day_settings(day), preview=preview,
        error=error, suggestions=services.fit_suggestions(day, shortlisted) if preview and preview.unplaced else [],
        by_id={c.id: c for c in shortlisted}, label=label, existing=queries.slots(vacancy.id), form=form,
        shortlisted=shortlisted, clock=timetable.clock, describe_breaks=timetable.describe_breaks,
        already_invited=sum(1 for c in shortlisted if services.was_invited(invited.get(c.id, []))),
    ), (400 if request.method == "POST" else 200)


# --- one slot ----------------------------------------------------------------------

def _slot(vacancy: Vacancy, slot_id: int, slots: list[InterviewSlot] | None = None) -> InterviewSlot:
    slots = queries.slots(vacancy.id) if slots is None else slots
    return found(next((s for s in slots if s.id == slot_id), None))


def _slot_form_page(vacancy: Vacancy, slot: InterviewSlot | None, slots: list[InterviewSlot], done: str):
    """The slot form (new when ``slot`` is None): saved and back to the timetable, or drawn again."""
    shortlisted = queries.shortlisted_candidates(vacancy.id)
    label, _ = labeller(vacancy)
    data = None if request.method == "POST" else services.slot_form_data(vacancy, slot, queries.interview_day(vacancy.id))
    form = SlotForm(data=data)
    form.candidate_id.choices = [(0, "No candidate (an empty slot)")] + [(c.id, label(c)) for c in shortlisted]
    if slot is not None and slot.candidate is not None and slot.candidate_id not in {c.id for c in shortlisted}:
        form.candidate_id.choices.append((slot.candidate_id, label(slot.candidate) + " (no longer shortlisted)"))
    if form.validate_on_submit():
        try:
            saved = services.save_slot(
                db(), current_user, vacancy, slot, date=form.date.data, starts=timetable.parse_time(form.starts.data),
                ends=timetable.parse_time(form.ends.data),
                candidate=services.chosen_candidate(form.candidate_id.data, slot, shortlisted),
                location=form.location.data or "", others=slots, shortlisted=shortlisted, label=label)
        except services.PlanError as exc:
            field_error(form, exc, "starts")
        else:
            flash(f"The slot has been {done}.", "success")
            anchor = f"slot-{saved.id}" if slot is not None else None
            return redirect(url_for("plans.timetable", vacancy_id=vacancy.id, _anchor=anchor))
    return render_template("plans/slot_form.html", vacancy=vacancy, form=form, slot=slot), refused_status(form)


@bp.route("/<int:vacancy_id>/timetable/slots/new", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def slot_new(vacancy: Vacancy):
    return _slot_form_page(vacancy, None, queries.slots(vacancy.id), "added")


@bp.route("/<int:vacancy_id>/timetable/slots/<int:slot_id>/edit", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def slot_edit(vacancy: Vacancy, slot_id: int):
    slots = queries.slots(vacancy.id)
    return _slot_form_page(vacancy, _slot(vacancy, slot_id, slots), slots, "saved")


@bp.route("/<int:vacancy_id>/timetable/slots/<int:slot_id>/delete", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_plan)
def slot_delete(vacancy: Vacancy, slot_id: int):
    slot = _slot(vacancy, slot_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_slot(db(), current_user, vacancy, slot)
        flash("The slot has been removed.", "success")
        return redirect(url_for("plans.timetable", vacancy_id=vacancy.id))
    label, _ = labeller(vacancy)
    return render_template("plans/slot_delete.html", vacancy=vacancy, slot=slot, form=form, label=label,
                           clock=timetable.clock)
