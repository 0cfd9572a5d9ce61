"""A vacancy: the list, a new one, its page, its details and job description, its stage and the archive."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.db import db
from panel.errors import StaleEdit
from panel.forms import ConfirmForm, field_error, refused_status
from panel.loaders import found, user_view, vacancy_view
from panel.models import Vacancy, VacancyStatus
from panel.notifications import queries as notification_queries
from panel.profiles import composition
from panel.stages import STAGES
from panel.uploads import (JD_SCRIPT_WARNING, UploadError, delete_file, pdf_has_script, safe_download_name, save_pdf,
                           send_pdf)
from panel.vacancies import queries, services
from panel.vacancies.forms import FilterForm, StatusForm, VacancyForm
from panel.vacancies.views import bp


@bp.route("")
@user_view(permissions.is_signed_in)
def index():
    form = FilterForm(request.args)
    form.site.choices = [("", "All sites")] + [(s, s) for s in current_app.config["SITES"]]
    archived = request.args.get("archived") == "1"
    vacancies = queries.list_vacancies(current_user, form.status.data or None, form.site.data or None, archived)
    return render_template("vacancies/index.html", vacancies=vacancies, form=form, archived=archived,
                           can_create=permissions.can_create_vacancy(current_user))


def _save(form: VacancyForm, vacancy: Vacancy | None) -> Vacancy | None:
    """Store the job description PDF the form checked (if any) and create or change the
    vacancy; None, with the message next to its field, when either is refused."""
    data = {k: form[k].data for k in services.VACANCY_FIELDS if k in form._fields and k != "job_description_file"}
    stored = None
    if form.job_description_pdf is not None:
        try:
            stored = save_pdf(form.job_description_pdf)
        except UploadError as exc:
            form.job_description_file.errors.append(str(exc))
            return None
        data["job_description_filename"] = form.job_description_file.data.filename[:255]
    old_file = vacancy.job_description_file if vacancy else None
    try:
        if vacancy is None:
            vacancy = services.create_vacancy(db(), current_user, data, job_description_file=stored)
        else:
            services.update_vacancy(db(), current_user, vacancy, data, job_description_file=stored)
    except services.VacancyError as exc:  # the same reference saved by someone else a moment ago
        field_error(form, exc, "reference")
        delete_file(stored)
        return None
    if stored and old_file:
        delete_file(old_file)
    if stored and pdf_has_script(form.job_description_pdf):  # kept, as for applications: HR is told
        flash(JD_SCRIPT_WARNING, "warning")
    return vacancy


@bp.route("/new", methods=["GET", "POST"])
@user_view(permissions.can_create_vacancy)
def create():
    form = VacancyForm()
    if form.validate_on_submit() and (vacancy := _save(form, None)) is not None:
        flash(f"Vacancy {vacancy.reference} created. Next, add its person specification.", "success")
        return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/form.html", form=form, vacancy=None), refused_status(form)


@bp.route("/<int:vacancy_id>")
@vacancy_view(permissions.can_view_vacancy)
def show(vacancy: Vacancy):
    can_view_messages = permissions.can_view_notifications(current_user, vacancy)
    return render_template(
        "vacancies/show.html", vacancy=vacancy, can_edit=permissions.can_edit_vacancy(current_user, vacancy),
        membership=permissions.panel_membership(current_user, vacancy), problems=vacancy.stage.readiness(vacancy),
        stages=STAGES, status_form=StatusForm(),
        can_change_deadlines=permissions.can_extend_deadlines(current_user, vacancy),
        can_view_messages=can_view_messages, rules=composition.rules_for(db(), vacancy),
        undelivered=notification_queries.undelivered_count(db(), vacancy.id) if can_view_messages else 0)


@bp.route("/<int:vacancy_id>/edit", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_vacancy)
def edit(vacancy: Vacancy):
    form = VacancyForm(obj=vacancy)
    if form.validate_on_submit() and _save(form, vacancy) is not None:
        flash("The vacancy has been saved.", "success")
        return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/form.html", form=form, vacancy=vacancy), refused_status(form)


@bp.route("/<int:vacancy_id>/job-description")
@vacancy_view(permissions.can_download_job_description)
def job_description(vacancy: Vacancy):
    try:
        return send_pdf(found(vacancy.job_description_file), safe_download_name(f"{vacancy.reference} job description"),
                        original=permissions.can_download_original_file(current_user))
    except FileNotFoundError:
        abort(404)


def _stage_seen() -> VacancyStatus | None:
    """The stage the person saw when they asked to move the vacancy on."""
    try:
        return VacancyStatus(request.form.get("from", ""))
    except ValueError:
        return None


@bp.route("/<int:vacancy_id>/status", methods=["GET", "POST"])
@vacancy_view(permissions.can_move_stage)
def status(vacancy: Vacancy):
    form = StatusForm()
    error, code = None, 200
    if form.validate_on_submit():
        try:
            new = services.advance_status(db(), current_user, vacancy, _stage_seen(),
                                          override_reason=request.form.get("reason"))
        except StaleEdit as exc:  # a double-submitted form, or someone else moved it on: never skip a stage
            error, code = exc.message, 409
        except services.VacancyError as exc:
            error, code = exc.message, 400
        else:
            flash(f"{vacancy.reference} is now at the {new.label.lower()} stage.", "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/status.html", vacancy=vacancy, form=form, error=error,
                           problems=vacancy.stage.readiness(vacancy),
                           rules=composition.rules_for(db(), vacancy), reason=request.form.get("reason", "")), code


@bp.route("/<int:vacancy_id>/archive", methods=["POST"])
@vacancy_view(permissions.can_edit_vacancy)
def archive(vacancy: Vacancy):
    if ConfirmForm().validate_on_submit():
        archived = request.form.get("archive") != "0"
        services.set_archived(db(), current_user, vacancy, archived)
        flash(f"{vacancy.reference} has been {'archived' if archived else 'brought back from the archive'}.", "success")
    return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
