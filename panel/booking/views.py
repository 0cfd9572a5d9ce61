"""The candidate's booking pages, reached only through the link in their invitation (no sign-in).

Every route here is open to all (tests/test_declared_permissions.py lists them): the secret in
the link is the permission. A link that is altered, made up or replaced by a newer invitation
shows one clear page (404); one past its cut-off, or for a vacancy that has moved on, shows what
was booked and changes nothing (410 for a change tried then). One address making too many
requests gets 429. The pages show the role, the times and the candidate's own answers, never
anything about other candidates or who is on the panel.
"""
from __future__ import annotations

import logging

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy.exc import OperationalError

from panel.booking import services
from panel.booking.forms import BookForm, CannotComeForm
from panel.booking.messages import contact
from panel.booking.messages import place as where
from panel.db import db, session_scope
from panel.forms import field_error
from panel.models import ADJUSTMENTS
from panel.plans import timetable
from panel.plans import invitations as invitation_text

log = logging.getLogger("panel.booking")
bp = Blueprint("booking", __name__, url_prefix="/book")


@bp.before_request
def _throttle():
    client = request.remote_addr or "unknown"
    with session_scope() as session:  # counted in its own transaction: a refused request counts too
        refused = services.throttled(session, client)
    if refused:
        log.warning("booking pages: too many requests from %s", client)
        return render_template("booking/message.html", title="Too many requests",
                               text="You have tried this page too many times in a short while. Wait 10 minutes, "
                                    "then try again.", contact=contact()), 429


@bp.after_request
def _private(response):
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the link is the key: never pass it on
    return response


def _load(token: str) -> services.LinkState:
    booking = services.find(db(), token)
    if booking is None:
        log.info("booking link refused (unknown, altered or replaced) from %s", request.remote_addr)
        abort(404)
    return services.state(db(), booking)


@bp.errorhandler(404)
def _unknown_link(_e):
    return render_template("booking/message.html", title="This link does not work",
                           text="The link may have been copied wrongly, or you may have been sent a newer invitation "
                                "with a new link: use the link in the latest email we sent you.",
                           contact=contact()), 404


def _page(link: services.LinkState, form: BookForm | None = None, status: int = 200, error: str | None = None):
    slots = services.choices(db(), link.booking) if link.open else []
    offered = services.offered_slot(db(), link.booking)
    booking = link.booking
    if form is None:
        form = BookForm(data={"slot": offered.id if offered else None, "adjustments": booking.adjustment_codes,
                              "adjustments_other": booking.adjustments_other})
    form.slot.choices = [(s.id, _slot_text(s)) for s in slots]
    return render_template("booking/page.html", link=link, booking=booking, vacancy=link.vacancy, form=form,
                           slots=slots, offered=offered, booked=booking.booked_slot, adjustments=ADJUSTMENTS,
                           panel_sentence=invitation_text.panel_by_role(m.panel_role.value for m in link.vacancy.panel_members),
                           place=_place(link), contact=contact(), error=error,
                           cannot_come=CannotComeForm(formdata=None)), status


def _slot_text(slot) -> str:
    start = timetable.to_london(slot.starts_at)
    return f"{start:%A} {start.day} {start:%B}, {timetable.clock(slot.starts_at)} to {timetable.clock(slot.ends_at)}"


def _place(link):
    def place(slot):
        return where(link.vacancy, slot, link.day)
    return place


def _retrying(work):
    """Run a change; on SQLite, a write that met another request's newer commit fails at once
    (its snapshot is stale): roll back and run it once more on fresh data."""
    try:
        return work()
    except OperationalError:
        db().rollback()
        return work()


@bp.route("/<token>", methods=["GET", "POST"])
def page(token: str):
    link = _load(token)
    if request.method == "GET":
        return _page(link)
    form = BookForm()
    # any slot of the vacancy passes the form: one taken meanwhile is the service's to refuse (409)
    form.slot.choices = [(s.id, "") for s in services.vacancy_slots(db(), link.vacancy.id)]
    if not link.open:
        return _page(link, status=410)
    if not form.validate_on_submit():
        return _page(link, form, 400)

    had_booking = link.booking.booked_slot is not None

    def work():
        fresh = _load(token)
        return services.book(db(), fresh, form.slot.data, form.adjustments.data, form.adjustments_other.data)

    try:
        changes = _retrying(work)
    except services.SlotTaken as exc:
        db().rollback()
        form.slot.data = None
        field_error(form, exc, "slot")
        return _page(_load(token), form, 409)
    except services.BookingError as exc:
        field_error(form, exc, "slot")
        return _page(link, form, 400)
    if changes:
        flash(("Thank you. Your booking has been changed." if had_booking else "Thank you. Your interview is booked.")
              + " We have sent you an email with the details and a calendar file.", "success")
    else:
        flash("You are already booked at this time. Nothing has changed.", "info")
    return redirect(url_for("booking.page", token=token))


@bp.route("/<token>/cannot-come", methods=["GET", "POST"])
def cannot_come(token: str):
    link = _load(token)
    form = CannotComeForm()
    if not link.open:
        return _page(link, status=410 if request.method == "POST" else 200)
    if form.validate_on_submit():
        try:
            services.cannot_come(db(), link, form.choice.data, form.message.data)
        except services.BookingError as exc:
            field_error(form, exc, "message")
        else:
            flash("Thank you for letting us know. We have sent you an email to confirm." if form.choice.data == "decline"
                  else "Thank you. We will contact you about a different time.", "success")
            return redirect(url_for("booking.page", token=token))
    return render_template("booking/cannot_come.html", link=link, vacancy=link.vacancy, form=form,
                           booked=link.booking.booked_slot, contact=contact()), \
        (400 if request.method == "POST" else 200)
