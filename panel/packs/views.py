"""Pack downloads under /vacancies/<id>/packs/..., and the page that lists them."""
from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from panel import permissions
from panel.db import db
from panel.models import InterviewSignOff, Vacancy
from panel.packs import context as pack_context
from panel.packs import render, service
from panel.packs.forms import PrintSizeForm

NOT_SIGNED_OFF = ("The chair has not signed off the interview results yet. The results pack can be made "
                  "once they are signed off.")

bp = Blueprint("packs", __name__, url_prefix="/vacancies/<int:vacancy_id>/packs")


@bp.before_request
@login_required
def _signed_in():
    return None


def _vacancy(vacancy_id: int) -> Vacancy:
    vacancy = pack_context.load_vacancy(vacancy_id)
    if vacancy is None or not permissions.can_view_packs(current_user, vacancy):
        abort(404)
    return vacancy


def _signoff(vacancy: Vacancy) -> InterviewSignOff | None:
    return db().scalar(select(InterviewSignOff).where(InterviewSignOff.vacancy_id == vacancy.id))


def _large_print() -> bool:
    """?large_print=1 or 0 chooses the print size of this download; without it, the person's
    preference. A download only reads: the choice is remembered by _remember_print_size."""
    choice = request.args.get("large_print")
    if choice in ("0", "1"):
        return choice == "1"
    return bool(current_user.large_print)


def _remember_print_size(endpoint: str, vacancy: Vacancy, **values):
    """POST from the packs page: remember the print size chosen for this download as the
    person's preference, then send the browser to the download itself (303: a GET)."""
    form = PrintSizeForm()
    if form.validate_on_submit():
        large_print = form.large_print.data == "1"
        service.remember_large_print(current_user._get_current_object(), large_print)
        values["large_print"] = int(large_print)
    # no (or an unknown) size: download in the size they have chosen before
    return redirect(url_for(endpoint, vacancy_id=vacancy.id, **values), 303)


def _download(vacancy: Vacancy, kind: str, **kwargs):
    large_print = _large_print()
    try:
        pack, result = service.make(current_user._get_current_object(), vacancy, kind, large_print=large_print,
                                    **kwargs)
    except pack_context.NotReady as exc:
        return render_template("packs/not_ready.html", vacancy=vacancy, kind=kind,
                               label=service.KIND_LABELS[kind], problems=exc.problems), 409
    except LookupError:
        abort(404)
    except render.RenderError as exc:
        return render_template("packs/failed.html", vacancy=vacancy, label=service.KIND_LABELS[kind],
                               message=str(exc)), 503
    return send_file(result.path, mimetype="application/pdf", as_attachment=True,
                     download_name=service.download_name(pack), max_age=0, etag=result.key[:32],
                     conditional=False)


@bp.route("")
def index(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    user = current_user._get_current_object()
    signoff = _signoff(vacancy) if permissions.results_pack_audience(user, vacancy) else None
    membership = permissions.panel_membership(user, vacancy)
    members = pack_context.panel_members(vacancy)
    return render_template(
        "packs/index.html", vacancy=vacancy, large_print=bool(user.large_print), form=PrintSizeForm(),
        can_panel=permissions.can_download_panel_pack(user, vacancy),
        own=(membership is not None),
        members=members,
        can_shortlisting=permissions.can_download_shortlisting_pack(user, vacancy),
        results_audience=permissions.results_pack_audience(user, vacancy),
        results_ready=permissions.results_signed_off(signoff),
        names_shown=pack_context.names_shown(vacancy),
    )


# Each pack: GET downloads it (reading only); POST, from the packs page's buttons, remembers
# the print size chosen and redirects to the GET.

@bp.route("/panel.pdf", methods=["GET", "POST"])
def panel_pack(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.can_download_panel_pack(current_user, vacancy))
    if request.method == "POST":
        return _remember_print_size("packs.panel_pack", vacancy)
    return _download(vacancy, "panel")


@bp.route("/panelist/<int:user_id>.pdf", methods=["GET", "POST"])
def panelist_pack(vacancy_id: int, user_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.can_download_panelist_pack(current_user, vacancy, user_id))
    if request.method == "POST":
        return _remember_print_size("packs.panelist_pack", vacancy, user_id=user_id)
    return _download(vacancy, "panelist", panelist_user_id=user_id)


@bp.route("/shortlisting.pdf", methods=["GET", "POST"])
def shortlisting_pack(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.can_download_shortlisting_pack(current_user, vacancy))
    if request.method == "POST":
        return _remember_print_size("packs.shortlisting_pack", vacancy)
    membership = permissions.panel_membership(current_user, vacancy)
    return _download(vacancy, "shortlisting", for_user_id=membership.user_id if membership else None)


@bp.route("/results.pdf", methods=["GET", "POST"])
def results_pack(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.results_pack_audience(current_user, vacancy))
    if request.method == "POST":
        return _remember_print_size("packs.results_pack", vacancy)
    if not permissions.can_download_results_pack(current_user, vacancy, _signoff(vacancy)):
        return render_template("packs/not_ready.html", vacancy=vacancy, kind="results",
                               label=service.KIND_LABELS["results"], problems=[NOT_SIGNED_OFF]), 409
    return _download(vacancy, "results")
