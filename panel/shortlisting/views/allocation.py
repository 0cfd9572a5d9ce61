"""Sharing the reading (issue 14): the page where HR or the chair shares the applications
out (each read by k panel members), moves the unscored share of someone who stopped reading
to the others, and undoes a stop. Endpoints "shortlisting.allocation_page",
"shortlisting.release_reader" and "shortlisting.resume_reader"."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from panel import permissions
from panel.db import db
from panel.forms import field_error, refused_status
from panel.loaders import vacancy_view
from panel.models import Vacancy
from panel.shortlisting import allocation
from panel.shortlisting.forms import AllocationForm, ReleaseReaderForm, ResumeReaderForm
from panel.shortlisting.views import bp

RESUME = "resume"  # the undo form's field prefix: its radios are not the release form's (ids, names)


def _page(vacancy: Vacancy, state: allocation.AllocationState, form=None, release_form=None, error=None,
          resume_form=None):
    readers = state.readers()
    form = form or AllocationForm(data={"readers": str(state.k or len(vacancy.panel_members))})
    release_form = release_form or ReleaseReaderForm()
    release_form.member.choices = [(r.user_id, m.user.name) for r in readers
                                   if (m := permissions.member_of(vacancy, r.user_id)) is not None]
    resume_form = resume_form or ResumeReaderForm(prefix=RESUME)
    resume_form.member.choices = [(m.user_id, m.user.name) for m in vacancy.panel_members if m.user_id in state.released]
    labels = {cid: f"Candidate {number:02d}" for cid, number, _w in state.candidates}
    status = max(refused_status(form, error), refused_status(release_form), refused_status(resume_form))
    return render_template(
        "shortlisting/allocation.html", vacancy=vacancy, state=state, form=form, release_form=release_form,
        resume_form=resume_form, error=error, members=state.members(), short=[(labels[cid], n) for cid, n in state.short().items()],
        no_patient=[labels[cid] for cid in state.no_patient()], available=len(readers),
        has_patient=any(r.patient for r in readers), live=len(state.live_ids)), status


@bp.route("/allocation", methods=["GET", "POST"])
@vacancy_view(permissions.can_allocate_shortlisting)
def allocation_page(vacancy: Vacancy):
    state = allocation.load_state(vacancy)
    form = AllocationForm()
    if not form.is_submitted():
        return _page(vacancy, state)
    if form.validate_on_submit():
        try:
            k = allocation.share_out(db(), current_user, vacancy, form.readers.data, state)
        except allocation.AllocationError as exc:
            return _page(vacancy, state, form=form, error=field_error(form, exc))
        flash(f"Each application is now read by {k} panel members." if k else
              "Every panel member now reads every application.", "success")
        return redirect(url_for("shortlisting.allocation_page", vacancy_id=vacancy.id))
    return _page(vacancy, state, form=form)


def _change_reader(vacancy: Vacancy, form, service, done: str, form_name: str):
    """Release a reader, or undo a release: the service's count in the flash message ``done``."""
    state = allocation.load_state(vacancy)
    if form.validate_on_submit():
        try:
            n = service(db(), current_user, vacancy, form.member.data, state)
        except allocation.AllocationError as exc:
            return _page(vacancy, state, error=field_error(form, exc), **{form_name: form})
        flash(done.format(n=n, s="s" if n != 1 else ""), "success")
        return redirect(url_for("shortlisting.allocation_page", vacancy_id=vacancy.id))
    return _page(vacancy, state, **{form_name: form})


@bp.route("/allocation/release", methods=["POST"])
@vacancy_view(permissions.can_allocate_shortlisting)
def release_reader(vacancy: Vacancy):
    return _change_reader(vacancy, ReleaseReaderForm(), allocation.release_reader,
                          "{n} unscored application{s} shared among the other panel members.", "release_form")


@bp.route("/allocation/resume", methods=["POST"])
@vacancy_view(permissions.can_allocate_shortlisting)
def resume_reader(vacancy: Vacancy):
    """Undo a reading-stop: the panel member reads again."""
    return _change_reader(vacancy, ResumeReaderForm(prefix=RESUME), allocation.resume_reader,
                          "They read applications again: {n} application{s} shared back to them.", "resume_form")
