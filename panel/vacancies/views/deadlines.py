"""A vacancy's deadlines (HR sets them, the chair extends them) and its messages (HR)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from panel import audit, permissions
from panel.db import db
from panel.forms import field_error, refused_status
from panel.loaders import vacancy_view
from panel.models import Vacancy
from panel.notifications import queries as notification_queries
from panel.notifications import services as notification_services
from panel.vacancies import services
from panel.vacancies.forms import DeadlinesForm
from panel.vacancies.views import bp


@bp.route("/<int:vacancy_id>/deadlines", methods=["GET", "POST"])
@vacancy_view(permissions.can_extend_deadlines)
def deadlines(vacancy: Vacancy):
    form = DeadlinesForm(obj=vacancy)
    if form.validate_on_submit():
        data = {f: form[f].data for f in services.DEADLINE_FIELDS}
        try:
            changes = services.set_deadlines(db(), current_user, vacancy, data)
        except services.VacancyError as exc:
            field_error(form, exc, "shortlisting_deadline")
        else:
            flash("The deadlines have been saved." if changes else "Nothing was changed.", "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/deadlines.html", vacancy=vacancy, form=form,
                           hr=permissions.can_set_deadlines(current_user, vacancy)), refused_status(form)


@bp.route("/<int:vacancy_id>/messages")
@vacancy_view(permissions.can_view_notifications)
def messages(vacancy: Vacancy):
    rows = notification_queries.for_vacancy(db(), vacancy.id)
    audit.record(db(), current_user, "view", vacancy, vacancy_id=vacancy.id,
                 summary=f"Messages of {vacancy.reference} viewed")
    return render_template("vacancies/messages.html", vacancy=vacancy, rows=rows,
                           unreachable=notification_queries.unreachable(vacancy))


@bp.route("/<int:vacancy_id>/messages/preview")
@vacancy_view(permissions.can_view_notifications)
def message_previews(vacancy: Vacancy):
    return render_template("vacancies/message_previews.html", vacancy=vacancy,
                           previews=notification_services.previews(db(), vacancy, current_user))
