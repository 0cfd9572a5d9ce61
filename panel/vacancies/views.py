"""Vacancies, person specifications and panels (HR edits; the panel reads)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import permissions
from panel.db import db
from panel.forms import ConfirmForm, field_error
from panel.models import Criterion, PanelMember, PanelRole, User, Vacancy, VacancyStatus
from panel.stages import STAGES
from panel.uploads import (JD_SCRIPT_WARNING, UploadError, delete_file, pdf_has_script, safe_download_name, save_pdf,
                           send_pdf)
from panel.vacancies import queries, services
from panel.vacancies.forms import (
    CopyCriteriaForm,
    CriterionForm,
    FilterForm,
    PanelMemberForm,
    StatusForm,
    VacancyForm,
)

bp = Blueprint("vacancies", __name__, url_prefix="/vacancies")


@bp.before_request
@login_required
def _signed_in():
    return None


def _vacancy(vacancy_id: int, predicate=permissions.can_view_vacancy) -> Vacancy:
    vacancy = queries.vacancy_with_everything(vacancy_id)
    if vacancy is None or not predicate(current_user, vacancy):
        abort(404)
    return vacancy


def _criterion(vacancy: Vacancy, criterion_id: int) -> Criterion:
    for c in vacancy.criteria:
        if c.id == criterion_id:
            return c
    abort(404)


@bp.route("")
def index():
    form = FilterForm(request.args)
    form.site.choices = [("", "All sites")] + [(s, s) for s in current_app.config["SITES"]]
    archived = request.args.get("archived") == "1"
    vacancies = queries.list_vacancies(current_user, form.status.data or None, form.site.data or None, archived)
    return render_template("vacancies/index.html", vacancies=vacancies, form=form, archived=archived,
                           can_create=permissions.can_create_vacancy(current_user))


def _form_data(form: VacancyForm) -> dict:
    return {k: getattr(form, k).data for k in services.VACANCY_FIELDS if k in form._fields and k != "job_description_file"}


def _store_jd_upload(form: VacancyForm) -> str | None | bool:
    """Store the job description PDF the form checked: its stored name, None if no file was
    chosen, or False (with the message next to the field) if it could not be saved."""
    if form.job_description_pdf is None:
        return None
    try:
        return save_pdf(form.job_description_pdf)
    except UploadError as exc:
        form.job_description_file.errors.append(str(exc))
        return False


def _jd_upload_notices(form: VacancyForm) -> None:
    """Tell HR about a job description PDF with JavaScript in it (kept, as for applications)."""
    if form.job_description_pdf is not None and pdf_has_script(form.job_description_pdf):
        flash(JD_SCRIPT_WARNING, "warning")


@bp.route("/new", methods=["GET", "POST"])
def create():
    permissions.require(permissions.can_create_vacancy(current_user))
    form = VacancyForm()
    if form.validate_on_submit():
        data = _form_data(form)
        stored = _store_jd_upload(form)
        if stored is not False:
            if stored:
                data["job_description_filename"] = form.job_description_file.data.filename[:255]
            try:
                vacancy = services.create_vacancy(db(), current_user, data, job_description_file=stored)
            except services.VacancyError as exc:  # the same reference saved by someone else a moment ago
                field_error(form, exc, "reference")
                delete_file(stored)
            else:
                flash(f"Vacancy {vacancy.reference} created. Next, add its person specification.", "success")
                _jd_upload_notices(form)
                return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/form.html", form=form, vacancy=None)


@bp.route("/<int:vacancy_id>")
def show(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    return render_template(
        "vacancies/show.html",
        vacancy=vacancy,
        can_edit=permissions.can_edit_vacancy(current_user, vacancy),
        membership=permissions.panel_membership(current_user, vacancy),
        problems=vacancy.stage.readiness(vacancy),
        stages=STAGES,
        status_form=StatusForm(),
    )


@bp.route("/<int:vacancy_id>/edit", methods=["GET", "POST"])
def edit(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    form = VacancyForm(obj=vacancy)
    if form.validate_on_submit():
        data = _form_data(form)
        stored = _store_jd_upload(form)
        if stored is not False:
            old_file = vacancy.job_description_file
            if stored:
                data["job_description_filename"] = form.job_description_file.data.filename[:255]
            try:
                services.update_vacancy(db(), current_user, vacancy, data, job_description_file=stored)
            except services.VacancyError as exc:  # the same reference saved by someone else a moment ago
                field_error(form, exc, "reference")
                delete_file(stored)
            else:
                if stored and old_file:
                    delete_file(old_file)
                flash("The vacancy has been saved.", "success")
                _jd_upload_notices(form)
                return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/form.html", form=form, vacancy=vacancy)


@bp.route("/<int:vacancy_id>/job-description")
def job_description(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_download_job_description)
    if not vacancy.job_description_file:
        abort(404)
    try:
        return send_pdf(vacancy.job_description_file, safe_download_name(f"{vacancy.reference} job description"),
                        original=permissions.can_download_original_file(current_user))
    except FileNotFoundError:
        abort(404)


@bp.route("/<int:vacancy_id>/status", methods=["GET", "POST"])
def status(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    form = StatusForm()
    if vacancy.stage.next is None:
        abort(404)
    error = None
    if form.validate_on_submit():
        try:
            expected = VacancyStatus(request.form.get("from", ""))
        except ValueError:
            expected = None
        try:
            new = services.advance_status(db(), current_user, vacancy, expected)
        except services.VacancyError as exc:
            error = str(exc)
        else:
            flash(f"{vacancy.reference} is now at the {new.label.lower()} stage.", "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))
    return render_template("vacancies/status.html", vacancy=vacancy, form=form, error=error,
                           problems=vacancy.stage.readiness(vacancy)), (400 if error else 200)


@bp.route("/<int:vacancy_id>/archive", methods=["POST"])
def archive(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    form = ConfirmForm()
    if form.validate_on_submit():
        archived = request.form.get("archive") != "0"
        services.set_archived(db(), current_user, vacancy, archived)
        flash(f"{vacancy.reference} has been {'archived' if archived else 'brought back from the archive'}.", "success")
    return redirect(url_for("vacancies.show", vacancy_id=vacancy.id))


# --- person specification ---------------------------------------------------

@bp.route("/<int:vacancy_id>/criteria")
def criteria(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    return render_template("vacancies/criteria.html", vacancy=vacancy, form=ConfirmForm(),
                           can_edit=permissions.can_edit_vacancy(current_user, vacancy),
                           locked=services.spec_is_locked(vacancy))


def _spec_guard(vacancy: Vacancy):
    if services.spec_is_locked(vacancy):
        flash("The person specification cannot change once shortlisting has started.", "info")
        return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id))
    return None


@bp.route("/<int:vacancy_id>/criteria/new", methods=["GET", "POST"])
def criterion_new(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    if (redirect_response := _spec_guard(vacancy)) is not None:
        return redirect_response
    form = CriterionForm()
    if form.validate_on_submit():
        services.add_criterion(db(), current_user, vacancy, services.criterion_data(form))
        flash("Criterion added.", "success")
        if request.form.get("another"):
            return redirect(url_for("vacancies.criterion_new", vacancy_id=vacancy.id))
        return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id))
    return render_template("vacancies/criterion_form.html", vacancy=vacancy, form=form, criterion=None)


@bp.route("/<int:vacancy_id>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
def criterion_edit(vacancy_id: int, criterion_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    criterion = _criterion(vacancy, criterion_id)
    if (redirect_response := _spec_guard(vacancy)) is not None:
        return redirect_response
    form = CriterionForm(data=None if request.method == "POST" else {
        "text": criterion.text, "category": criterion.category.value,
        "essential": "essential" if criterion.essential else "desirable", "assessed_at": criterion.assessed_at.value})
    if form.validate_on_submit():
        services.update_criterion(db(), current_user, criterion, services.criterion_data(form))
        flash("Criterion saved.", "success")
        return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id))
    return render_template("vacancies/criterion_form.html", vacancy=vacancy, form=form, criterion=criterion)


@bp.route("/<int:vacancy_id>/criteria/<int:criterion_id>/move", methods=["POST"])
def criterion_move(vacancy_id: int, criterion_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    criterion = _criterion(vacancy, criterion_id)
    form = ConfirmForm()
    direction = request.form.get("direction")
    if form.validate_on_submit() and direction in ("up", "down"):
        if (redirect_response := _spec_guard(vacancy)) is not None:
            return redirect_response
        services.move_criterion(db(), current_user, criterion, direction)
        flash(f"Criterion moved {direction}.", "success")
    return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id, _anchor=f"criterion-{criterion.id}"))


@bp.route("/<int:vacancy_id>/criteria/<int:criterion_id>/delete", methods=["GET", "POST"])
def criterion_delete(vacancy_id: int, criterion_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    criterion = _criterion(vacancy, criterion_id)
    if (redirect_response := _spec_guard(vacancy)) is not None:
        return redirect_response
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_criterion(db(), current_user, criterion)
        flash("Criterion removed.", "success")
        return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id))
    return render_template("vacancies/criterion_delete.html", vacancy=vacancy, criterion=criterion, form=form)


@bp.route("/<int:vacancy_id>/criteria/copy", methods=["GET", "POST"])
def criteria_copy(vacancy_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    if (redirect_response := _spec_guard(vacancy)) is not None:
        return redirect_response
    sources = queries.other_vacancies_with_criteria(vacancy)
    form = CopyCriteriaForm()
    form.source.choices = [(0, "Choose a vacancy")] + [(v.id, f"{v.reference} – {v.title}") for v in sources]
    if form.validate_on_submit():
        source = next((v for v in sources if v.id == form.source.data), None)
        if source is None:
            form.source.errors.append("Choose a vacancy to copy from")
        else:
            n = services.copy_criteria(db(), current_user, source, vacancy)
            flash(f"{n} criteria copied from {source.reference}. Check and change them as needed.", "success")
            return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id))
    return render_template("vacancies/criteria_copy.html", vacancy=vacancy, form=form, sources=sources)


# --- panel ------------------------------------------------------------------

@bp.route("/<int:vacancy_id>/panel", methods=["GET", "POST"])
def panel(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    can_edit = permissions.can_edit_vacancy(current_user, vacancy)
    form = PanelMemberForm()
    candidates = queries.people_to_add(vacancy) if can_edit else []
    form.user_id.choices = [(0, "Choose a person")] + [(u.id, f"{u.name} ({u.role.label})") for u in candidates]
    if request.method == "POST":
        permissions.require(can_edit)
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
    elif can_edit and not form.panel_role.data:
        form.panel_role.data = "patient"
    return render_template("vacancies/panel.html", vacancy=vacancy, form=form, can_edit=can_edit,
                           has_people=bool(candidates))


@bp.route("/<int:vacancy_id>/panel/<int:member_id>/remove", methods=["GET", "POST"])
def panel_remove(vacancy_id: int, member_id: int):
    vacancy = _vacancy(vacancy_id, permissions.can_edit_vacancy)
    member = next((m for m in vacancy.panel_members if m.id == member_id), None)
    if member is None:
        abort(404)
    form = ConfirmForm()
    error = None
    if form.validate_on_submit():
        try:
            name = member.user.name
            services.remove_panel_member(db(), current_user, member)
        except services.VacancyError as exc:
            error = str(exc)
        else:
            flash(f"{name} has been removed from the panel.", "success")
            return redirect(url_for("vacancies.panel", vacancy_id=vacancy.id))
    return render_template("vacancies/panel_remove.html", vacancy=vacancy, member=member, form=form, error=error)
