"""Pack downloads under /vacancies/<id>/packs/..., and the page that lists them."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from panel import permissions
from panel.db import db
from panel.models import InterviewSignOff, Vacancy
from panel.packs import context as pack_context
from panel.packs import render, service
from panel.packs.forms import PrintSizeForm

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
    """Only the packs that can be made now, each with a button per print size (a one-off
    choice), and when the others will be ready."""
    vacancy = _vacancy(vacancy_id)
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
    )


@bp.route("/print-size", methods=["POST"])
def print_size(vacancy_id: int):
    """The packs page's "Always use large (or standard) print" button: the saved preference,
    the size every download button offers first from now on."""
    vacancy = _vacancy(vacancy_id)
    form = PrintSizeForm()
    if form.validate_on_submit():
        large_print = form.large_print.data == "1"
        service.remember_large_print(current_user._get_current_object(), large_print)
        flash(f"Your packs will now come in {'large' if large_print else 'standard'} print.", "success")
    return redirect(url_for("packs.index", vacancy_id=vacancy.id), 303)


# Each pack: GET downloads it, reading only; ?large_print=0 or 1 chooses the size of this
# download without changing the saved preference.

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
                               label=service.KIND_LABELS["results"], problems=[pack_context.RESULTS_NOT_SIGNED_OFF]), 409
    return _download(vacancy, "results")
