"""Recognition: My involvement, its certificate and draft reference letter (made by the pack
pipeline, with a progress page for the person who asked), and a person's involvement with the
hours of each activity correctable by the lead."""
from __future__ import annotations

from flask import abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user

from panel import audit, permissions
from panel.db import db, utcnow
from panel.involvement import documents, queries, services
from panel.involvement.forms import HoursForm
from panel.involvement.views import _me, bp
from panel.loaders import found, user_view
from panel.models import PackJob, PackRequest
from panel.packs import jobs, render
from panel.packs.service import KIND_LABELS
from panel.payments import queries as payment_queries  # (payments build on the involvement)


@bp.route("/me/involvement")
@user_view(permissions.can_view_own_involvement)
def mine():
    entries = queries.involvement_of(db(), current_user.id)
    claims = {c.activity_key: c for c in payment_queries.claims_of(db(), current_user.id)}
    return render_template("involvement/mine.html", person=current_user, entries=entries,
                           total=queries.total_hours(entries), check_ins=queries.my_check_ins(db(), current_user.id),
                           own=True, can_correct=False, claims=claims)


@bp.route("/me/involvement/<kind>.pdf")
@user_view(permissions.can_view_own_involvement)
def document(kind: str):
    if kind not in documents.KINDS:
        abort(404)
    user = _me()
    pack = documents.build(db(), user, kind)
    result = render.cached_pack(pack)
    if result is None:
        job = jobs.start_or_join(db(), user, None, pack)
        session["pack_jobs"] = True  # told on their next page when it is ready (packs.notify_finished)
        return redirect(url_for("involvement.document_job", job_id=job.id), 303)
    audit.record(db(), user, "download", entity_type="pack", entity_id=user.id,
                 summary=f"Downloaded their {pack['heading'].lower()}",
                 changes={"kind": kind, "version": result.key[:8]})
    jobs.mark_notified(db(), user.id, result.key)
    return send_file(result.path, mimetype="application/pdf", as_attachment=True,
                     download_name=documents.download_name(pack), max_age=0, etag=result.key[:32], conditional=False)


def _my_document_job(job_id: int) -> tuple[PackRequest, PackJob]:
    return found(queries.my_document_job(db(), job_id, current_user.id, documents.KINDS))


@bp.route("/me/involvement/jobs/<int:job_id>")
@user_view(permissions.can_view_own_involvement)
def document_job(job_id: int):
    """A certificate or reference letter being made: the packs' progress page, for the person
    who asked only (404 for anyone else)."""
    request_row, the_job = _my_document_job(job_id)
    if the_job.finished and request_row.notified_at is None:
        request_row.notified_at = utcnow()
    return render_template("involvement/document_job.html", job=the_job, label=KIND_LABELS[the_job.kind],
                           download_url=url_for("involvement.document", kind=the_job.kind),
                           status_url=url_for("involvement.document_job_status", job_id=job_id))


@bp.route("/me/involvement/jobs/<int:job_id>/status")
@user_view(permissions.can_view_own_involvement)
def document_job_status(job_id: int):
    _request_row, the_job = _my_document_job(job_id)
    return jsonify(status=the_job.status, message=render_template("packs/_job_progress.txt", job=the_job))


def _person_or_404(user_id: int):
    person = found(queries.person(db(), user_id))
    permissions.require(permissions.can_view_involvement_of(current_user, person.id))
    return person


@bp.route("/involvement/people/<int:user_id>/hours", methods=["GET", "POST"])
@user_view(permissions.can_correct_hours)
def person(user_id: int):
    """A person's involvement, as they see it, with the hours of each activity correctable."""
    person = _person_or_404(user_id)
    form = HoursForm()
    error = None
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                hours = services.parse_hours(form.hours.data)
                services.correct_hours(db(), _me(), person, form.key.data, hours)
            except services.InvolvementError as exc:
                error = exc.message
            else:
                flash(f"The hours have been saved for {person.name}.", "success")
                return redirect(url_for("involvement.person", user_id=person.id), 303)
        else:
            error = next(iter(form.errors.values()))[0]
        status = 400
    entries = queries.involvement_of(db(), person.id)
    return render_template("involvement/mine.html", person=person, entries=entries, total=queries.total_hours(entries),
                           check_ins=[], own=False, can_correct=True, error=error, failed_key=form.key.data,
                           typed=form.hours.data, form=form), status
