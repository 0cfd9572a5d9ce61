"""HR's (or the involvement lead's) list of people who claim, and one person's choice about
being paid, their activities and claims, and their records."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel.db import db
from panel.errors import ServiceError
from panel.forms import field_error, refused_status
from panel.payments import queries, services
from panel.payments.forms import PersonChoiceForm
from panel.payments.views import _activities_with_claims, _common, _person, _records_download, bp, manager


@bp.route("/people")
@manager
def people():
    return render_template("payments/people.html", people=queries.people(db()), **_common())


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@manager
def person(user_id: int):
    person = _person(user_id)
    current = services.choice_on(db(), person.id, services.today())
    form = PersonChoiceForm(data=None if request.method == "POST" else {
        "choice": current.choice if current else None, "payroll_reference": current.payroll_reference if current else ""})
    error = None
    if form.validate_on_submit():
        try:
            services.set_choice(db(), current_user, person, choice=form.choice.data,
                                payroll_reference=form.payroll_reference.data or "",
                                effective_from=form.effective_from.data)
            flash(f"The choice for {person.name} has been saved.", "success")
            return redirect(url_for("payments.person", user_id=person.id))
        except ServiceError as exc:
            error = field_error(form, exc)
    activities, claims = _activities_with_claims(person)
    return render_template("payments/person.html", person=person, form=form, current=current, error=error,
                           history=services.choice_history(db(), person.id), activities=activities,
                           totals=queries.tax_year_totals(db(), person.id), **_common()), refused_status(form, error)


@bp.route("/people/<int:user_id>/records.json")
@manager
def person_records(user_id: int):
    return _records_download(_person(user_id))
