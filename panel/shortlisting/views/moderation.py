"""Shortlisting progress, moderation, decisions and the export (HR and the chair)."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import audit, csvexport, permissions
from panel.converters import posted_number
from panel.db import db
from panel.forms import field_error
from panel.loaders import vacancy_view
from panel.models import ShortlistOutcome, Vacancy
from panel.shortlisting import queries, scoring, services
from panel.shortlisting.forms import DecisionForm
from panel.shortlisting.views import bp, candidate_in, visible_results
from panel.uploads import safe_download_name


@bp.route("/progress")
@vacancy_view(permissions.can_view_shortlisting_progress)
def progress(vacancy: Vacancy):
    data = queries.load(vacancy, decisions=False)
    members, per_candidate = services.progress(data)
    live = [c for c in data.candidates if not c.is_withdrawn]
    return render_template("shortlisting/progress.html", vacancy=vacancy, members=members,
                           per_candidate=per_candidate, candidates=live,
                           withdrawn=len(data.candidates) - len(live),
                           identity=permissions.can_see_candidate_identity(current_user, vacancy))


@bp.route("/moderation")
@vacancy_view(permissions.can_view_moderation)
def moderation(vacancy: Vacancy):
    data = queries.load(vacancy)
    results, visible = visible_results(vacancy, data)
    withdrawn = [c for c in data.candidates if c.is_withdrawn]
    return render_template("shortlisting/moderation.html", vacancy=vacancy, results=results, visible=visible,
                           candidates={c.id: c for c in data.candidates}, withdrawn=withdrawn,
                           can_decide=permissions.can_moderate_shortlist(current_user, vacancy),
                           identity=permissions.can_see_candidate_identity(current_user, vacancy),
                           can_export=permissions.can_export_shortlisting(current_user, vacancy),
                           decided=sum(1 for c in data.candidates if c.decision and not c.is_withdrawn),
                           live=len(data.candidates) - len(withdrawn),
                           users={m.user_id: m.user for m in vacancy.panel_members},
                           short=sum(1 for r in results if r.readers_short),
                           can_allocate=permissions.can_allocate_shortlisting(current_user, vacancy))


@bp.route("/moderation/<int:candidate_id>", methods=["GET", "POST"])
@vacancy_view(permissions.can_view_moderation)
def moderate(vacancy: Vacancy, candidate_id: int):
    data = queries.load(vacancy, candidate_id=candidate_id)
    candidate = candidate_in(data, candidate_id)
    result = services.moderate(data, candidate)
    declaration = data.declaration(candidate.id, current_user.id)
    visible = permissions.can_see_scores_of_others(
        current_user, vacancy, permissions.SHORTLISTING, submitted=data.submitted(candidate.id, current_user.id),
        stepped_aside=permissions.did_not_read(vacancy, declaration, data.allocated(candidate.id, current_user.id)),
        all_in=result.all_in)
    can_decide = permissions.can_moderate_shortlist(current_user, vacancy)
    decision = candidate.decision
    form = DecisionForm(data=None if request.method == "POST" else {
        "outcome": decision.outcome.value if decision else None, "reason": decision.reason if decision else "",
        "version": str(decision.version) if decision else ""})
    error = None
    status = 200
    if request.method == "POST":
        permissions.require(can_decide)
        status = 400  # unless saved (a redirect) or refused for the state of things (409)
        if form.validate_on_submit():
            try:
                expected = posted_number(form.version.data)
                services.record_decision(db(), current_user, vacancy, candidate, result,
                                         ShortlistOutcome(form.outcome.data), form.reason.data, expected)
            except services.StaleDecisionError as exc:
                # nothing was changed (the service raised first, or undid its savepoint): show the
                # decision as it now stands, beside what this person chose
                error, status = exc.message, 409
                db().expire_all()
                data = queries.load(vacancy, candidate_id=candidate_id)
                candidate = candidate_in(data, candidate_id)
                result = services.moderate(data, candidate)
                decision = candidate.decision
                form.version.data = str(decision.version) if decision else ""
            except services.ShortlistingError as exc:
                error = field_error(form, exc)
                status = 409 if error else 400  # a refusal for the vacancy's state, or bad input on a field
            else:
                flash(f"Decision for {candidate.label} saved: {ShortlistOutcome(form.outcome.data).label}.", "success")
                return redirect(url_for("shortlisting.moderation", vacancy_id=vacancy.id,
                                        _anchor=f"candidate-{candidate.id}"))
    users = {m.user_id: m.user for m in vacancy.panel_members}
    return render_template("shortlisting/moderate.html", vacancy=vacancy, candidate=candidate, result=result,
                           visible=visible, can_decide=can_decide, form=form, error=error, users=users,
                           decision=decision, scale=scoring.SCALE,
                           comments=services.comments_of(data, result) if visible else {},
                           identity=permissions.can_see_candidate_identity(current_user, vacancy)), status


@bp.route("/export.csv")
@vacancy_view(permissions.can_export_shortlisting)
def export(vacancy: Vacancy):
    data = queries.load(vacancy)
    results, visible = visible_results(vacancy, data)
    users = {m.user_id: m.user for m in vacancy.panel_members}
    rows = services.export_rows(data, [r for r in results if visible[r.candidate_id]],
                                identity=permissions.can_see_candidate_identity(current_user, vacancy), users=users,
                                contact=permissions.can_see_candidate_contact_details(current_user, vacancy))
    name = safe_download_name(f"{vacancy.reference} shortlisting").removesuffix(".pdf") + ".csv"
    audit.record(db(), current_user, "download", entity_type="export", vacancy_id=vacancy.id,
                 summary=f"Shortlisting export (CSV) for {vacancy.reference} downloaded")
    return Response(csvexport.to_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
