"""The involvement pages (issue 17): "Do you know any of these people?" when names are revealed,
a vacancy's support contact, asking preferences, check-ins and debriefs, concerns, and My
involvement with its certificate and draft reference letter (made by the pack pipeline)."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from panel import audit, permissions
from panel.db import db, utcnow
from panel.forms import ConfirmForm, field_error, refused_status
from panel.involvement import documents, queries, services
from panel.involvement.forms import (
    AskingPreferenceForm,
    CheckInForm,
    ConcernForm,
    DebriefForm,
    HoursForm,
    RevealForm,
    SupportContactForm,
)
from panel.loaders import found, user_view, vacancy_view
from panel.models import PackJob, PackRequest, Vacancy
from panel.packs import jobs, render
from panel.vacancies.queries import vacancy_with_everything

bp = Blueprint("involvement", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.app_template_global("support_contact_of")
def support_contact_of(vacancy) -> object | None:
    """The vacancy's support contact, for the vacancy and scoring pages (one query)."""
    if vacancy is None or not permissions.can_see_support_contact(current_user, vacancy):
        return None
    return queries.support_contact(db(), vacancy.id)


def _me():
    return current_user._get_current_object()


# --- conflicts at reveal --------------------------------------------------------------

def _safe_next(vacancy: Vacancy) -> str:
    """Where to go after answering: a page of this vacancy the person came from, else the interviews."""
    target = request.values.get("next", "")
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc and target.startswith(f"/vacancies/{vacancy.id}/") \
            and "\\" not in target:
        return target
    return url_for("scoring.interviews", vacancy_id=vacancy.id)


@bp.route("/vacancies/<int:vacancy_id>/interviews/do-you-know", methods=["GET", "POST"])
@vacancy_view(permissions.can_answer_reveal_conflicts)
def reveal(vacancy: Vacancy):
    rows = queries.reveal_rows(db(), vacancy, current_user.id)
    form = RevealForm()
    open_rows = [r for r in rows if not r.stepped_aside]
    form.known.choices = [(r.candidate.id, r.candidate.full_name) for r in open_rows]
    can_answer = vacancy.stage.scoring_open
    error = None
    if request.method == "POST":
        if not can_answer:
            abort(404)
        if form.validate_on_submit():
            try:
                aside = services.answer_reveal(db(), _me(), vacancy, rows, set(form.known.data or []))
            except services.InvolvementError as exc:
                error = field_error(form, exc)
            else:
                if aside:
                    flash(f"You have stepped aside from {len(aside)} candidate{'s' if len(aside) != 1 else ''}'s "
                          "interview. You will not score them, and nobody will ask you why.", "success")
                else:
                    flash("Thank you. You can now score the interviews.", "success")
                return redirect(_safe_next(vacancy), 303)
    return render_template("involvement/reveal.html", vacancy=vacancy, rows=rows, form=form, error=error,
                           can_answer=can_answer, next=request.values.get("next", "")), refused_status(form, error)


# --- support --------------------------------------------------------------------------------

@bp.route("/vacancies/<int:vacancy_id>/support", methods=["GET", "POST"])
@vacancy_view(permissions.can_set_support_contact)
def support(vacancy: Vacancy):
    contact = queries.support_contact(db(), vacancy.id)
    form = SupportContactForm(obj=contact)
    error = None
    if form.validate_on_submit():
        try:
            services.set_support_contact(db(), _me(), vacancy, name=form.name.data, phone=form.phone.data or "",
                                         email=form.email.data or "")
        except services.InvolvementError as exc:
            error = field_error(form, exc)
        else:
            flash("The support contact has been saved. Panel members see it on the vacancy and scoring pages.",
                  "success")
            return redirect(url_for("vacancies.show", vacancy_id=vacancy.id), 303)
    return render_template("involvement/support.html", vacancy=vacancy, form=form, error=error), \
        refused_status(form, error)


@bp.route("/vacancies/<int:vacancy_id>/asking-preference", methods=["GET", "POST"])
@vacancy_view(permissions.can_set_asking_preference)
def asking_preference(vacancy: Vacancy):
    pref = queries.asking_preference(db(), vacancy.id, current_user.id)
    form = AskingPreferenceForm(data=None if request.method == "POST" else
                                {"avoid": ("yes" if pref.avoid_content_notes else "no") if pref else None})
    if form.validate_on_submit():
        services.set_asking_preference(db(), _me(), vacancy, form.avoid.data == "yes")
        flash("Thank you. The chair will see this when choosing who asks each question.", "success")
        return redirect(url_for("plans.plan", vacancy_id=vacancy.id), 303)
    return render_template("involvement/asking_preference.html", vacancy=vacancy, form=form), refused_status(form)


@bp.route("/vacancies/<int:vacancy_id>/debriefs", methods=["GET", "POST"])
@vacancy_view(permissions.can_record_debrief)
def debriefs(vacancy: Vacancy):
    """The chair records that a debrief was offered to each patient panelist (never what was
    said, and never their check-in)."""
    form = DebriefForm()
    if form.validate_on_submit():
        try:
            services.record_debrief(db(), _me(), vacancy, int(form.user_id.data))
        except (ValueError, services.InvolvementError):
            abort(404)
        flash("Recorded: a debrief was offered.", "success")
        return redirect(url_for("involvement.debriefs", vacancy_id=vacancy.id), 303)
    if request.method == "POST":
        abort(400)
    return render_template("involvement/debriefs.html", vacancy=vacancy, members=queries.patient_members(vacancy),
                           offered=queries.debriefs_offered(db(), vacancy.id), form=form)


# --- check-ins ---------------------------------------------------------------------------------

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
    return render_template("involvement/check_ins.html", rows=rows, status=queries.check_in_status,
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
    try:
        vacancy_id = int(raw or 0)
    except (TypeError, ValueError):
        return None
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


# --- recognition: My involvement, certificates, corrected hours -----------------------------

@bp.route("/me/involvement")
@user_view(permissions.can_view_own_involvement)
def mine():
    from panel.models import ClaimStatus
    from panel.payments import queries as payment_queries  # (payments build on the involvement)

    entries = queries.involvement_of(db(), current_user.id)
    claims = {c.activity_key: c for c in payment_queries.claims_of(db(), current_user.id)}
    return render_template("involvement/mine.html", person=current_user, entries=entries,
                           total=queries.total_hours(entries), check_ins=queries.my_check_ins(db(), current_user.id),
                           own=True, can_correct=False, claims=claims,
                           claim_labels=ClaimStatus.LABELS)


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
    row = db().execute(select(PackRequest, PackJob).join(PackJob, PackJob.id == PackRequest.job_id)
                       .where(PackRequest.job_id == job_id, PackRequest.user_id == current_user.id,
                              PackJob.vacancy_id.is_(None), PackJob.kind.in_(documents.KINDS))).first()
    return found(row)


@bp.route("/me/involvement/jobs/<int:job_id>")
@user_view(permissions.can_view_own_involvement)
def document_job(job_id: int):
    """A certificate or reference letter being made: the packs' progress page, for the person
    who asked only (404 for anyone else)."""
    request_row, the_job = _my_document_job(job_id)
    if the_job.finished and request_row.notified_at is None:
        request_row.notified_at = utcnow()
    from panel.packs.service import KIND_LABELS

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


@bp.app_template_filter("hours")
def hours_filter(value) -> str:
    """2.50 -> "2.5 hours"; 1 -> "1 hour"."""
    return documents.hours_text(value)


@bp.app_context_processor
def _involvement_constants():
    from panel.involvement.activities import QUESTION_MINUTES, SHORTLISTING_MINUTES_PER_APPLICATION

    return {"minutes_per_application": SHORTLISTING_MINUTES_PER_APPLICATION, "minutes_per_question": QUESTION_MINUTES}


@bp.app_template_global("involvement_links")
def involvement_links(vacancy) -> dict:
    """What the vacancy and scoring pages offer of the involvement, for the signed-in person."""
    user = current_user
    return {
        "set_support": permissions.can_set_support_contact(user, vacancy),
        "reveal": permissions.can_answer_reveal_conflicts(user, vacancy),
        "debriefs": permissions.can_record_debrief(user, vacancy),
        "asking_preference": permissions.can_set_asking_preference(user, vacancy),
    }
