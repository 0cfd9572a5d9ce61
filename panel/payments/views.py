"""Claims for involvement payments and expenses, under /claims: a person's own claims ("Claim for
your involvement"), and HR's (or the involvement lead's) approval, rates, people, paper claims
and payroll exports."""
from __future__ import annotations

import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from panel import audit, permissions
from panel.db import db
from panel.errors import ServiceError, StaleEdit
from panel.forms import STALE_EDIT_STATUS, field_error, refused_status, stale_edit
from panel.involvement.activities import LABELS
from panel.involvement.queries import activities_as_recorded
from panel.loaders import found, user_view
from panel.models import Claim, ClaimStatus, User
from panel.payments import queries, records, services
from panel.payments.forms import (AnswerForm, ChoiceForm, ClaimForm, DecisionForm, ExportForm, PaidForm,
                                  PersonChoiceForm, RateForm, RulesForm, version_of)
from panel.payments.money import UNITS, tax_year_label
from panel.storage import StoredObject, file_response, get_store

bp = Blueprint("payments", __name__, url_prefix="/claims")


@bp.before_request
@login_required
def _signed_in():
    return None


claimant = user_view(permissions.can_claim)
manager = user_view(permissions.can_manage_involvement)


def _claim(claim_id: int, predicate=permissions.can_see_claim) -> Claim:
    claim = found(queries.claim_or_none(db(), claim_id))
    permissions.require(predicate(current_user, claim))
    return claim


def _person(user_id: int) -> User:
    return found(db().get(User, user_id))


def _activities_with_claims(person: User):
    claims = {c.activity_key: c for c in queries.claims_of(db(), person.id)}
    return [(a, claims.get(a.key)) for a in activities_as_recorded(db(), person.id)], claims


def _common():
    today = services.today()
    return {"rules": services.rules_on(db(), today), "labels": LABELS, "units": UNITS, "statuses": ClaimStatus.LABELS,
            "choices": services.CHOICES, "expense_kinds": services.EXPENSE_KINDS, "tax_year_label": tax_year_label}


# --- the claimant -----------------------------------------------------------------------

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
            return redirect(request.args.get("next") if request.args.get("next", "").startswith("/claims/")
                            else url_for("payments.mine"))
        except ServiceError as exc:
            error = field_error(form, exc)
    return render_template("payments/choice.html", form=form, current=current, error=error,
                           history=services.choice_history(db(), current_user.id), **_common()), \
        refused_status(form, error)


def _claim_form_page(person: User, key: str, on_paper: bool):
    activity = next((a for a in activities_as_recorded(db(), person.id) if a.key == key), None)
    found(activity)  # not something this person did: 404
    done = services.existing_claim(db(), person.id, key)
    if done is not None:
        flash("This activity has already been claimed for: each activity is claimed once.", "info")
        return redirect(url_for("payments.show", claim_id=done.id))
    choice_row = services.choice_on(db(), person.id, activity.on)
    if choice_row is None and not on_paper:
        flash("First, choose whether you want to be paid for your time.", "info")
        return redirect(url_for("payments.choice", next=request.path))
    form = ClaimForm(data=None if request.method == "POST" else {"hours": str(activity.hours.normalize())})
    error = None
    if form.validate_on_submit():
        try:
            claim = services.make_claim(db(), current_user, person, key, form.data_for_service(), on_paper=on_paper)
            flash("Thank you. Your claim has been sent for approval." if not on_paper
                  else f"The paper claim has been entered for {person.name}.", "success")
            return redirect(url_for("payments.show", claim_id=claim.id))
        except ServiceError as exc:
            error = field_error(form, exc)
    rate = services.rate_on(db(), activity.kind, activity.on)
    return render_template("payments/claim_form.html", form=form, activity=activity, person=person, claim=None,
                           on_paper=on_paper, choice=choice_row, rate=rate, error=error,
                           activity_rules=services.rules_on(db(), activity.on), **_common()), refused_status(form, error)


@bp.route("/new/<key>", methods=["GET", "POST"])
@claimant
def new(key: str):
    return _claim_form_page(current_user, key, on_paper=False)


@bp.route("/<int:claim_id>")
@claimant
def show(claim_id: int):
    claim = _claim(claim_id)
    return _show(claim)


def _show(claim: Claim, *, decision: DecisionForm | None = None, answer: AnswerForm | None = None,
          paid: PaidForm | None = None, error: str | None = None, status: int = 200):
    can_decide = permissions.can_manage_involvement(current_user)
    decision = decision or DecisionForm(data={"version": claim.version})
    answer = answer or AnswerForm(data={"version": claim.version})
    paid = paid or PaidForm(data={"version": claim.version, "paid_on": services.today()})
    totals = queries.tax_year_totals(db(), claim.user_id) if can_decide else []
    users = {u.id: u for u in db().query(User).filter(User.id.in_({claim.entered_by_id, claim.decided_by_id} - {None}))}
    return render_template("payments/show.html", claim=claim, decision=decision, answer=answer, paid=paid,
                           error=error, can_decide=can_decide, own=claim.user_id == current_user.id,
                           can_change=permissions.can_change_claim(current_user, claim),
                           can_answer=permissions.can_answer_claim(current_user, claim),
                           totals=totals, users=users, **_common()), status


@bp.route("/<int:claim_id>/edit", methods=["GET", "POST"])
@claimant
def edit(claim_id: int):
    claim = _claim(claim_id)
    if request.method == "GET" and not permissions.can_change_claim(current_user, claim):
        flash(f"This claim is {ClaimStatus.LABELS[claim.status].lower()} and can no longer be changed.", "info")
        return redirect(url_for("payments.show", claim_id=claim.id))
    form = ClaimForm(data=None if request.method == "POST" else {
        "version": claim.version, "hours": str((claim.quarter_hours / 4)).removesuffix(".0"),
        "mileage_from": claim.mileage_from, "mileage_to": claim.mileage_to,
        "miles": str(claim.tenth_miles / 10).removesuffix(".0") if claim.tenth_miles else "",
        "fares": _pounds(claim.fares_pence), "parking": _pounds(claim.parking_pence), "care": _pounds(claim.care_pence)})
    error, status = None, None
    if form.validate_on_submit():
        try:
            services.update_claim(db(), current_user, claim, version_of(form), form.data_for_service())
            flash("The claim has been changed.", "success")
            return redirect(url_for("payments.show", claim_id=claim.id))
        except StaleEdit as exc:
            error, status = stale_edit(form, exc), STALE_EDIT_STATUS
        except ServiceError as exc:
            error = field_error(form, exc)
    activity = next((a for a in activities_as_recorded(db(), claim.user_id) if a.key == claim.activity_key), None)
    return render_template("payments/claim_form.html", form=form, activity=activity, person=claim.user, claim=claim,
                           on_paper=claim.on_paper, choice=None, rate=None, error=error,
                           activity_rules=services.rules_on(db(), claim.activity_on), **_common()), \
        status or refused_status(form, error)


def _pounds(pence: int) -> str:
    from panel.payments.money import pounds

    return pounds(pence) if pence else ""


@bp.route("/<int:claim_id>/answer", methods=["POST"])
@claimant
def answer(claim_id: int):
    claim = _claim(claim_id, permissions.can_answer_claim)
    form = AnswerForm()
    if form.validate_on_submit():
        try:
            services.answer(db(), current_user, claim, version_of(form), form.answer.data)
            flash("Thank you. Your answer has been sent, and your claim waits for approval again.", "success")
            return redirect(url_for("payments.show", claim_id=claim.id))
        except StaleEdit as exc:
            return _show(claim, answer=form, error=stale_edit(form, exc), status=STALE_EDIT_STATUS)
        except ServiceError as exc:
            return _show(claim, answer=form, error=field_error(form, exc), status=400)
    return _show(claim, answer=form, status=400)


@bp.route("/<int:claim_id>/receipts/<int:receipt_id>/download")
@claimant
def receipt(claim_id: int, receipt_id: int):
    claim = _claim(claim_id)
    item = found(next((r for r in claim.receipts if r.id == receipt_id), None))
    stored = found(get_store().open(item.store_key))
    extension = item.store_key.rsplit(".", 1)[-1]
    return file_response(StoredObject(stored.data, item.content_type, stored.sha256, stored.created_at),
                         f"claim-{claim.id}-{item.kind}-receipt.{extension}")


@bp.route("/my-records.json")
@claimant
def my_records():
    return _records_download(current_user)


def _records_download(person: User):
    data = records.subject_access(db(), person)
    audit.record(db(), current_user, "payments.subject_access", person, entity_type="user",
                 summary="Payments and expenses records downloaded (subject access)")
    return Response(json.dumps(data, indent=2, ensure_ascii=False), mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="payments-records-{person.id}.json"',
                             "Cache-Control": "no-store"})


# --- HR or the involvement lead -----------------------------------------------------------

@bp.route("/review")
@manager
def review():
    waiting = queries.claims_in(db(), ClaimStatus.OPEN)
    approved = queries.claims_in(db(), (ClaimStatus.APPROVED,))
    return render_template("payments/review.html", waiting=waiting, approved=approved,
                           counts=queries.counts_by_status(db()), totals=queries.tax_year_totals(db()),
                           to_export=queries.waiting_for_export(db()), **_common())


@bp.route("/<int:claim_id>/decide", methods=["POST"])
@manager
def decide(claim_id: int):
    claim = _claim(claim_id)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            services.decide(db(), current_user, claim, version_of(form), form.decision.data, form.text.data or "")
            flash({"approved": "The claim is approved.", "queried": "Your question has been sent to the claimant.",
                   "rejected": "The claim has been rejected."}[claim.status], "success")
            return redirect(url_for("payments.review"))
        except StaleEdit as exc:
            return _show(claim, decision=form, error=stale_edit(form, exc), status=STALE_EDIT_STATUS)
        except ServiceError as exc:
            return _show(claim, decision=form, error=field_error(form, exc, "decision"), status=400)
    return _show(claim, decision=form, status=400)


@bp.route("/<int:claim_id>/paid", methods=["POST"])
@manager
def paid(claim_id: int):
    claim = _claim(claim_id)
    form = PaidForm()
    if form.validate_on_submit():
        try:
            services.mark_paid(db(), current_user, claim, version_of(form), form.reference.data, form.paid_on.data)
            flash("The claim is marked as paid.", "success")
            return redirect(url_for("payments.show", claim_id=claim.id))
        except StaleEdit as exc:
            return _show(claim, paid=form, error=stale_edit(form, exc), status=STALE_EDIT_STATUS)
        except ServiceError as exc:
            return _show(claim, paid=form, error=field_error(form, exc, "reference"), status=400)
    return _show(claim, paid=form, status=400)


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


@bp.route("/people")
@manager
def people():
    return render_template("payments/people.html", people=queries.people(db()), **_common())


@bp.route("/people/<int:user_id>", methods=["GET", "POST"])
@manager
def person(user_id: int):
    person = _person(user_id)
    current = services.choice_on(db(), person.id, services.today())
    form = PersonChoiceForm(data=None if request.method == "POST" else {
        "choice": current.choice if current else None, "payroll_reference": current.payroll_reference if current else ""})
    error = None
    if form.validate_on_submit():
        try:
            services.set_choice(db(), current_user, person, choice=form.choice.data,
                                payroll_reference=form.payroll_reference.data or "",
                                effective_from=form.effective_from.data)
            flash(f"The choice for {person.name} has been saved.", "success")
            return redirect(url_for("payments.person", user_id=person.id))
        except ServiceError as exc:
            error = field_error(form, exc)
    activities, claims = _activities_with_claims(person)
    return render_template("payments/person.html", person=person, form=form, current=current, error=error,
                           history=services.choice_history(db(), person.id), activities=activities,
                           totals=queries.tax_year_totals(db(), person.id), **_common()), refused_status(form, error)


@bp.route("/people/<int:user_id>/new/<key>", methods=["GET", "POST"])
@manager
def paper_claim(user_id: int, key: str):
    return _claim_form_page(_person(user_id), key, on_paper=True)


@bp.route("/people/<int:user_id>/records.json")
@manager
def person_records(user_id: int):
    return _records_download(_person(user_id))


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
    from panel.models import PayrollExport

    made = found(db().get(PayrollExport, export_id))
    audit.record(db(), current_user, "payments.export_downloaded", made,
                 summary=f"Payroll export {made.id} downloaded")
    return Response(made.csv, mimetype="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="payroll-{made.period_end.isoformat()}-{made.id}.csv"',
                             "Cache-Control": "no-store"})
