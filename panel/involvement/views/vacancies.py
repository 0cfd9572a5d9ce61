"""A vacancy's involvement pages: "Do you know any of these people?" when names are revealed,
the support contact, a panelist's asking preference and the chair's record of debriefs."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.auth.urls import safe_next
from panel.db import db
from panel.forms import field_error, refused_status
from panel.involvement import queries, services
from panel.involvement.forms import AskingPreferenceForm, DebriefForm, RevealForm, SupportContactForm
from panel.involvement.views import _me, bp
from panel.loaders import vacancy_view
from panel.models import Vacancy


def _safe_next(vacancy: Vacancy) -> str:
    """Where to go after answering: a page of this vacancy the person came from, else the interviews."""
    return safe_next(request.values.get("next"), home=url_for("scoring.interviews", vacancy_id=vacancy.id),
                     within=f"/vacancies/{vacancy.id}/")


@bp.route("/vacancies/<int:vacancy_id>/interviews/do-you-know", methods=["GET", "POST"])
@vacancy_view(permissions.can_answer_reveal_conflicts)
def reveal(vacancy: Vacancy):
    rows = queries.reveal_rows(db(), vacancy, current_user.id)
    form = RevealForm()
    open_rows = [r for r in rows if not r.stepped_aside]
    form.known.choices = [(r.candidate.id, r.candidate.full_name) for r in open_rows]
    can_answer = vacancy.stage.scoring_open
    error = None
    if request.method == "POST":
        if not can_answer:
            abort(404)
        if form.validate_on_submit():
            try:
                aside = services.answer_reveal(db(), _me(), vacancy, rows, set(form.known.data or []))
            except services.InvolvementError as exc:
                error = field_error(form, exc)
            else:
                if aside:
                    flash(f"You have stepped aside from {len(aside)} candidate{'s' if len(aside) != 1 else ''}'s "
                          "interview. You will not score them, and nobody will ask you why.", "success")
                else:
                    flash("Thank you. You can now score the interviews.", "success")
                return redirect(_safe_next(vacancy), 303)
    return render_template("involvement/reveal.html", vacancy=vacancy, rows=rows, form=form, error=error,
                           can_answer=can_answer, next=request.values.get("next", "")), refused_status(form, error)


# --- support --------------------------------------------------------------------------------

@bp.route("/vacancies/<int:vacancy_id>/support", methods=["GET", "POST"])
@vacancy_view(permissions.can_set_support_contact)
def support(vacancy: Vacancy):
    contact = queries.support_contact(db(), vacancy.id)
    form = SupportContactForm(obj=contact)
    error = None
    if form.validate_on_submit():
        try:
            services.set_support_contact(db(), _me(), vacancy, name=form.name.data, phone=form.phone.data or "",
                                         email=form.email.data or "")
        except services.InvolvementError as exc:
            error = field_error(form, exc)
        else:
            flash("The support contact has been saved. Panel members see it on the vacancy and scoring pages.",
                  "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy.id), 303)
    return render_template("involvement/support.html", vacancy=vacancy, form=form, error=error), \
        refused_status(form, error)


@bp.route("/vacancies/<int:vacancy_id>/asking-preference", methods=["GET", "POST"])
@vacancy_view(permissions.can_set_asking_preference)
def asking_preference(vacancy: Vacancy):
    pref = queries.asking_preference(db(), vacancy.id, current_user.id)
    form = AskingPreferenceForm(data=None if request.method == "POST" else
                                {"avoid": ("yes" if pref.avoid_content_notes else "no") if pref else None})
    if form.validate_on_submit():
        services.set_asking_preference(db(), _me(), vacancy, form.avoid.data == "yes")
        flash("Thank you. The chair will see this when choosing who asks each question.", "success")
        return redirect(url_for("plans.plan", vacancy_id=vacancy.id), 303)
    return render_template("involvement/asking_preference.html", vacancy=vacancy, form=form), refused_status(form)


@bp.route("/vacancies/<int:vacancy_id>/debriefs", methods=["GET", "POST"])
@vacancy_view(permissions.can_record_debrief)
def debriefs(vacancy: Vacancy):
    """The chair records that a debrief was offered to each patient panelist (never what was
    said, and never their check-in)."""
    form = DebriefForm()
    if form.validate_on_submit():
        try:
            services.record_debrief(db(), _me(), vacancy, int(form.user_id.data))
        except (ValueError, services.InvolvementError):
            abort(404)
        flash("Recorded: a debrief was offered.", "success")
        return redirect(url_for("involvement.debriefs", vacancy_id=vacancy.id), 303)
    if request.method == "POST":
        abort(400)
    return render_template("involvement/debriefs.html", vacancy=vacancy, members=queries.patient_members(vacancy),
                           offered=queries.debriefs_offered(db(), vacancy.id), form=form)
