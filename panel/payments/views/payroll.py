"""HR's (or the involvement lead's) side of the money: the claims waiting for a decision, the
rates and expenses rules, and the payroll exports."""
from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import audit
from panel.db import db
from panel.errors import ServiceError, StaleEdit
from panel.forms import field_error, refused_status
from panel.loaders import found
from panel.models import ClaimStatus, PayrollExport
from panel.payments import queries, services
from panel.payments.forms import ExportForm, RateForm, RulesForm
from panel.payments.views import _common, _pounds, bp, manager


@bp.route("/review")
@manager
def review():
    waiting = queries.claims_in(db(), ClaimStatus.OPEN)
    approved = queries.claims_in(db(), (ClaimStatus.APPROVED,))
    return render_template("payments/review.html", waiting=waiting, approved=approved,
                           counts=queries.counts_by_status(db()), totals=queries.tax_year_totals(db()),
                           to_export=queries.waiting_for_export(db()), **_common())


@bp.route("/rates")
@manager
def rates():
    return render_template("payments/rates.html", rates=queries.all_rates(db()), all_rules=queries.all_rules(db()),
                           **_common())


@bp.route("/rates/new", methods=["GET", "POST"])
@manager
def new_rate():
    form = RateForm()
    error = None
    if form.validate_on_submit():
        try:
            services.add_rate(db(), current_user, kind=form.kind.data, unit=form.unit.data, pence=form.rate.pence,
                              cost_centre=form.cost_centre.data or "", effective_from=form.effective_from.data)
            flash("The new rate has been saved.", "success")
            return redirect(url_for("payments.rates"))
        except ServiceError as exc:
            error = field_error(form, exc)
    return render_template("payments/rate_form.html", form=form, error=error, **_common()), refused_status(form, error)


@bp.route("/rules/new", methods=["GET", "POST"])
@manager
def new_rules():
    current = services.rules_on(db(), services.today())
    form = RulesForm(data=None if request.method == "POST" or current is None else {
        "mileage_rate": _pounds(current.mileage_pence_per_mile), "max_miles": str(current.max_miles),
        "fares_limit": _pounds(current.fares_limit_pence), "parking_limit": _pounds(current.parking_limit_pence),
        "care_limit": _pounds(current.care_limit_pence), "cost_centre": current.cost_centre,
        "tax_note": current.tax_note, "advice_url": current.advice_url})
    error = None
    if form.validate_on_submit():
        try:
            services.add_rules(db(), current_user, mileage_pence_per_mile=form.mileage_rate.pence,
                               max_miles=form.max_miles.tenths // 10, fares_limit_pence=form.fares_limit.pence,
                               parking_limit_pence=form.parking_limit.pence, care_limit_pence=form.care_limit.pence,
                               cost_centre=form.cost_centre.data or "", tax_note=form.tax_note.data or "",
                               advice_url=form.advice_url.data or "", effective_from=form.effective_from.data)
            flash("The expenses rules have been saved.", "success")
            return redirect(url_for("payments.rates"))
        except ServiceError as exc:
            error = field_error(form, exc)
    return render_template("payments/rules_form.html", form=form, error=error, **_common()), \
        refused_status(form, error)


@bp.route("/exports", methods=["GET", "POST"])
@manager
def exports():
    form = ExportForm(data=None if request.method == "POST" else {"period_end": services.today()})
    error = None
    if form.validate_on_submit():
        try:
            made = services.make_export(db(), current_user, form.period_end.data)
            flash(f"The payroll file has {made.claim_count} claim{'' if made.claim_count == 1 else 's'}. "
                  "Download it below.", "success")
            return redirect(url_for("payments.exports"))
        except StaleEdit as exc:
            error = exc.message
        except ServiceError as exc:
            error = field_error(form, exc)
    return render_template("payments/exports.html", form=form, error=error, exports=queries.exports(db()),
                           to_export=queries.waiting_for_export(db()), **_common()), refused_status(form, error)


@bp.route("/exports/<int:export_id>.csv")
@manager
def export_file(export_id: int):
    made = found(db().get(PayrollExport, export_id))
    audit.record(db(), current_user, "payments.export_downloaded", made,
                 summary=f"Payroll export {made.id} downloaded")
    return Response(made.csv, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="payroll-{made.period_end.isoformat()}-{made.id}.csv"',
                             "Cache-Control": "no-store"})
