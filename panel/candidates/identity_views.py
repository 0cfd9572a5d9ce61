"""The identity check (HR): what may tell the panel who a candidate is, in context, to remove from
the panel's copy or mark as fine. Shortlisting cannot start until the list is clear."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from panel import permissions
from panel.candidates import identity, screening
from panel.candidates.views import bp
from panel.db import db
from panel.forms import ConfirmForm
from panel.loaders import found, vacancy_view
from panel.models import Candidate, IdentityHit, Vacancy


def _hit(vacancy: Vacancy, candidate_id: int, hit_id: int) -> IdentityHit:
    return found(db().scalar(
        select(IdentityHit).join(Candidate, Candidate.id == IdentityHit.candidate_id)
        .where(IdentityHit.id == hit_id, IdentityHit.candidate_id == candidate_id, Candidate.vacancy_id == vacancy.id,
               Candidate.withdrawn_at.is_(None))))


def _back(vacancy: Vacancy, hit: IdentityHit | None = None):
    anchor = f"#candidate-{hit.candidate_id}" if hit is not None else ""
    return redirect(url_for("candidates.identity_check", vacancy_id=vacancy.id) + anchor)


@bp.route("/identity-check")
@vacancy_view(permissions.can_manage_candidates)
def identity_check(vacancy: Vacancy):
    candidates = list(db().scalars(
        select(Candidate).where(Candidate.vacancy_id == vacancy.id, Candidate.withdrawn_at.is_(None),
                                Candidate.purged_at.is_(None))
        .options(selectinload(Candidate.identity_hits)).order_by(Candidate.number)))
    positions = {c.id: c.position for c in vacancy.criteria}
    rows = []
    for c in candidates:
        hits = [{"hit": h, "where": screening.source_label(h.source, positions), "what": identity.KINDS[h.kind],
                 "in_pdf": h.source == screening.APPLICATION} for h in c.identity_hits]
        rows.append({"candidate": c, "open": [h for h in hits if not h["hit"].fine],
                     "fine": [h for h in hits if h["hit"].fine]})
    return render_template("candidates/identity_check.html", vacancy=vacancy, rows=rows, form=ConfirmForm(),
                           unchecked=[c for c in candidates if c.identity_checked_at is None],
                           open_count=sum(len(r["open"]) for r in rows))


@bp.route("/identity-check/run", methods=["POST"])
@vacancy_view(permissions.can_manage_candidates)
def identity_check_run(vacancy: Vacancy):
    form = ConfirmForm()
    if form.validate_on_submit():
        left = screening.scan_vacancy(db(), current_user, vacancy)
        flash(f"Every candidate checked. {left} detail{'s' if left != 1 else ''} to review."
              if left else "Every candidate checked. Nothing to review.", "success")
    return _back(vacancy)


@bp.route("/<int:candidate_id>/identity-check/<int:hit_id>/remove", methods=["POST"])
@vacancy_view(permissions.can_manage_candidates)
def identity_remove(vacancy: Vacancy, candidate_id: int, hit_id: int):
    hit = _hit(vacancy, candidate_id, hit_id)
    form = ConfirmForm()
    if form.validate_on_submit():
        label = hit.candidate.label
        try:
            screening.redact(db(), current_user, hit, confirmed=request.form.get("confirm") == "yes")
        except screening.EmptiesText as exc:
            return render_template("candidates/identity_confirm.html", vacancy=vacancy, hit=hit, form=form,
                                   message=exc.message, what=identity.KINDS[hit.kind])
        except screening.IdentityCheckError as exc:
            flash(exc.message, "warning")
            return _back(vacancy, hit)
        flash(f"Removed from what the panel reads for {label}.", "success")
        return redirect(url_for("candidates.identity_check", vacancy_id=vacancy.id) + f"#candidate-{candidate_id}")
    return _back(vacancy, hit)


@bp.route("/<int:candidate_id>/identity-check/<int:hit_id>/fine", methods=["POST"])
@vacancy_view(permissions.can_manage_candidates)
def identity_fine(vacancy: Vacancy, candidate_id: int, hit_id: int):
    hit = _hit(vacancy, candidate_id, hit_id)
    form = ConfirmForm()
    if form.validate_on_submit() and not hit.fine:
        screening.mark_fine(db(), current_user, hit)
        flash(f"Marked as fine for {hit.candidate.label}: the panel will see it.", "success")
    return _back(vacancy, hit)
