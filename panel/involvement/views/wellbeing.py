"""Check-ins after the interviews (a patient panelist's answer; the involvement lead's list and
the calls they made) and concerns raised by anyone."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.converters import posted_number
from panel.db import db
from panel.forms import ConfirmForm, field_error, refused_status
from panel.involvement import queries, services
from panel.involvement.forms import CheckInForm, ConcernForm
from panel.involvement.views import _me, bp
from panel.loaders import found, user_view
from panel.models import Vacancy
from panel.vacancies.queries import vacancy_with_everything


@bp.route("/me/check-ins/<int:check_in_id>", methods=["GET", "POST"])
@user_view(permissions.is_signed_in)
def check_in(check_in_id: int):
    row = found(queries.check_in(db(), check_in_id))
    permissions.require(permissions.can_answer_check_in(current_user, row))
    vacancy = found(db().get(Vacancy, row.vacancy_id))
    form = CheckInForm(data=None if request.method == "POST" or not row.answered else
                       {"how_it_went": row.how_it_went, "wants_call": "yes" if row.wants_call else "no",
                        "troubles": row.troubles})
    error = None
    if form.validate_on_submit():
        try:
            services.answer_check_in(db(), _me(), row, how_it_went=form.how_it_went.data,
                                     wants_call=form.wants_call.data == "yes", troubles=form.troubles.data or "")
        except services.InvolvementError as exc:
            error = field_error(form, exc)
        else:
            flash("Thank you. Only the person who looks after patient involvement will read this"
                  + (", and they will call you." if row.wants_call else "."), "success")
            return redirect(url_for("involvement.mine"), 303)
    return render_template("involvement/check_in.html", check_in=row, vacancy=vacancy, form=form, error=error,
                           support=queries.support_contact(db(), vacancy.id)), refused_status(form, error)


@bp.route("/involvement/check-ins")
@user_view(permissions.can_manage_involvement)
def check_ins():
    rows = queries.all_check_ins(db())
    return render_template("involvement/check_ins.html", rows=rows,
                           feelings=services.CHECK_IN_FEELINGS, form=ConfirmForm(),
                           concerns_count=len(queries.concerns(db())))


@bp.route("/involvement/check-ins/<int:check_in_id>/call", methods=["POST"])
@user_view(permissions.can_manage_involvement)
def call_done(check_in_id: int):
    row = found(queries.check_in(db(), check_in_id))
    permissions.require(permissions.can_read_check_in_answers(current_user, row))
    if ConfirmForm().validate_on_submit():
        services.record_call(db(), _me(), row)
        flash(f"Recorded: {row.user.name} has had their call.", "success")
    return redirect(url_for("involvement.check_ins"), 303)


# --- concerns --------------------------------------------------------------------------------

def _concern_vacancy(raw) -> Vacancy | None:
    """The vacancy the concern is about, when the person may see it (otherwise none: the form
    never reveals whether a vacancy exists)."""
    vacancy_id = posted_number(raw)
    vacancy = vacancy_with_everything(vacancy_id) if vacancy_id else None
    return vacancy if vacancy is not None and permissions.can_view_vacancy(current_user, vacancy) else None


@bp.route("/concerns/new", methods=["GET", "POST"])
@user_view(permissions.can_raise_concern)
def raise_concern():
    form = ConcernForm(data=None if request.method == "POST" else {"vacancy": request.args.get("vacancy", "")})
    about = _concern_vacancy(form.vacancy.data)
    error = None
    if form.validate_on_submit():
        try:
            services.raise_concern(db(), _me(), form.text.data, vacancy_id=about.id if about else None,
                                   wants_reply=form.wants_reply.data)
        except services.InvolvementError as exc:
            error = field_error(form, exc)
        else:
            return render_template("involvement/concern_sent.html", wants_reply=form.wants_reply.data)
    return render_template("involvement/concern.html", form=form, about=about, error=error), \
        refused_status(form, error)


@bp.route("/involvement/concerns")
@user_view(permissions.can_read_concerns)
def concerns():
    return render_template("involvement/concerns.html", rows=queries.concerns(db()))
