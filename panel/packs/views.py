"""Pack downloads under /vacancies/<id>/packs/..., and the page that lists them."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, send_file
from flask_login import current_user, login_required
from sqlalchemy import select

from panel import permissions
from panel.db import db
from panel.models import InterviewSignOff, Vacancy
from panel.packs import context as pack_context
from panel.packs import render, service

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
    """?large_print=1 or 0 chooses (and remembers) the print size; without it, the preference."""
    choice = request.args.get("large_print")
    user = current_user._get_current_object()
    if choice in ("0", "1"):
        service.remember_large_print(user, choice == "1")
        return choice == "1"
    return bool(user.large_print)


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
        "packs/index.html", vacancy=vacancy, large_print=bool(user.large_print),
        can_panel=permissions.can_download_panel_pack(user, vacancy),
        own=(membership is not None),
        members=members,
        can_shortlisting=permissions.can_download_shortlisting_pack(user, vacancy),
        results_audience=permissions.results_pack_audience(user, vacancy),
        results_ready=permissions.results_signed_off(signoff),
        names_shown=pack_context.names_shown(vacancy),
    )


@bp.route("/panel.pdf")
def panel_pack(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.can_download_panel_pack(current_user, vacancy))
    return _download(vacancy, "panel")


@bp.route("/panelist/<int:user_id>.pdf")
def panelist_pack(vacancy_id: int, user_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.can_download_panelist_pack(current_user, vacancy, user_id))
    return _download(vacancy, "panelist", panelist_user_id=user_id)


@bp.route("/shortlisting.pdf")
def shortlisting_pack(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.can_download_shortlisting_pack(current_user, vacancy))
    membership = permissions.panel_membership(current_user, vacancy)
    return _download(vacancy, "shortlisting", for_user_id=membership.user_id if membership else None)


@bp.route("/results.pdf")
def results_pack(vacancy_id: int):
    vacancy = _vacancy(vacancy_id)
    permissions.require(permissions.results_pack_audience(current_user, vacancy))
    if not permissions.can_download_results_pack(current_user, vacancy, _signoff(vacancy)):
        return render_template("packs/not_ready.html", vacancy=vacancy, kind="results",
                               label=service.KIND_LABELS["results"], problems=[NOT_SIGNED_OFF]), 409
    return _download(vacancy, "results")
