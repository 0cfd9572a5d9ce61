"""The question asked again when names are revealed (issue 17): a panel member's first visit to
a vacancy's interview pages after reveal goes to "Do you know any of these people?" until they
have answered it for every candidate being interviewed."""
from __future__ import annotations

from flask import redirect, request, url_for
from flask_login import current_user

from panel import permissions
from panel.db import db
from panel.involvement import queries
from panel.models import Vacancy


def ask_first(vacancy: Vacancy):
    """A redirect to the question when this panel member has not answered it yet, else None.
    (No query for anyone who is not on the panel, or once scores cannot change.)"""
    if not (permissions.is_on_panel(current_user, vacancy) and vacancy.stage.scoring_open):
        return None
    unanswered = queries.reveal_unanswered(db(), vacancy, current_user.id)
    if permissions.must_answer_reveal_conflicts(current_user, vacancy, unanswered=unanswered):
        return redirect(url_for("involvement.reveal", vacancy_id=vacancy.id, next=request.path))
    return None
