"""The claimant's own pages: what they did and claimed, their choice about being paid, and
their records."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel.auth.urls import safe_next
from panel.db import db
from panel.errors import ServiceError
from panel.forms import field_error, refused_status
from panel.payments import queries, services
from panel.payments.forms import ChoiceForm
from panel.payments.views import _activities_with_claims, _common, _records_download, bp, claimant


@bp.route("")
@claimant
def mine():
    activities, claims = _activities_with_claims(current_user)
    return render_template("payments/mine.html", activities=activities, claims=list(claims.values()),
                           choice=services.choice_on(db(), current_user.id, services.today()),
                           totals=queries.tax_year_totals(db(), current_user.id), **_common())


@bp.route("/choice", methods=["GET", "POST"])
@claimant
def choice():
    current = services.choice_on(db(), current_user.id, services.today())
    form = ChoiceForm(data=None if request.method == "POST" else {"choice": current.choice if current else None})
    error = None
    if form.validate_on_submit():
        try:
            services.set_choice(db(), current_user, current_user, choice=form.choice.data,
                                effective_from=form.effective_from.data)
            flash("Your choice has been saved. It applies to what you do from that date.", "success")
            return redirect(safe_next(request.args.get("next"), home=url_for("payments.mine"), within="/claims/"))
        except ServiceError as exc:
            error = field_error(form, exc)
    return render_template("payments/choice.html", form=form, current=current, error=error,
                           history=services.choice_history(db(), current_user.id), **_common()), \
        refused_status(form, error)


@bp.route("/my-records.json")
@claimant
def my_records():
    return _records_download(current_user)
