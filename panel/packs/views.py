"""Pack downloads under /vacancies/<id>/packs/..., and the page that lists them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from panel import permissions
from panel.db import db, utcnow
from panel.loaders import found, vacancy_view
from panel.models import InterviewSignOff, PackJob, PackRequest, Vacancy
from panel.packs import context as pack_context
from panel.packs import jobs, render, service
from panel.packs.forms import PrintSizeForm

bp = Blueprint("packs", __name__, url_prefix="/vacancies/<int:vacancy_id>/packs")


@bp.before_request
@login_required
def _signed_in():
    return None


def _signoff(vacancy: Vacancy) -> InterviewSignOff | None:
    return db().scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))


def _large_print() -> bool:
    """?large_print=1 or 0 chooses the print size of this one download; without it, the
    person's preference. A download only reads: the preference changes only when they save
    it (the packs page's "Always use ..." button, or their account page)."""
    choice = request.args.get("large_print")
    if choice in ("0", "1"):
        return choice == "1"
    return bool(current_user.large_print)


def _and(phrases: list[str]) -> str:
    return phrases[0] if len(phrases) == 1 else ", ".join(phrases[:-1]) + " and " + phrases[-1]


def _not_yet(vacancy: Vacancy, *, interview: bool, own: bool, shortlisting: bool, results: bool,
             results_ready: bool, needs: dict[str, list[str]]) -> list[str]:
    """When each pack this person could have, but that cannot be made yet, will be ready."""
    later = []
    if (interview or own) and needs["interview"] and not vacancy.stage.finished:
        what = "The panel pack and each panel member's pack" if interview else "Your interview pack"
        later.append(f"{what} can be made once {_and(needs['interview'])}.")
    if shortlisting and vacancy.stage.setting_up:
        later.append("The shortlisting pack can be made once shortlisting starts.")
    elif shortlisting and needs["shortlisting"]:
        later.append(f"The shortlisting pack can be made once {_and(needs['shortlisting'])}.")
    if results and not results_ready:
        later.append("The results pack can be made once the chair has signed off the interview results.")
    return later


def _download(vacancy: Vacancy, kind: str, *, panelist_user_id: int | None = None, for_user_id: int | None = None):
    """The pack request: the PDF at once when this exact pack has been made (from the cache),
    otherwise a render job started or joined and a 303 to its progress page. No request
    waits on a render; the download itself always comes through here, so each download is
    checked (by the route's permission) for the person downloading."""
    large_print = _large_print()
    user = current_user._get_current_object()
    try:
        pack = pack_context.build(kind, vacancy, large_print=large_print, panelist_user_id=panelist_user_id,
                                  for_user_id=for_user_id)
    except pack_context.NotReady as exc:
        return render_template("packs/not_ready.html", vacancy=vacancy, kind=kind,
                               label=service.KIND_LABELS[kind], problems=exc.problems), 409
    except LookupError:
        abort(404)
    result = render.cached_pack(pack)
    if result is None:
        job = jobs.start_or_join(db(), user, vacancy, pack, panelist_user_id=panelist_user_id)
        session["pack_jobs"] = True  # look for finished packs on their next pages (notify_finished)
        return redirect(url_for("packs.job", vacancy_id=vacancy.id, job_id=job.id), 303)
    service.record_download(user, vacancy, pack, result, panelist_user_id=panelist_user_id)
    jobs.mark_notified(db(), user.id, result.key)
    return send_file(result.path, mimetype="application/pdf", as_attachment=True,
                     download_name=service.download_name(pack), max_age=0, etag=result.key[:32],
                     conditional=False)


@bp.route("")
@vacancy_view(permissions.can_view_packs, load=pack_context.load_vacancy)
def index(vacancy: Vacancy):
    """Only the packs that can be made now, each with a button per print size (a one-off
    choice), when the others will be ready, and the packs this person asked for lately."""
    user = current_user._get_current_object()
    results_audience = permissions.results_pack_audience(user, vacancy)
    results_ready = results_audience and permissions.results_signed_off(_signoff(vacancy))
    can_panel = permissions.can_download_panel_pack(user, vacancy)
    member = permissions.panel_membership(user, vacancy) is not None
    own = member and not can_panel  # a panel member who may not have the whole panel pack
    needs = pack_context.pack_needs(vacancy)
    interview_ready = not needs["interview"]
    return render_template(
        "packs/index.html", vacancy=vacancy, large_print=bool(user.large_print), form=PrintSizeForm(),
        can_panel=can_panel and interview_ready,
        own=own and interview_ready, member=member,
        members=pack_context.panel_members(vacancy),
        can_shortlisting=permissions.can_download_shortlisting_pack(user, vacancy) and not needs["shortlisting"],
        results_ready=results_ready,
        later=_not_yet(vacancy, interview=can_panel, own=own,
                       shortlisting=permissions.shortlisting_pack_audience(user, vacancy)
                       and (vacancy.stage.setting_up or vacancy.stage.shortlisting_open),
                       results=results_audience, results_ready=results_ready, needs=needs),
        names_shown=vacancy.stage.names_shown,
        my_jobs=jobs.requests_of(db(), user, vacancy), labels=service.KIND_LABELS,
    )


@bp.route("/print-size", methods=["POST"])
@vacancy_view(permissions.can_view_packs, load=pack_context.load_vacancy)
def print_size(vacancy: Vacancy):
    """The packs page's "Always use large (or standard) print" button: the saved preference,
    the size every download button offers first from now on."""
    form = PrintSizeForm()
    if form.validate_on_submit():
        large_print = form.large_print.data == "1"
        service.remember_large_print(current_user._get_current_object(), large_print)
        flash(f"Your packs will now come in {'large' if large_print else 'standard'} print.", "success")
    return redirect(url_for("packs.index", vacancy_id=vacancy.id), 303)


# Each pack: GET asks for it (the PDF, or a job and its progress page); ?large_print=0 or 1
# chooses the size of this download without changing the saved preference.

@bp.route("/panel.pdf")
@vacancy_view(permissions.can_download_panel_pack, load=pack_context.load_vacancy)
def panel_pack(vacancy: Vacancy):
    return _download(vacancy, "panel")


@bp.route("/panelist/<int:user_id>.pdf")
@vacancy_view(permissions.can_view_packs, load=pack_context.load_vacancy)
def panelist_pack(vacancy: Vacancy, user_id: int):
    permissions.require(permissions.can_download_panelist_pack(current_user, vacancy, user_id))
    return _download(vacancy, "panelist", panelist_user_id=user_id)


@bp.route("/shortlisting.pdf")
@vacancy_view(permissions.can_download_shortlisting_pack, load=pack_context.load_vacancy)
def shortlisting_pack(vacancy: Vacancy):
    membership = permissions.panel_membership(current_user, vacancy)
    return _download(vacancy, "shortlisting", for_user_id=membership.user_id if membership else None)


@bp.route("/results.pdf")
@vacancy_view(permissions.results_pack_audience, load=pack_context.load_vacancy)
def results_pack(vacancy: Vacancy):
    if not permissions.can_download_results_pack(current_user, vacancy, _signoff(vacancy)):
        return render_template("packs/not_ready.html", vacancy=vacancy, kind="results",
                               label=service.KIND_LABELS["results"], problems=[pack_context.RESULTS_NOT_SIGNED_OFF]), 409
    return _download(vacancy, "results")


PACK_ENDPOINTS = {"panel": "packs.panel_pack", "panelist": "packs.panelist_pack",
                  "shortlisting": "packs.shortlisting_pack", "results": "packs.results_pack"}


def pack_url(vacancy_id: int, job: PackJob, request_row: PackRequest) -> str:
    """The download link of a job's pack (the pack request itself, so its permission is
    checked again for whoever follows it)."""
    extra = {"user_id": request_row.panelist_user_id} if job.kind == "panelist" else {}
    return url_for(PACK_ENDPOINTS[job.kind], vacancy_id=vacancy_id, large_print=int(job.large_print), **extra)


@bp.route("/jobs/<int:job_id>")
@vacancy_view(permissions.can_view_packs, load=pack_context.load_vacancy)
def job(vacancy: Vacancy, job_id: int):
    """A pack being made: how far it has got, the PDF's link when it is ready, or why it
    failed. Only for the people who asked for it (404 for anyone else)."""
    row = db().execute(select(PackRequest, PackJob).join(PackJob, PackJob.id == PackRequest.job_id)
                       .where(PackRequest.job_id == job_id, PackRequest.user_id == current_user.id,
                              PackJob.vacancy_id == vacancy.id)).first()
    request_row, the_job = found(row)
    if the_job.status in (jobs.DONE, jobs.FAILED) and request_row.notified_at is None:
        request_row.notified_at = utcnow()  # they are looking at it: no notice on the next page
    return render_template("packs/job.html", vacancy=vacancy, job=the_job, label=service.KIND_LABELS[the_job.kind],
                           download_url=pack_url(vacancy.id, the_job, request_row),
                           status_url=url_for("packs.job_status", vacancy_id=vacancy.id, job_id=job_id))


@bp.route("/jobs/<int:job_id>/status")
@vacancy_view(permissions.can_view_packs, load=pack_context.load_vacancy)
def job_status(vacancy: Vacancy, job_id: int):
    """The progress page's live region text, as JSON (read by static/js/pack-progress.js)."""
    row = db().execute(select(PackRequest, PackJob).join(PackJob, PackJob.id == PackRequest.job_id)
                       .where(PackRequest.job_id == job_id, PackRequest.user_id == current_user.id,
                              PackJob.vacancy_id == vacancy.id)).first()
    request_row, the_job = found(row)
    return jsonify(status=the_job.status, message=render_template("packs/_job_progress.txt", job=the_job))


@bp.before_app_request
def notify_finished():
    """Tell a person, on their next page, that a pack they asked for is ready (or failed).
    Costs a query only while they have a pack being made (a flag in their session)."""
    if not session.get("pack_jobs") or request.endpoint in (None, "static") or request.method != "GET" \
            or not current_user.is_authenticated or (request.endpoint or "").startswith("packs.job"):
        return None
    store = db()
    for request_row, the_job in jobs.finished_unnotified(store, current_user.id):
        request_row.notified_at = utcnow()
        label = service.KIND_LABELS[the_job.kind]
        if the_job.status == jobs.DONE:
            flash(f"Your {label} is ready: download it from the packs page.", "success")
        else:
            flash(f"Your {label} could not be made. {the_job.error}", "warning")
    if not jobs.pending_count(store, current_user.id):
        session.pop("pack_jobs", None)
    return None
