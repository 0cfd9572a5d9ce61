"""HR's outcome letters to candidates ("not shortlisted", "not appointed"): the list of who may
be sent which, sending one or everyone's at once (through the notifications outbox)."""
from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from panel import permissions
from panel.booking import messages
from panel.candidates import queries as candidate_queries
from panel.candidates.views import bp
from panel.db import db
from panel.forms import ConfirmForm
from panel.loaders import found, vacancy_view
from panel.models import Vacancy

LABELS = {"not_shortlisted": "Not shortlisted", "not_appointed": "Not appointed after interview"}


@bp.route("/letters")
@vacancy_view(permissions.can_send_outcome_letters)
def letters(vacancy: Vacancy):
    rows = messages.letters(db(), vacancy)
    samples = {}
    for candidate, kind, _sent in rows:
        if kind not in samples:
            samples[kind] = messages.outbox.render(messages.LETTERS[kind], **messages._context(vacancy, candidate))
    return render_template("candidates/letters.html", vacancy=vacancy, rows=rows, labels=LABELS, samples=samples,
                           to_send=sum(1 for *_x, sent in rows if not sent), form=ConfirmForm(),
                           contact=messages.contact())


@bp.route("/letters/send", methods=["POST"])
@vacancy_view(permissions.can_send_outcome_letters)
def letters_send_all(vacancy: Vacancy):
    if ConfirmForm().validate_on_submit():
        n = messages.send_letters(db(), current_user, vacancy)
        flash(f"{n} letter{'s' if n != 1 else ''} sent." if n else "Everyone has already been sent their letter.",
              "success")
    return redirect(url_for("candidates.letters", vacancy_id=vacancy.id))


@bp.route("/<int:candidate_id>/letter", methods=["POST"])
@vacancy_view(permissions.can_send_outcome_letters)
def letter_send(vacancy: Vacancy, candidate_id: int):
    found(candidate_queries.candidate_of_vacancy(vacancy.id, candidate_id))
    if ConfirmForm().validate_on_submit():
        n = messages.send_letters(db(), current_user, vacancy, candidate_id)
        flash("Letter sent." if n else "There is no letter to send to this candidate, or it has been sent already.",
              "success" if n else "info")
    return redirect(url_for("candidates.letters", vacancy_id=vacancy.id))
