"""The involvement pages (issue 17): the "involvement" blueprint.

Split by concern (the endpoint names are "involvement.<function>"):
- vacancies.py: a vacancy's involvement pages: "Do you know any of these people?" when names are
  revealed, its support contact, asking preferences and debriefs;
- wellbeing.py: check-ins (a panelist's answer, the lead's list and calls) and concerns;
- recognition.py: My involvement with its certificate and draft reference letter (made by the
  pack pipeline), and a person's hours corrected by the lead.
This module holds the blueprint and the template helpers the vacancy and scoring pages use.
"""
from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required

from panel import permissions
from panel.db import db
from panel.involvement import documents, queries
from panel.involvement.activities import QUESTION_MINUTES, SHORTLISTING_MINUTES_PER_APPLICATION

bp = Blueprint("involvement", __name__)


@bp.before_request
@login_required
def _signed_in():
    return None


@bp.app_template_global("support_contact_of")
def support_contact_of(vacancy) -> object | None:
    """The vacancy's support contact, for the vacancy and scoring pages (one query)."""
    if vacancy is None or not permissions.can_see_support_contact(current_user, vacancy):
        return None
    return queries.support_contact(db(), vacancy.id)


def _me():
    return current_user._get_current_object()


@bp.app_template_filter("hours")
def hours_filter(value) -> str:
    """2.50 -> "2.5 hours"; 1 -> "1 hour"."""
    return documents.hours_text(value)


@bp.app_context_processor
def _involvement_constants():
    return {"minutes_per_application": SHORTLISTING_MINUTES_PER_APPLICATION, "minutes_per_question": QUESTION_MINUTES}


@bp.app_template_global("involvement_links")
def involvement_links(vacancy) -> dict:
    """What the vacancy and scoring pages offer of the involvement, for the signed-in person."""
    user = current_user
    return {
        "set_support": permissions.can_set_support_contact(user, vacancy),
        "reveal": permissions.can_answer_reveal_conflicts(user, vacancy),
        "debriefs": permissions.can_record_debrief(user, vacancy),
        "asking_preference": permissions.can_set_asking_preference(user, vacancy),
    }


# The routes: imported last, as they register on bp.
from panel.involvement.views import recognition, vacancies, wellbeing  # noqa: E402,F401
