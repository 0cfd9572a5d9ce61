"""The person specification: its criteria (HR edits until shortlisting starts; the panel reads)."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.db import db
from panel.forms import ConfirmForm, refused_status
from panel.loaders import found, vacancy_view
from panel.models import Criterion, Vacancy
from panel.shortlisting.scoring import marking_guide
from panel.vacancies import queries, services
from panel.vacancies.forms import CopyCriteriaForm, CriterionForm
from panel.vacancies.views import bp


def _criterion(vacancy: Vacancy, criterion_id: int) -> Criterion:
    return found(next((c for c in vacancy.criteria if c.id == criterion_id), None))


def _to_criteria(vacancy: Vacancy, **kwargs):
    return redirect(url_for("vacancies.criteria", vacancy_id=vacancy.id, **kwargs))


def _locked(vacancy: Vacancy):
    """Back to the criteria, with why, once the specification cannot change; else None."""
    if services.spec_is_locked(vacancy):
        flash("The person specification cannot change once shortlisting has started.", "info")
        return _to_criteria(vacancy)
    return None


@bp.route("/<int:vacancy_id>/criteria")
@vacancy_view(permissions.can_view_vacancy)
def criteria(vacancy: Vacancy):
    return render_template("vacancies/criteria.html", vacancy=vacancy, form=ConfirmForm(),
                           guides={c.id: marking_guide(c.guide_texts) for c in vacancy.criteria},
                           can_edit=permissions.can_edit_vacancy(current_user, vacancy),
                           locked=services.spec_is_locked(vacancy))


@bp.route("/<int:vacancy_id>/criteria/new", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_vacancy)
def criterion_new(vacancy: Vacancy):
    if (back := _locked(vacancy)) is not None:
        return back
    form = CriterionForm()
    if form.validate_on_submit():
        services.add_criterion(db(), current_user, vacancy, services.criterion_data(form))
        flash("Criterion added.", "success")
        if request.form.get("another"):
            return redirect(url_for("vacancies.criterion_new", vacancy_id=vacancy.id))
        return _to_criteria(vacancy)
    return render_template("vacancies/criterion_form.html", vacancy=vacancy, form=form, criterion=None,
                           default_guide=marking_guide(())), refused_status(form)


@bp.route("/<int:vacancy_id>/criteria/<int:criterion_id>/edit", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_vacancy)
def criterion_edit(vacancy: Vacancy, criterion_id: int):
    criterion = _criterion(vacancy, criterion_id)
    if (back := _locked(vacancy)) is not None:
        return back
    form = CriterionForm(data=None if request.method == "POST" else services.criterion_form_data(criterion))
    if form.validate_on_submit():
        services.update_criterion(db(), current_user, criterion, services.criterion_data(form))
        flash("Criterion saved.", "success")
        return _to_criteria(vacancy)
    return render_template("vacancies/criterion_form.html", vacancy=vacancy, form=form, criterion=criterion,
                           default_guide=marking_guide(())), refused_status(form)


@bp.route("/<int:vacancy_id>/criteria/<int:criterion_id>/move", methods=["POST"])
@vacancy_view(permissions.can_edit_vacancy)
def criterion_move(vacancy: Vacancy, criterion_id: int):
    criterion = _criterion(vacancy, criterion_id)
    direction = request.form.get("direction")
    if ConfirmForm().validate_on_submit() and direction in ("up", "down"):
        if (back := _locked(vacancy)) is not None:
            return back
        services.move_criterion(db(), current_user, criterion, direction)
        flash(f"Criterion moved {direction}.", "success")
    return _to_criteria(vacancy, _anchor=f"criterion-{criterion.id}")


@bp.route("/<int:vacancy_id>/criteria/<int:criterion_id>/delete", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_vacancy)
def criterion_delete(vacancy: Vacancy, criterion_id: int):
    criterion = _criterion(vacancy, criterion_id)
    if (back := _locked(vacancy)) is not None:
        return back
    form = ConfirmForm()
    if form.validate_on_submit():
        services.delete_criterion(db(), current_user, criterion)
        flash("Criterion removed.", "success")
        return _to_criteria(vacancy)
    return render_template("vacancies/criterion_delete.html", vacancy=vacancy, criterion=criterion, form=form)


@bp.route("/<int:vacancy_id>/criteria/copy", methods=["GET", "POST"])
@vacancy_view(permissions.can_edit_vacancy)
def criteria_copy(vacancy: Vacancy):
    if (back := _locked(vacancy)) is not None:
        return back
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
            return _to_criteria(vacancy)
    return render_template("vacancies/criteria_copy.html", vacancy=vacancy, form=form,
                           sources=sources), refused_status(form)
