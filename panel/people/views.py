"""People (HR): invite, change, deactivate."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.auth import services as accounts
from panel.converters import id_value
from panel.db import db
from panel.forms import ConfirmForm
from panel.loaders import found, load_vacancy_or_404, user_view
from panel.models import PanelRole, Role
from panel.notifications import queries as notification_queries
from panel.people import queries
from panel.people.forms import ROLE_HINTS, InviteForm, PersonForm
from panel.vacancies import services as vacancy_services

bp = Blueprint("people", __name__, url_prefix="/people")


@bp.before_request
@login_required
def _signed_in():
    return None


hr_only = user_view(permissions.can_manage_users)


@bp.route("")
@hr_only
def index():
    return render_template("people/index.html", users=queries.everyone())


@bp.route("/invite", methods=["GET", "POST"])
@hr_only
def invite():
    vacancy = None
    vacancy_id = request.args.get("vacancy", type=id_value)
    if vacancy_id:
        vacancy = load_vacancy_or_404(vacancy_id, permissions.can_edit_vacancy)
    form = InviteForm()
    if request.method == "GET":
        form.role.data = form.role.data or "panelist"
        form.panel_role.data = "patient"
    if form.validate_on_submit():
        if vacancy is not None and form.panel_role.data not in {r.value for r in PanelRole}:
            form.panel_role.errors.append("Choose their role on this panel")
        elif accounts.find_user_by_email(db(), form.email.data) is not None:
            form.email.errors.append("Someone with this email address already has an account")
        else:
            user = accounts.create_user(db(), current_user, email=form.email.data, name=form.name.data,
                                        role=Role(form.role.data))
            if vacancy is not None:
                vacancy_services.add_panel_member(db(), current_user, vacancy, user, PanelRole(form.panel_role.data))
            accounts.send_invitation(db(), current_user, user)
            flash(f"Account created. The invitation to {user.email} will be sent within a minute.", "success")
            if vacancy is not None:
                return redirect(url_for("vacancies.panel", vacancy_id=vacancy.id))
            return redirect(url_for("people.show", user_id=user.id))
    return render_template("people/invite.html", form=form, vacancy=vacancy, role_hints=ROLE_HINTS)


@bp.route("/<int:user_id>", methods=["GET", "POST"])
@hr_only
def show(user_id: int):
    user = found(queries.person(user_id))
    form = PersonForm(obj=None if request.method == "POST" else user,
                      data=None if request.method == "POST" else {"name": user.name, "role": user.role.value})
    if form.validate_on_submit():
        if user.id == current_user.id and form.role.data != Role.HR.value:
            form.role.errors.append("You cannot take away your own HR role. Ask another HR user.")
        else:
            before = audit.snapshot(user, ["name", "role"])
            user.name = form.name.data
            user.role = Role(form.role.data)
            changes = audit.diff(before, audit.snapshot(user, ["name", "role"]))
            if changes:
                audit.record(db(), current_user, "update", user, summary="Account details changed", changes=changes)
            flash("Saved.", "success")
            return redirect(url_for("people.show", user_id=user.id))
    return render_template("people/show.html", person=user, form=form, memberships=queries.memberships_of(user),
                           confirm=ConfirmForm(), role_hints=ROLE_HINTS,
                           invitation=notification_queries.latest_of_kind(db(), "account_invitation",
                                                                          user_ids=[user.id]).get(user.id))


@bp.route("/<int:user_id>/resend", methods=["POST"])
@hr_only
def resend(user_id: int):
    user = found(queries.person(user_id))
    if ConfirmForm().validate_on_submit() and user.active:
        accounts.send_invitation(db(), current_user, user)
        flash(f"A new invitation to {user.email} will be sent within a minute. Earlier links no longer work.",
              "success")
    return redirect(url_for("people.show", user_id=user.id))


@bp.route("/<int:user_id>/active", methods=["POST"])
@hr_only
def set_active(user_id: int):
    user = found(queries.person(user_id))
    if ConfirmForm().validate_on_submit():
        active = request.form.get("active") == "1"
        if user.id == current_user.id and not active:
            flash("You cannot deactivate your own account.", "info")
        else:
            accounts.set_active(db(), current_user, user, active)
            flash(f"{user.name} has been {'reactivated' if active else 'deactivated and signed out everywhere'}.", "success")
    return redirect(url_for("people.show", user_id=user.id))
