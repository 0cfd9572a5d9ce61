"""Candidates (HR): add one by form, import many from a CSV file, upload each application
PDF, mark Disability Confident, withdraw. The panel sees names only once interviewing starts."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.booking import messages
from panel.booking import services as booking_services
from panel.candidates import importing, queries, screening, services
from panel.candidates.forms import ApplicationForm, FindCandidateForm, ImportForm, candidate_form
from panel.converters import posted_number
from panel.db import db
from panel.forms import ConfirmForm, field_error
from panel.loaders import found, vacancy_view
from panel.models import Candidate, Vacancy
from panel.shortlisting.allocation import is_allocated
from panel.shortlisting.queries import declaration_of
from panel.uploads import (
    SCRIPT_WARNING,
    UploadError,
    clean_pdf,
    delete_file,
    identity_warning,
    pdf_has_script,
    pdf_text,
    read_pdf,
    safe_download_name,
    save_pdf,
    send_pdf,
)

bp = Blueprint("candidates", __name__, url_prefix="/vacancies/<int:vacancy_id>/candidates")


@bp.before_request
@login_required
def _signed_in():
    return None


def _flash_if_held(vacancy: Vacancy, candidate: Candidate) -> None:
    """After HR adds or changes an application while shortlisting is under way: if the identity
    check found anything, say that the panel cannot read it until HR has reviewed it."""
    if permissions.held_for_identity_check(vacancy, candidate) and not vacancy.stage.setting_up:
        n = candidate.identity_open
        flash(f"The identity check found {n} detail{'s' if n != 1 else ''} in {candidate.label}'s application that "
              f"could say who they are. The panel cannot read it until you review "
              f"{'them' if n != 1 else 'it'} in the identity check.", "warning")


def _candidate(vacancy: Vacancy, candidate_id: int) -> Candidate:
    return found(queries.candidate_of_vacancy(vacancy.id, candidate_id))


@bp.route("")
@vacancy_view(permissions.can_view_candidates)
def index(vacancy: Vacancy):
    candidates = queries.candidates_of(vacancy.id)
    can_manage = permissions.can_manage_candidates(current_user, vacancy)
    # hundreds of candidates: a search box (from SEARCH_FROM) and pages of LIST_PAGE_SIZE
    form = FindCandidateForm(request.args)
    form.validate()
    search = form.q.data if not form.q.errors else ""
    matches = queries.find_candidates(candidates, search or "", by_email=can_manage)
    listing = queries.list_page(matches, posted_number(request.args.get("page"), 1) or 1)
    return render_template("candidates/index.html", vacancy=vacancy, candidates=candidates, listing=listing,
                           form=form, search=search or "", offer_search=len(candidates) >= queries.SEARCH_FROM,
                           can_add=permissions.can_add_candidates(current_user, vacancy), can_manage=can_manage,
                           can_send_letters=permissions.can_send_outcome_letters(current_user, vacancy),
                           identity_left=screening.outstanding(db(), vacancy) if can_manage else None)


@bp.route("/new", methods=["GET", "POST"])
@vacancy_view(permissions.can_add_candidates)
def new(vacancy: Vacancy):
    criteria = services.scored_criteria(vacancy)
    form = candidate_form(criteria)
    if form.validate_on_submit():
        try:
            candidate = services.create_candidate(db(), current_user, vacancy, form.data_dict(), form.evidence())
        except services.CandidateError as exc:
            field_error(form, exc, "first_name")
        else:
            flash(f"{candidate.full_name} added as {candidate.label}.", "success")
            _flash_if_held(vacancy, candidate)
            if request.form.get("another"):
                return redirect(url_for("candidates.new", vacancy_id=vacancy.id))
            if not candidate.supporting_information:  # the application is a file: the next step is to upload it
                return redirect(url_for("candidates.upload", vacancy_id=vacancy.id, candidate_id=candidate.id))
            return redirect(url_for("candidates.show", vacancy_id=vacancy.id, candidate_id=candidate.id))
    return render_template("candidates/form.html", vacancy=vacancy, form=form, criteria=criteria, candidate=None)


@bp.route("/import", methods=["GET", "POST"])
@vacancy_view(permissions.can_add_candidates)
def import_csv(vacancy: Vacancy):
    """Step 1: the file. One in panel's own columns imports at once (all or nothing); any other
    export (an Excel workbook, or columns we do not know) goes on to the columns page."""
    form = ImportForm()
    result = None
    max_bytes = current_app.config["IMPORT_MAX_MB"] * 1024 * 1024
    if form.validate_on_submit():
        file = form.file.data
        if not file or not getattr(file, "filename", ""):
            form.file.errors.append("Choose a CSV or Excel file to import")
        else:
            data = file.stream.read(max_bytes + 1)
            result, token = import_views.first_look(vacancy, data, max_bytes)
            if token:
                return redirect(url_for("candidates.import_columns", vacancy_id=vacancy.id, token=token))
            if result is None:
                result = services.import_csv(db(), current_user, vacancy, data, max_bytes)
            if result.ok:
                flash(f"{len(result.rows)} candidates imported.", "success")
                for notice in (importing.ignored_notice(result), importing.without_statement_notice(result)):
                    if notice:
                        flash(notice, "info")
                return redirect(url_for("candidates.index", vacancy_id=vacancy.id))
            form.file.errors.append("The file was not imported. Fix the problems listed and try again")
    return render_template("candidates/import.html", vacancy=vacancy, form=form, result=result,
                           ignored=importing.ignored_notice(result) if result else None,
                           criteria=services.scored_criteria(vacancy), limits=importing.LIMITS,
                           evidence_limit=importing.EVIDENCE_LIMIT, max_mb=current_app.config["IMPORT_MAX_MB"],
                           max_rows=importing.MAX_ROWS)


@bp.route("/<int:candidate_id>")
@vacancy_view(permissions.can_view_candidates)
def show(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    declaration = None if permissions.is_hr(current_user) else declaration_of(current_user.id, candidate.id)
    allocated = is_allocated(vacancy, current_user.id, candidate.id)
    audit.record(db(), current_user, "view", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"{candidate.label}'s personal details viewed")
    hr = permissions.is_hr(current_user)  # HR reads the original; the panel, the copy with HR's redactions
    return render_template("candidates/show.html", vacancy=vacancy, candidate=candidate,
                           criteria=services.scored_criteria(vacancy),
                           statement=candidate.supporting_information if hr else candidate.text_for_panel,
                           evidence={e.criterion_id: (e.text if hr else e.text_for_panel) for e in candidate.evidence},
                           redacted=hr and (candidate.panel_supporting_information is not None
                                            or any(e.panel_text is not None for e in candidate.evidence)),
                           can_manage=permissions.can_manage_candidates(current_user, vacancy),
                           can_see_contact=permissions.can_see_candidate_contact_details(current_user, vacancy),
                           can_read=permissions.can_read_application(current_user, vacancy, candidate, declaration,
                                                                     allocated=allocated),
                           withdraw_form=ConfirmForm(), **_booking_and_messages(vacancy, candidate))


def _booking_and_messages(vacancy: Vacancy, candidate: Candidate) -> dict:
    """HR's view of the candidate's own booking and of every message written to them."""
    if not permissions.can_see_candidate_contact_details(current_user, vacancy):
        return {"booking": None, "messages": []}

    return {"booking": booking_services.bookings_by_candidate(db(), vacancy.id).get(candidate.id),
            "messages": messages.messages_to(db(), candidate.id),
            "can_send_letters": permissions.can_send_outcome_letters(current_user, vacancy)}


@bp.route("/<int:candidate_id>/edit", methods=["GET", "POST"])
@vacancy_view(permissions.can_manage_candidates)
def edit(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    criteria = services.scored_criteria(vacancy)
    evidence = {e.criterion_id: e.text for e in candidate.evidence}
    form = candidate_form(criteria, data=None if request.method == "POST" else {
        "first_name": candidate.first_name, "last_name": candidate.last_name, "email": candidate.email,
        "phone": candidate.phone, "supporting_information": candidate.supporting_information,
        "disability_confident": candidate.disability_confident,
        **{f"evidence_{c.id}": evidence.get(c.id, "") for c in criteria}})
    if form.validate_on_submit():
        try:
            changes = services.update_candidate(db(), current_user, candidate, form.data_dict(), form.evidence())
        except services.CandidateError as exc:
            field_error(form, exc, "first_name")
        else:
            flash(f"{candidate.label} saved." if changes else "Nothing was changed.", "success")
            _flash_if_held(vacancy, candidate)
            return redirect(url_for("candidates.show", vacancy_id=vacancy.id, candidate_id=candidate.id))
    return render_template("candidates/form.html", vacancy=vacancy, form=form, criteria=criteria, candidate=candidate)


@bp.route("/<int:candidate_id>/application", methods=["GET", "POST"])
@vacancy_view(permissions.can_manage_candidates)
def upload(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    form = ApplicationForm()
    if form.validate_on_submit():
        file = form.file.data
        if not file or not getattr(file, "filename", ""):
            form.file.errors.append("Choose the application PDF to upload")
        else:
            try:
                data = read_pdf(file)
                cleaned = clean_pdf(data)
                stored = save_pdf(data, cleaned)
            except UploadError as exc:
                form.file.errors.append(str(exc))
            else:
                old = services.set_application(db(), current_user, candidate, stored, file.filename,
                                               application_text=pdf_text(cleaned))
                if old:
                    delete_file(old)
                flash(f"Application PDF uploaded for {candidate.label}.", "success")
                _flash_if_held(vacancy, candidate)
                if pdf_has_script(data):
                    flash(SCRIPT_WARNING, "warning")
                warning = identity_warning(data, cleaned, first_name=candidate.first_name,
                                           last_name=candidate.last_name, email=candidate.email, phone=candidate.phone)
                if warning:
                    flash(warning, "warning")
                return redirect(url_for("candidates.show", vacancy_id=vacancy.id, candidate_id=candidate.id))
    return render_template("candidates/upload.html", vacancy=vacancy, candidate=candidate, form=form)


@bp.route("/<int:candidate_id>/application.pdf")
@vacancy_view(permissions.can_view_vacancy)
def application(vacancy: Vacancy, candidate_id: int):
    """The application PDF, as a download named by the label only (never the file's own name):
    the original for HR, the cleaned copy for the panel (the chair included)."""
    candidate = _candidate(vacancy, candidate_id)
    declaration = None if permissions.is_hr(current_user) else declaration_of(current_user.id, candidate.id)
    permissions.require(permissions.can_read_application(current_user, vacancy, candidate, declaration,
                                                         allocated=is_allocated(vacancy, current_user.id, candidate.id)))
    if not candidate.application_file:
        abort(404)
    original = permissions.can_download_original_file(current_user)
    audit.record(db(), current_user, "download", candidate, vacancy_id=vacancy.id, candidate_id=candidate.id,
                 summary=f"Application PDF of {candidate.label} downloaded "
                         f"({'as uploaded' if original else 'the panel copy, without hidden details'})")
    try:
        return send_pdf(candidate.application_file,
                        safe_download_name(f"{vacancy.reference} {candidate.label} application"), original=original)
    except FileNotFoundError:
        abort(404)


@bp.route("/<int:candidate_id>/withdraw", methods=["GET", "POST"])
@vacancy_view(permissions.can_manage_candidates)
def withdraw(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    if candidate.is_withdrawn:
        return redirect(url_for("candidates.show", vacancy_id=vacancy.id, candidate_id=candidate.id))
    form = ConfirmForm()
    if form.validate_on_submit():
        services.set_withdrawn(db(), current_user, candidate, True)
        flash(f"{candidate.full_name} ({candidate.label}) has been withdrawn.", "success")
        return redirect(url_for("candidates.show", vacancy_id=vacancy.id, candidate_id=candidate.id))
    return render_template("candidates/withdraw.html", vacancy=vacancy, candidate=candidate, form=form)


@bp.route("/<int:candidate_id>/reinstate", methods=["POST"])
@vacancy_view(permissions.can_manage_candidates)
def reinstate(vacancy: Vacancy, candidate_id: int):
    candidate = _candidate(vacancy, candidate_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        services.set_withdrawn(db(), current_user, candidate, False)
        flash(f"{candidate.full_name} ({candidate.label}) is back in the process.", "success")
    return redirect(url_for("candidates.show", vacancy_id=vacancy.id, candidate_id=candidate.id))


from panel.candidates import identity_views, import_views  # noqa: E402  (their routes are on bp)
