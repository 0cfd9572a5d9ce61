"""One claim: making it (by the claimant, or on paper by HR for them), showing it, changing it,
answering HR's question, HR's decision, marking it paid, and its receipts."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from panel import permissions
from panel.db import db
from panel.errors import ServiceError, StaleEdit
from panel.forms import STALE_EDIT_STATUS, field_error, refused_status, stale_edit
from panel.involvement.queries import activities_as_recorded
from panel.loaders import found
from panel.models import Claim, User
from panel.payments import queries, services
from panel.payments.forms import AnswerForm, ClaimForm, DecisionForm, PaidForm, version_of
from panel.payments.views import _claim, _common, _person, _pounds, bp, claimant, manager
from panel.storage import StoredObject, file_response, get_store


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


@bp.route("/people/<int:user_id>/new/<key>", methods=["GET", "POST"])
@manager
def paper_claim(user_id: int, key: str):
    return _claim_form_page(_person(user_id), key, on_paper=True)


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
                           typed_by_me=claim.typed_in_by(current_user.id),
                           can_change=permissions.can_change_claim(current_user, claim),
                           can_answer=permissions.can_answer_claim(current_user, claim),
                           totals=totals, users=users, **_common()), status


@bp.route("/<int:claim_id>/edit", methods=["GET", "POST"])
@claimant
def edit(claim_id: int):
    claim = _claim(claim_id)
    if request.method == "GET" and not permissions.can_change_claim(current_user, claim):
        flash(f"This claim is {claim.status_label.lower()} and can no longer be changed.", "info")
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


def _act(claim: Claim, slot: str, form, act, done, then: str, field: str | None = None):
    """A change posted from the claim's page (``slot``: which of its forms): ``act()`` and on to
    ``then`` with ``done`` (a message, or a function of the claim giving it); otherwise the page
    again with the error: 409 for a stale edit, 400 for bad input."""
    if form.validate_on_submit():
        try:
            act()
            flash(done(claim) if callable(done) else done, "success")
            return redirect(then)
        except StaleEdit as exc:
            return _show(claim, **{slot: form}, error=stale_edit(form, exc), status=STALE_EDIT_STATUS)
        except ServiceError as exc:
            return _show(claim, **{slot: form}, error=field_error(form, exc, field), status=400)
    return _show(claim, **{slot: form}, status=400)


@bp.route("/<int:claim_id>/answer", methods=["POST"])
@claimant
def answer(claim_id: int):
    claim = _claim(claim_id, permissions.can_answer_claim)
    form = AnswerForm()
    return _act(claim, "answer", form,
                lambda: services.answer(db(), current_user, claim, version_of(form), form.answer.data),
                "Thank you. Your answer has been sent, and your claim waits for approval again.",
                url_for("payments.show", claim_id=claim.id))


def _decided(claim: Claim) -> str:
    """What HR is told after deciding, by where the claim now is."""
    if claim.is_approved:
        return "The claim is approved."
    if claim.is_queried:
        return "Your question has been sent to the claimant."
    return "The claim has been rejected."


@bp.route("/<int:claim_id>/decide", methods=["POST"])
@manager
def decide(claim_id: int):
    claim = _claim(claim_id)
    form = DecisionForm()
    return _act(claim, "decision", form,
                lambda: services.decide(db(), current_user, claim, version_of(form), form.decision.data,
                                        form.text.data or ""),
                _decided, url_for("payments.review"), "decision")


@bp.route("/<int:claim_id>/paid", methods=["POST"])
@manager
def paid(claim_id: int):
    claim = _claim(claim_id)
    form = PaidForm()
    return _act(claim, "paid", form,
                lambda: services.mark_paid(db(), current_user, claim, version_of(form), form.reference.data,
                                           form.paid_on.data),
                "The claim is marked as paid.", url_for("payments.show", claim_id=claim.id), "reference")


@bp.route("/<int:claim_id>/receipts/<int:receipt_id>/download")
@claimant
def receipt(claim_id: int, receipt_id: int):
    claim = _claim(claim_id)
    item = found(next((r for r in claim.receipts if r.id == receipt_id), None))
    stored = found(get_store().open(item.store_key))
    extension = item.store_key.rsplit(".", 1)[-1]
    return file_response(StoredObject(stored.data, item.content_type, stored.sha256, stored.created_at),
                         f"claim-{claim.id}-{item.kind}-receipt.{extension}")
