"""Invitations to candidates (HR only: they hold candidates' email addresses): the list, the
wording, one candidate's invitation and sending every invitation still to send."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.booking import services as booking_services
from panel.db import db
from panel.forms import ConfirmForm, field_error, refused_status
from panel.loaders import found, vacancy_view
from panel.models import Vacancy
from panel.plans import invitations as invitation_text
from panel.plans import queries, services, timetable
from panel.plans.forms import BookingCutoffForm, InvitationForm, InvitationTemplateForm
from panel.plans.views import bp


@bp.route("/<int:vacancy_id>/invitations")
@vacancy_view(permissions.can_send_invitations)
def invitation_list(vacancy: Vacancy):
    shortlisted, slot_for, history = queries.invitation_rows(vacancy.id)
    bookings = booking_services.bookings_by_candidate(db(), vacancy.id)
    rows = [{"candidate": c, "slot": slot_for.get(c.id), "history": history.get(c.id, []),
             "latest": services.latest_invitation(history.get(c.id, [])), "booking": bookings.get(c.id)}
            for c in shortlisted]
    day = queries.interview_day(vacancy.id)
    return render_template("plans/invitations.html", vacancy=vacancy, rows=rows, form=ConfirmForm(),
                           day=day, closes_at=booking_services.cutoff(day),
                           cutoff_form=BookingCutoffForm(data={"hours": day.booking_cutoff_hours if day else 48}),
                           clock=timetable.clock,
                           panel_sentence=invitation_text.panel_by_role(m.panel_role.value for m in vacancy.panel_members),
                           to_send=sum(1 for r in rows if r["slot"] and not services.was_invited(r["history"])))


@bp.route("/<int:vacancy_id>/invitations/template", methods=["GET", "POST"])
@vacancy_view(permissions.can_send_invitations)
def invitation_template(vacancy: Vacancy):
    subject, body = services.template_texts(queries.invitation_template(vacancy.id))
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
                           placeholders=invitation_text.PLACEHOLDERS), refused_status(form)


@bp.route("/<int:vacancy_id>/invitations/<int:candidate_id>", methods=["GET", "POST"])
@vacancy_view(permissions.can_send_invitations)
def invitation(vacancy: Vacancy, candidate_id: int):
    shortlisted, slot_for, history = queries.invitation_rows(vacancy.id)
    candidate = found(next((c for c in shortlisted if c.id == candidate_id), None))
    slot = slot_for.get(candidate.id)
    data = None
    if request.method == "GET" and slot is not None:
        subject, body = services.render_invitation(vacancy, queries.invitation_template(vacancy.id), candidate, slot,
                                                   queries.interview_day(vacancy.id))
        data = {"subject": subject, "body": body}
    form = InvitationForm(data=data)
    if slot is not None and form.validate_on_submit():
        try:
            services.send_invitation(db(), current_user, vacancy, candidate, slot, form.subject.data,
                                            form.body.data, {c.id for c in shortlisted})
        except services.PlanError as exc:
            field_error(form, exc, "body")
        else:
            flash(f"The invitation to {candidate.full_name} is queued: it will be sent within a minute. "
                  "This page shows when it has gone.", "success")
            return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
    # a POST that sent nothing was refused (invalid wording, or no slot to invite to)
    return render_template("plans/invitation.html", vacancy=vacancy, candidate=candidate, slot=slot, form=form,
                           history=history.get(candidate.id, []), clock=timetable.clock,
                           latest=services.latest_invitation(history.get(candidate.id, []))), \
        (400 if request.method == "POST" else 200)


@bp.route("/<int:vacancy_id>/invitations/send-all", methods=["POST"])
@vacancy_view(permissions.can_send_invitations)
def invitation_send_all(vacancy: Vacancy):
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
    result = services.send_all_invitations(db(), current_user, vacancy)
    if result.queued or result.refused:
        parts = [f"{result.queued} invitation{'s are' if result.queued != 1 else ' is'} queued: "
                 "they will be sent within a minute. This page shows when each has gone."]
    else:
        parts = ["Everyone with an interview slot has already been sent their invitation."]
    if result.refused:
        parts.append(f"{result.refused} could not be queued: open each one to see why.")
    if result.no_slot:
        parts.append(f"{result.no_slot} candidate{'s have' if result.no_slot != 1 else ' has'} no interview slot yet.")
    flash(" ".join(parts), "info" if result.refused or result.no_slot else "success")
    return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))


@bp.route("/<int:vacancy_id>/invitations/booking-cutoff", methods=["POST"])
@vacancy_view(permissions.can_send_invitations)
def booking_cutoff(vacancy: Vacancy):
    """Until when candidates can book, change or cancel through the link in their invitation."""
    form = BookingCutoffForm()
    if form.validate_on_submit():
        try:
            services.set_booking_cutoff(db(), current_user, vacancy, form.hours.data)
        except services.PlanError as exc:
            field_error(form, exc, "hours")
        else:
            flash(f"Candidates can now book or change their interview until {form.hours.data} hours before the "
                  "interview day.", "success")
            return redirect(url_for("plans.invitation_list", vacancy_id=vacancy.id))
    return render_template("plans/booking_cutoff.html", vacancy=vacancy, form=form), 400
