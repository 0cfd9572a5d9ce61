"""A vacancy's panel: everyone who may see the vacancy reads it (GET); HR adds (POST) and removes people."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.db import db
from panel.forms import ConfirmForm, field_error, refused_status
from panel.loaders import found, vacancy_view
from panel.models import PanelRole, User, Vacancy
from panel.profiles import composition
from panel.vacancies import queries, services
from panel.vacancies.forms import PanelMemberForm
from panel.vacancies.views import bp


def _add_form(vacancy: Vacancy, can_edit: bool, form: PanelMemberForm | None = None):
    """The form to add someone (a new one, or ``form`` as posted) and whether anyone is left to add."""
    people = queries.people_to_add(vacancy) if can_edit else []
    if form is None:
        form = PanelMemberForm(data={"panel_role": "patient"} if can_edit else None)
    form.user_id.choices = [(0, "Choose a person")] + [(u.id, f"{u.name} ({u.role.label})") for u in people]
    return form, bool(people)


def _panel_page(vacancy: Vacancy, form: PanelMemberForm, has_people: bool, can_edit: bool):
    return render_template("vacancies/panel.html", vacancy=vacancy, form=form, can_edit=can_edit,
                           has_people=has_people, rules=composition.rules_for(db(), vacancy)), refused_status(form)


@bp.route("/<int:vacancy_id>/panel", methods=["GET", "POST"])
@vacancy_view(permissions.can_view_vacancy, post=permissions.can_edit_vacancy)
def panel(vacancy: Vacancy):
    if request.method == "POST":
        return _panel_add(vacancy)
    can_edit = permissions.can_edit_vacancy(current_user, vacancy)
    return _panel_page(vacancy, *_add_form(vacancy, can_edit), can_edit)


def _panel_add(vacancy: Vacancy):
    form, has_people = _add_form(vacancy, True, PanelMemberForm())
    if form.validate_on_submit():
        user = db().get(User, form.user_id.data)
        if user is None:
            form.user_id.errors.append("Choose a person to add")
        else:
            try:
                services.add_panel_member(db(), current_user, vacancy, user, PanelRole(form.panel_role.data))
            except services.VacancyError as exc:
                field_error(form, exc, "user_id")
            else:
                flash(f"{user.name} has been added to the panel.", "success")
                return redirect(url_for("vacancies.panel", vacancy_id=vacancy.id))
    return _panel_page(vacancy, form, has_people, True)


@bp.route("/<int:vacancy_id>/panel/<int:member_id>/remove", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_vacancy)
def panel_remove(vacancy: Vacancy, member_id: int):
    member = found(next((m for m in vacancy.panel_members if m.id == member_id), None))
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        name = member.user.name
        try:
            services.remove_panel_member(db(), current_user, member)
        except services.VacancyError as exc:
            error = exc.message
        else:
            flash(f"{name} has been removed from the panel.", "success")
            return redirect(url_for("vacancies.panel", vacancy_id=vacancy.id))
    return render_template("vacancies/panel_remove.html", vacancy=vacancy, member=member, form=form,
                           error=error), refused_status(form, error)
